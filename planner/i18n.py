"""Translations for the Qt-free core (CLI messages, report texts).

Strings are marked with ``_()`` (gettext). Catalogues live in
``resources/locale/<lang>/LC_MESSAGES/esplan.mo``; without one the source text is shown.
The GUI uses Qt Linguist (``resources/i18n/*.ts``) for its own strings.
"""
from __future__ import annotations

import gettext
import locale
import os

import esplan_resources

DOMAIN = "esplan"
_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def system_language() -> str:
    for var in ("ESPLAN_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        val = os.environ.get(var)
        if val:
            return "zh" if val.lower().startswith("zh") else "en"
    loc = (locale.getlocale()[0] or "").lower()
    return "zh" if loc.startswith("zh") or loc.startswith("chinese") else "en"


def set_language(lang: str | None) -> str:
    """Switch the core's language ("zh" or "en"); returns the language in force."""
    global _translation, _language
    lang = (lang or system_language()).lower()[:2]
    _language = lang
    _translation = gettext.translation(DOMAIN, localedir=str(esplan_resources.path("locale")),
                                       languages=[lang, "zh_CN" if lang == "zh" else lang],
                                       fallback=True)
    return _language


def language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def pick(zh: str, en: str) -> str:
    """For bilingual data (norms, item names): the text in the language in force."""
    return zh if _language == "zh" else en
