"""The printed plan's own particulars (编制单位, 文号, 规划期限, sign-off names, chapter texts), and
the one audited way to change them.

They are the bureau's words, not computed figures: the cover of the printed plan (编制单位,
规划期限, 文号, 编制/审核/批准), its English title, and the texts of the chapters the engine
cannot write (实施安排, 保障措施, further 编制依据). They live in ``PlanInfo.extra["document"]``;
a field left unset is printed as a blank to fill in by hand (the cover's sign-off lines) or with
the stated default of :mod:`planner.report` (a chapter says it has not been written yet) —
never invented.

``esplan-cli plan set-document`` and the GUI both go through :func:`set_document`: values are
checked first (:class:`DocumentError` naming the field, nothing written), the change is one
audited update of :class:`planner.store.Plan` with the version read, and the values before are
returned, which given back to :func:`set_document` undoes it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from planner import models as m
from planner.store import PlanError
from planner.text import text

#: field → (kind, longest length): ``line`` one line of text, ``text`` paragraphs, ``year``
FIELDS: dict[str, tuple[str, int]] = {
    "issuer": ("line", 200),          # 编制单位
    "doc_number": ("line", 100),      # 文号
    "period_from": ("year", 4),       # 规划期限: first year
    "period_to": ("year", 4),         # 规划期限: last year
    "prepared_by": ("line", 100),     # 编制 (name)
    "reviewed_by": ("line", 100),     # 审核
    "approved_by": ("line", 100),     # 批准
    "title_en": ("line", 200),        # the English edition's title
    "basis": ("text", 20_000),        # further 编制依据 (one per line), printed after the standards
    "implementation": ("text", 20_000),   # 实施安排
    "safeguards": ("text", 20_000),       # 保障措施
}
NONE_WORDS = ("none", "null", "unset", "未设定")


class DocumentError(ValueError):
    """A document field refused (the message names the field); nothing was written."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def parse_field(name: str, value: Any) -> Any:
    """The stored value of ``name`` for ``value`` (None clears it); :class:`DocumentError` if refused."""
    if name not in FIELDS:
        raise DocumentError(text("document.error.unknown", name=name, known=", ".join(FIELDS)), name)
    if value is None or (isinstance(value, str) and value.strip().lower() in NONE_WORDS) or value == "":
        return None
    kind, longest = FIELDS[name]
    label = text(f"document.{name}")
    if kind == "year":
        try:
            year = int(str(value).strip())
        except ValueError:
            raise DocumentError(text("document.error.year", label=label, value=value), name) from None
        if not 1900 <= year <= 2200:
            raise DocumentError(text("document.error.year", label=label, value=value), name)
        return year
    s = str(value).replace("\r\n", "\n").strip()
    if kind == "line" and "\n" in s:
        raise DocumentError(text("document.error.one_line", label=label), name)
    if len(s) > longest:
        raise DocumentError(text("document.error.too_long", label=label, n=len(s), longest=longest), name)
    if any(ord(c) < 32 and c not in "\n\t" for c in s):
        raise DocumentError(text("document.error.control", label=label), name)
    return s or None


def _info(s: Any) -> m.PlanInfo:
    info = s.scalars(select(m.PlanInfo).order_by(m.PlanInfo.id).limit(1)).first()
    if info is None:
        raise PlanError("the plan has no plan_info row (not an esplan plan?)")
    return info


def document_of(extra: Any) -> dict[str, Any]:
    """The document fields kept in a PlanInfo ``extra`` (unset fields are None)."""
    doc = (extra or {}).get("document") if isinstance(extra, dict) else None
    doc = doc if isinstance(doc, dict) else {}
    return {k: doc.get(k) for k in FIELDS}


def read_document(plan: Any) -> dict[str, Any]:
    with plan.session() as s:
        return document_of(_info(s).extra)


def read_document_version(plan: Any) -> tuple[dict[str, Any], int]:
    """The fields and the PlanInfo version they were read at (what :func:`set_document` checks)."""
    with plan.session() as s:
        info = _info(s)
        return document_of(info.extra), info.version


def set_document(plan: Any, changes: dict[str, Any], *, expected_version: int | None = None,
                 user: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """Set (or clear, with None / "none") some fields in one audited update; returns their values
    before. :class:`DocumentError` (nothing written) for a refused value or a period that ends
    before it starts; :class:`planner.store.EditConflict` when the plan changed since
    ``expected_version``."""
    new = {k: parse_field(k, v) for k, v in changes.items()}
    if not new:
        return {}
    with plan.session() as s:
        info = _info(s)
        pk, version = info.id, info.version
        extra = dict(info.extra or {})
    doc = document_of(extra)
    before = {k: doc[k] for k in new}
    merged = {**doc, **new}
    a, b = merged.get("period_from"), merged.get("period_to")
    if a is not None and b is not None and b < a:
        raise DocumentError(text("document.error.period", start=a, end=b), "period_to")
    ver = version if expected_version is None else expected_version
    if ver == version and all(before[k] == v for k, v in new.items()):
        return before
    extra["document"] = {k: v for k, v in merged.items() if v is not None}
    why = reason or "plan document: " + ", ".join(sorted(new))
    plan.update(m.PlanInfo, pk, {"extra": extra}, expected_version=ver, user=user, reason=why)
    return before


def period_text(doc: dict[str, Any], lang: str | None = None) -> str | None:
    """"2026—2035年" / "2026–2035" (None when no year is set)."""
    a, b = doc.get("period_from"), doc.get("period_to")
    if a is None and b is None:
        return None
    if a is not None and b is not None:
        return text("document.period_range", lang, start=a, end=b)
    return text("document.period_from_only" if a is not None else "document.period_to_only", lang,
                year=a if a is not None else b)


__all__ = ["FIELDS", "DocumentError", "document_of", "parse_field", "period_text", "read_document",
           "read_document_version", "set_document"]
