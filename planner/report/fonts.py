"""The CJK font of the printed plan: find it, check it, register it with reportlab.

reportlab embeds (subsets) TrueType-outline fonts only: TTF/TTC files with a ``glyf`` table.
CFF-based OpenType fonts (``.otf``, Noto Sans CJK, Source Han) are refused by
:func:`find_cjk_font`.

Search order (the first usable file wins):

1. ``$ESPLAN_CJK_FONT`` — ``/path/font.ttc`` or ``/path/font.ttc#1`` (sub-font index);
2. the font shipped with esplan: ``resources/fonts/wqy-microhei.ttc`` (WenQuanYi Micro Hei,
   Apache-2.0), so a plan prints the same on every PC;
3. system fonts: Windows (Microsoft YaHei ``msyh.ttc``, SimHei ``simhei.ttf``, SimSun
   ``simsun.ttc``), Linux (WenQuanYi, Droid Sans Fallback, AR PL, Noto Sans CJK TTF builds),
   macOS (Arial Unicode, STHeiti).

The GUI registers the same file with Qt (``QFontDatabase.addApplicationFont(str(path))``).
"""
from __future__ import annotations

import os
import struct
import sys
from functools import lru_cache
from pathlib import Path

FONT_ENV = "ESPLAN_CJK_FONT"
FONT_NAME = "ESPlanCJK"          # the name the report registers the font under in reportlab
SHIPPED = ("fonts", "wqy-microhei.ttc")
#: the body face of the printed plan: a Ming (宋体-like) serif, AR PL UMing CN (Arphic Public
#: License, licence text beside it) cut to GB 2312 and the punctuation, Latin and symbols it has
#: (scripts/make_serif_font.py); characters it lacks are set in the sans face above
SERIF_ENV = "ESPLAN_SERIF_FONT"
SERIF_NAME = "ESPlanSerif"
SERIF_SHIPPED = ("fonts", "uming-cn-gb2312.ttf")


class FontNotFound(RuntimeError):
    """No usable CJK TrueType font was found (the message lists what was searched)."""


def _windows_dirs() -> list[Path]:
    dirs = []
    for var in ("WINDIR", "SystemRoot"):
        if os.environ.get(var):
            dirs.append(Path(os.environ[var]) / "Fonts")
    if os.environ.get("LOCALAPPDATA"):  # fonts installed for the current user only
        dirs.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
    dirs.append(Path("C:/Windows/Fonts"))
    return dirs


#: (file name or absolute path, sub-font index) in order of preference
_WINDOWS = [("msyh.ttc", 0), ("msyh.ttf", 0), ("simhei.ttf", 0), ("simsun.ttc", 0),
            ("Deng.ttf", 0), ("simkai.ttf", 0)]
_UNIX = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),          # Fedora
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
]


def candidates() -> list[tuple[Path, int]]:
    """Every place searched, in order."""
    out: list[tuple[Path, int]] = []
    env = os.environ.get(FONT_ENV)
    if env:
        path, _, idx = env.partition("#")
        out.append((Path(path).expanduser(), int(idx) if idx.strip() else 0))
    try:
        import esplan_resources

        out.append((esplan_resources.path(*SHIPPED), 0))
    except ImportError:  # pragma: no cover - source tree without the resources package
        out.append((Path(__file__).resolve().parents[2] / "resources" / Path(*SHIPPED), 0))
    if sys.platform.startswith("win"):
        for d in _windows_dirs():
            out += [(d / name, idx) for name, idx in _WINDOWS]
    out += [(Path(p), idx) for p, idx in _UNIX]
    return out


def sfnt_tables(path: str | os.PathLike[str], index: int = 0) -> set[str]:
    """Table tags of a TrueType/OpenType font (sub-font ``index`` of a collection)."""
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12:
            raise ValueError("not a font file")
        base = 0
        if head[:4] == b"ttcf":
            n = struct.unpack(">I", head[8:12])[0]
            if not 0 <= index < n:
                raise ValueError(f"font collection has {n} fonts, no index {index}")
            f.seek(12 + 4 * index)
            base = struct.unpack(">I", f.read(4))[0]
            f.seek(base)
            head = f.read(12)
        if head[:4] not in (b"\x00\x01\x00\x00", b"true", b"OTTO"):
            raise ValueError("not a TrueType/OpenType font")
        num = struct.unpack(">H", head[4:6])[0]
        f.seek(base + 12)
        recs = f.read(16 * num)
    return {recs[16 * k:16 * k + 4].decode("latin-1") for k in range(num)}


