"""Languages (Qt Linguist .qm files) and the CJK font.

Simplified Chinese is the default on a Chinese system *and* when the system language cannot be
told; English otherwise. The choice can be switched at run time (View → Language): the
translator is replaced and every window receives ``QEvent.LanguageChange``.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

_translator: QTranslator | None = None
_current = "en"


def i18n_dir() -> Path:
    try:
        import esplan_resources

        return Path(esplan_resources.path("i18n"))
    except Exception:  # pragma: no cover - running from a bare checkout
        return Path(__file__).resolve().parents[1] / "resources" / "i18n"


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
    global _translator, _current
    app = QApplication.instance()
    lang = lang or system_language()
    if lang not in LANGUAGES:
        lang = "en"
    if _translator is not None and app is not None:
        app.removeTranslator(_translator)
        _translator = None
    if lang != "en" and app is not None:
        tr = QTranslator(app)
        if tr.load(f"esplan_{lang}", str(i18n_dir())):
            app.installTranslator(tr)
            _translator = tr
    _current = lang
    try:  # the core's own messages (report texts, findings) follow the GUI
        from planner.i18n import set_language

        set_language("zh" if lang.startswith("zh") else "en")
    except Exception:  # pragma: no cover
        pass
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
        from planner.report.fonts import find_cjk_font  # type: ignore[import-not-found]

        found = find_cjk_font()
        if found:
            out.append(Path(found[0] if isinstance(found, tuple) else found))
    except Exception:
        pass
    try:
        import esplan_resources

        fonts = Path(esplan_resources.path("fonts"))
        if fonts.is_dir():
            out += sorted(p for p in fonts.iterdir() if p.suffix.lower() in (".ttf", ".ttc", ".otf"))
    except Exception:
        pass
    out += [Path(p) for p in _SYSTEM_FONTS]
    return out


def register_cjk_font() -> str | None:
    """Register a CJK font with Qt and make it the fallback of the UI font; returns its family."""
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
        return fam
    return None
