"""Fields of the registers as the user sees and types them: column descriptions (:class:`Col`),
enum labels, and the validation of a typed value (:func:`parse_value` — a refused value raises
:class:`Invalid` with a message naming the field). Used by the table models and the record forms.
"""
from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication


def QT_TRANSLATE_NOOP(ctx: str, text: str) -> str:  # marks a string for lupdate
    return text


# enum values shown to the user (context "Enums")
ENUM_LABELS = {
    "warehouse": QT_TRANSLATE_NOOP("Enums", "Warehouse"),
    "reserve_point": QT_TRANSLATE_NOOP("Enums", "Reserve point"),
    "shelter": QT_TRANSLATE_NOOP("Enums", "Shelter"),
    "built": QT_TRANSLATE_NOOP("Enums", "Built"),
    "planned": QT_TRANSLATE_NOOP("Enums", "Planned"),
    "closed": QT_TRANSLATE_NOOP("Enums", "Closed"),
    "district": QT_TRANSLATE_NOOP("Enums", "District"),
    "town": QT_TRANSLATE_NOOP("Enums", "Town"),
    "village": QT_TRANSLATE_NOOP("Enums", "Village"),
    "emergency": QT_TRANSLATE_NOOP("Enums", "Emergency"),
    "short": QT_TRANSLATE_NOOP("Enums", "Short-term"),
    "medium": QT_TRANSLATE_NOOP("Enums", "Medium-term"),
    "long": QT_TRANSLATE_NOOP("Enums", "Long-term"),
    "physical": QT_TRANSLATE_NOOP("Enums", "Physical"),
    "agreement": QT_TRANSLATE_NOOP("Enums", "Agreement"),
    "living": QT_TRANSLATE_NOOP("Enums", "Living"),
    "rescue": QT_TRANSLATE_NOOP("Enums", "Rescue"),
    "served": QT_TRANSLATE_NOOP("Enums", "Served"),
    "over_capacity": QT_TRANSLATE_NOOP("Enums", "Over capacity"),
    "unreachable": QT_TRANSLATE_NOOP("Enums", "Unreachable"),
    "unlocated": QT_TRANSLATE_NOOP("Enums", "Not located"),
    "off_network": QT_TRANSLATE_NOOP("Enums", "Off network"),
    "block": QT_TRANSLATE_NOOP("Enums", "Block roads"),
    "slow": QT_TRANSLATE_NOOP("Enums", "Slow roads"),
}


def enum_label(value: Any) -> str:
    if value is None:
        return ""
    v = value.value if isinstance(value, enum.Enum) else str(value)
    return QCoreApplication.translate("Enums", ENUM_LABELS[v]) if v in ENUM_LABELS else v


@dataclass(frozen=True)
class Col:
    key: str
    header: str              # English source text, translated in context "Columns"
    kind: str = "text"       # text / int / float / date / enum / lonlat / computed
    editable: bool = True
    choices: tuple[str, ...] = ()
    required: bool = False
    minimum: float | None = 0.0
    maximum: float | None = None


def H(text: str) -> str:
    return QT_TRANSLATE_NOOP("Columns", text)


# headers used only by the record forms
_FORM_HEADERS = (QT_TRANSLATE_NOOP("Columns", "Tier"), QT_TRANSLATE_NOOP("Columns", "Storage m²"),
                 QT_TRANSLATE_NOOP("Columns", "Item"), QT_TRANSLATE_NOOP("Columns", "Site"))


class Invalid(ValueError):
    pass


def parse_value(col: Col, text: Any) -> Any:
    """The value of an edited cell, or :class:`Invalid` with a message for the user."""
    if isinstance(text, str):
        text = text.strip()
    if text in ("", None):
        if col.required:
            raise Invalid(QCoreApplication.translate(
                "Validation", "{field} is required.").format(
                field=QCoreApplication.translate("Columns", col.header)))
        return None
    if col.kind in ("int", "float", "lonlat"):
        try:
            val = float(str(text).replace(",", "")) if not isinstance(text, (int, float)) else float(text)
        except ValueError:
            raise Invalid(QCoreApplication.translate(
                "Validation", "{field}: “{value}” is not a number.").format(
                field=QCoreApplication.translate("Columns", col.header), value=text)) from None
        if not math.isfinite(val):
            raise Invalid(QCoreApplication.translate(
                "Validation", "{field}: “{value}” is not a number.").format(
                field=QCoreApplication.translate("Columns", col.header), value=text))
        if col.minimum is not None and val < col.minimum:
            raise Invalid(QCoreApplication.translate(
                "Validation", "{field} cannot be less than {min:g} (got {value:g}).").format(
                field=QCoreApplication.translate("Columns", col.header), min=col.minimum, value=val))
        if col.maximum is not None and val > col.maximum:
            raise Invalid(QCoreApplication.translate(
                "Validation", "{field} cannot be more than {max:g} (got {value:g}).").format(
                field=QCoreApplication.translate("Columns", col.header), max=col.maximum, value=val))
        if col.kind == "int":
            if val != int(val):
                raise Invalid(QCoreApplication.translate(
                    "Validation", "{field} must be a whole number (got {value:g}).").format(
                    field=QCoreApplication.translate("Columns", col.header), value=val))
            return int(val)
        return val
    if col.kind == "date":
        if isinstance(text, dt.date):
            return text
        try:
            return dt.date.fromisoformat(str(text).replace("/", "-"))
        except ValueError:
            raise Invalid(QCoreApplication.translate(
                "Validation", "{field}: “{value}” is not a date (use YYYY-MM-DD).").format(
                field=QCoreApplication.translate("Columns", col.header), value=text)) from None
    if col.kind == "enum":
        val = text.value if isinstance(text, enum.Enum) else str(text)
        if val not in col.choices:
            # accept the translated label as well
            for c in col.choices:
                if enum_label(c) == val:
                    return c
            raise Invalid(QCoreApplication.translate(
                "Validation", "{field}: “{value}” is not one of {choices}.").format(
                field=QCoreApplication.translate("Columns", col.header), value=val,
                choices=", ".join(enum_label(c) for c in col.choices)))
        return val
    return str(text)