def is_truetype_outline(path: str | os.PathLike[str], index: int = 0) -> bool:
    """True when the font has TrueType (``glyf``) outlines and a ``cmap`` (reportlab can embed it)."""
    try:
        tags = sfnt_tables(path, index)
    except (OSError, ValueError, struct.error):
        return False
    return "glyf" in tags and "loca" in tags and "cmap" in tags


def find_cjk_font() -> tuple[Path, int]:
    """``(path, subfont_index)`` of the CJK TrueType font to use; raises :class:`FontNotFound`."""
    tried: list[str] = []
    for path, idx in candidates():
        if path.is_file():
            if is_truetype_outline(path, idx):
                return path, idx
            tried.append(f"{path} (#{idx}: not a TrueType-outline font)")
        else:
            tried.append(str(path))
    raise FontNotFound(
        "No Chinese (CJK) TrueType font found for the PDF. Searched:\n  " + "\n  ".join(tried)
        + f"\nInstall one (e.g. Debian/Ubuntu: apt-get install fonts-wqy-microhei) or set "
          f"{FONT_ENV}=/path/to/font.ttf (TrueType outlines; CFF .otf fonts cannot be embedded).")


@lru_cache(maxsize=1)
def register_cjk_font() -> str:
    """Register the CJK font with reportlab (once per process); returns its reportlab name.

    The same face is registered as the bold/italic members of its family so that ``<b>`` in
    a paragraph never fails (CJK fonts rarely ship a bold face; headings use size and colour).
    """
    from reportlab.pdfbase.ttfonts import TTFError

    path, idx = find_cjk_font()
    try:
        return _register(FONT_NAME, path, idx)
    except TTFError as exc:
        raise FontNotFound(f"The font {path} (#{idx}) cannot be embedded: {exc}") from exc


def _register(name: str, path: Path, index: int = 0) -> str:
    """Register a TrueType font with reportlab under ``name``, as every member of its family (so
    ``<b>`` never fails: these faces have no bold; headings use size and colour)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(name, bold, italic, name)
    return name


@lru_cache(maxsize=1)
def register_serif_font() -> str | None:
    """Register the serif body face with reportlab (once per process); its name, or None when it
    is not there (the body is then set in the sans face, and the log says so)."""
    import logging

    from reportlab.pdfbase.ttfonts import TTFError

    env = os.environ.get(SERIF_ENV)
    if env is not None and env.strip().lower() in ("", "none", "off"):
        return None
    if env:
        path = Path(env).expanduser()
    else:
        try:
            import esplan_resources

            path = esplan_resources.path(*SERIF_SHIPPED)
        except ImportError:  # pragma: no cover - source tree without the resources package
            path = Path(__file__).resolve().parents[2] / "resources" / Path(*SERIF_SHIPPED)
    if not (path.is_file() and is_truetype_outline(path)):
        logging.getLogger(__name__).info("no serif body font at %s: the body is set in the sans face", path)
        return None
    try:
        return _register(SERIF_NAME, path)
    except TTFError as exc:
        logging.getLogger(__name__).warning("the serif font %s cannot be embedded (%s): sans body", path, exc)
        return None


def missing_glyphs(text: str, font_name: str) -> set[str]:
    """The characters of ``text`` the registered font ``font_name`` has no glyph for."""
    from reportlab.pdfbase import pdfmetrics

    cmap = pdfmetrics.getFont(font_name).face.charToGlyph
    return {ch for ch in text if ord(ch) not in cmap and not ch.isspace() and ch != "\u2060"}


def has_glyphs(text: str, font_name: str | None = None) -> bool:
    """Whether the registered CJK font has a glyph for every character of ``text``."""
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(font_name or register_cjk_font())
    cmap = font.face.charToGlyph
    return all(ord(ch) in cmap for ch in text if not ch.isspace())
