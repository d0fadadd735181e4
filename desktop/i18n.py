"""Languages (Qt Linguist .qm files) and the CJK font.

Simplified Chinese is the default on a Chinese system *and* when the system language cannot be
told; English otherwise. The choice can be switched at run time (View → Language): the
translator is replaced and every window receives ``QEvent.LanguageChange``.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

import esplan_resources
from planner.report.fonts import FontNotFound, find_cjk_font
from planner.text import set_language as set_core_language

log = logging.getLogger(__name__)

LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

_translators: list[QTranslator] = []
_current = "en"


def i18n_dir() -> Path:
    return Path(esplan_resources.path("i18n"))


def qt_translations_dir() -> str:
    """Where Qt's own catalogues are (qtbase_zh_CN.qm: OK/Cancel/Yes/No, file dialogs …)."""
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def system_language() -> str:
    """zh_CN unless the system clearly asks for another language."""
    env = os.environ.get("ESPLAN_LANG")
    if env:
        return "zh_CN" if env.lower().startswith("zh") else "en"
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        val = os.environ.get(var)
        if val and val not in ("C", "POSIX", "C.UTF-8", "C.utf8"):
            return "zh_CN" if val.lower().startswith("zh") else "en"
    names = QLocale.system().uiLanguages()
    first = (names[0] if names else "").lower()
    if not first or first.startswith("zh") or first in ("c", "en-us-posix"):
        return "zh_CN"
    return "en"


def current_language() -> str:
    return _current


def install_language(lang: str | None) -> str:
    """Install the translator for ``lang`` ("zh_CN"/"en"; None or "" = the system's)."""
    global _current
    app = QApplication.instance()
    lang = lang or system_language()
    if lang not in LANGUAGES:
        lang = "en"
    if app is not None:
        for tr in _translators:
            app.removeTranslator(tr)
    _translators.clear()
    if lang != "en" and app is not None:
        # ours, and Qt's own (standard buttons and dialogs would otherwise stay English)
        for name, folder in ((f"esplan_{lang}", str(i18n_dir())), (f"qtbase_{lang}", qt_translations_dir())):
            tr = QTranslator(app)
            if tr.load(name, folder):
                app.installTranslator(tr)
                _translators.append(tr)
            else:
                log.warning("translation %s not found in %s: those texts stay English", name, folder)
    _current = lang
    set_core_language("zh" if lang.startswith("zh") else "en")   # report texts, findings follow the GUI
    return lang


def is_chinese() -> bool:
    return _current.startswith("zh")


# -- CJK font -----------------------------------------------------------------------------------
_SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simhei.ttf", "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)


def _candidate_fonts() -> list[Path]:
    out: list[Path] = []
    try:
        out.append(find_cjk_font()[0])    # the font the printed plan uses
    except FontNotFound:
        log.info("no CJK font found where the report looks; trying the shipped and system fonts")
    fonts = Path(esplan_resources.path("fonts"))
    if fonts.is_dir():
        out += sorted(p for p in fonts.iterdir() if p.suffix.lower() in (".ttf", ".ttc", ".otf"))
    out += [Path(p) for p in _SYSTEM_FONTS]
    return out


_CJK_FAMILY: str | None = None


def cjk_family() -> str | None:
    """The family of the CJK font registered with Qt (None before or if none was found)."""
    return _CJK_FAMILY


def register_cjk_font() -> str | None:
    """Register a CJK font with Qt and make it the fallback of the UI font; returns its family."""
    global _CJK_FAMILY
    app = QApplication.instance()
    for path in _candidate_fonts():
        if not path.is_file():
            continue
        fid = QFontDatabase.addApplicationFont(str(path))
        if fid < 0:
            continue
        families = QFontDatabase.applicationFontFamilies(fid)
        if not families:
            continue
        fam = next((f for f in families if "SC" in f or "Hei" in f), families[0])
        if app is not None:
            font = QFont(app.font())
            base = font.family()
            font.setFamilies([base, fam] if base and base != fam else [fam])
            app.setFont(font)
        _CJK_FAMILY = fam
        return fam
    return None
