"""The one text catalogue outside Qt widgets: CLI help and output, the engine's check names and
findings, the printed plan.

``resources/i18n/texts.json`` holds ``{key: {"zh": ..., "en": ...}}`` with ``{placeholder}``
arguments (str.format syntax). Keys are grouped by prefix: ``check.<id>``, ``finding.<code>``,
``reason.<code>``, ``enum.<group>.<value>``, ``cli.…``, ``report.…``, ``import.…`` (import
problems and notes, rendered in the language in force when the import runs). The engine emits codes and
numbers; whoever shows them renders them here. The GUI's widgets keep Qt Linguist
(``resources/i18n/*.ts``).

A leaf module: imports nothing of planner. A missing key or argument raises :class:`KeyError`
under pytest (or with ``ESPLAN_STRICT_TEXTS=1``); otherwise it is logged and the key (or the
unformatted text) is shown.
"""
from __future__ import annotations

import json
import locale
import logging
import os
import sys
from functools import cache
from typing import Any

import esplan_resources

__all__ = ["LANGUAGES", "catalogue", "label", "language", "set_language", "system_language", "text"]

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")
_language = "en"


def system_language() -> str:
    """"zh" when the environment asks for Chinese (ESPLAN_LANG, LANGUAGE, LC_*, LANG, locale)."""
    for var in ("ESPLAN_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        val = os.environ.get(var)
        if val:
            return "zh" if val.lower().startswith("zh") else "en"
    loc = (locale.getlocale()[0] or "").lower()
    return "zh" if loc.startswith("zh") or loc.startswith("chinese") else "en"


def set_language(lang: str | None) -> str:
    """Switch the core's language ("zh" or "en"; None = the system's); returns the language in force."""
    global _language
    lang = (lang or system_language()).lower()[:2]
    _language = lang if lang in LANGUAGES else "en"
    return _language


def language() -> str:
    return _language


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """The catalogue, read once."""
    with open(esplan_resources.path("i18n", "texts.json"), encoding="utf-8") as fh:
        data: dict[str, dict[str, str]] = json.load(fh)
    return data


def _strict() -> bool:
    return "pytest" in sys.modules or os.environ.get("ESPLAN_STRICT_TEXTS") == "1"


def text(key: str, lang: str | None = None, **args: Any) -> str:
    """The text of ``key`` in ``lang`` (None = the language in force), formatted with ``args``."""
    lang = lang or _language
    try:
        entry = catalogue()[key]
    except KeyError:
        if _strict():
            raise KeyError(f"text key not in resources/i18n/texts.json: {key!r}") from None
        log.warning("text key not in the catalogue: %s", key)
        return key
    template = entry[lang if lang in entry else "en"]
    try:
        return template.format(**args)
    except (KeyError, IndexError) as exc:
        if _strict():
            raise KeyError(f"text {key!r}: missing argument {exc}") from None
        log.warning("text %s: missing argument %s", key, exc)
        return template


def label(group: str, value: Any, lang: str | None = None) -> str:
    """The label of an enum value (``enum.<group>.<value>``): None → "—", an unknown value → itself."""
    if value is None:
        return "—"
    v = getattr(value, "value", value)   # an Enum member or its value
    key = f"enum.{group}.{v}"
    if key not in catalogue():
        log.debug("no label for %s", key)
        return str(v)
    return text(key, lang)
