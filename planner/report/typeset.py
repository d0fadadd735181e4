"""Chinese line breaking for the printed plan (避头尾, and no break inside codes, numbers+units, words).

reportlab's CJK wrapping breaks after any character: an opening bracket could end a line
("折叠床（" / "张）"), "；" could start one, a code or a place name could be cut in two
("SH-PLA" / "N-01", "Escaldes-Engordan" / "y"), a number could be parted from its unit. This
module replaces the line breaking of :class:`ZhParagraph` with one that allows a break between
two characters only when

- the second may start a line (no closing punctuation, 。，、；：？！）》」』】 …, at a line start),
- the first may end a line (no opening bracket （《「『【“‘ at a line end),
- they are not both part of one Latin/number run (letters, digits and the joiners ``-_./:,%°²³·``
  inside it; a normal space is a break opportunity, a no-break space U+00A0 is not), and
- they are not joined by a word joiner U+2060 (which is removed before printing): :func:`nobr`
  keeps a word or a number with its unit together.

A line is filled greedily up to the last allowed break; a run longer than the whole line (a
very long code in a narrow cell) is cut where it overflows, the only forced break.
"""
from __future__ import annotations

from typing import Any

from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

#: may not start a line (closing punctuation, CJK and Latin)
CANNOT_START = set("，。、；：？！）》」』】〕〗〙〛｝］”’…‥·・〉%％‰,.;:?!)]}>"
                   "ー々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
#: may not end a line (opening brackets and quotes)
CANNOT_END = set("（《「『【〔〖〘〚｛［“‘〈([{<")
#: characters that, between two Latin/digit characters, keep the run together
JOINERS = set("-_./:,%°²³·'+#&@~×")
WJ = "\u2060"      # word joiner: no break here (removed before printing)
NBSP = "\u00a0"    # no-break space: printed as a space, never broken


def _latin(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum()) or ch in "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ" \
        or ch in "²³°"


def _in_run(a: str, b: str) -> bool:
    """True when a and b belong to one Latin/number run (no break between them)."""
    if a == NBSP or b == NBSP:
        return True
    la, lb = _latin(a) or a in JOINERS, _latin(b) or b in JOINERS
    return la and lb


def nobr(s: str) -> str:
    """``s`` kept on one line where possible (word joiners between its characters)."""
    return WJ.join(s) if len(s) > 1 else s


def break_ok(prev: str, cur: str) -> bool:
    """May a line break fall between ``prev`` and ``cur``?"""
    if cur in CANNOT_START or prev in CANNOT_END:
        return False
    if cur == " ":
        return False          # break after the space, not before it
    if prev == " ":
        return True
    return not _in_run(prev, cur)


def _split(frags: list[Any], max_widths: list[float], calc_bounds: bool) -> ParaLines:
    glyphs: list[Any] = []
    joined: list[bool] = []      # joined[i]: no break allowed before glyph i
    for f in frags:
        text = f.text if hasattr(f, "text") else ""
        if isinstance(text, bytes):
            text = text.decode("utf8")
        if not text:
            glyphs.append(cjkU(text, f, "utf8"))
            joined.append(False)
            continue
        pending = False
        for ch in text:
            if ch == WJ:
                pending = True
                continue
            glyphs.append(cjkU(ch, f, "utf8"))
            joined.append(pending)
            pending = False
    n = len(glyphs)
    ok = [False] * (n + 1)
    for i in range(1, n):
        a, b = glyphs[i - 1], glyphs[i]
        if joined[i] or not a or not b:
            ok[i] = bool(not joined[i] and (not a or not b))
            continue
        ok[i] = break_ok(a, b)
    lines = []
    start = 0
    max_w = max_widths[0]
    while start < n:
        used = 0.0
        i = start
        last_ok = -1
        forced = False
        while i < n:
            g = glyphs[i]
            if hasattr(g.frag, "lineBreak"):
                i += 1
                forced = True
                break
            w = g.width
            if hasattr(w, "normalizedValue"):
                w._normalizer = max_w
                w = w.normalizedValue(max_w)
            if i > start and ok[i]:
                last_ok = i
            if used + w > max_w + 1e-6 and i > start:
                break
            used += w
            i += 1
        if i < n and not forced:
            end = last_ok if last_ok > start else i      # the last allowed break, else cut here
        else:
            end = i
        seg = glyphs[start:end]
        # trailing spaces take no room at the end of a line
        while seg and seg[-1] == " " and not forced:
            seg = seg[:-1]
        width = sum(g.width for g in seg if not hasattr(g.frag, "lineBreak"))
        lines.append(makeCJKParaLine(seg or glyphs[start:end], max_w, width, max_w - width, forced, calc_bounds))
        max_w = max_widths[min(len(lines), len(max_widths) - 1)]
        start = end
        while start < n and glyphs[start] == " " and not forced:
            start += 1     # a space that fell at the break is not printed at the next line's start
    return ParaLines(kind=1, lines=lines)


class ZhParagraph(Paragraph):
    """A Paragraph whose CJK wrapping follows :mod:`planner.report.typeset` (style wordWrap='CJK')."""

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # noqa: N802, N803 - reportlab's names
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara
        # a table wraps each cell to size its row and again to draw it, and the 目录 makes the
        # document laid out twice: the lines for one width are computed once
        key = tuple(maxWidths)
        cache = self.__dict__.setdefault("_esplan_lines", {})
        if key in cache:
            return cache[key]
        cache[key] = out = self._break_zh(maxWidths)
        return out

    def _break_zh(self, maxWidths: list[float]) -> Any:  # noqa: N803
        style = self.style
        self.height = 0
        frags = self.frags
        if not frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName, textColor=style.textColor,
                             lines=[], ascent=style.fontSize, descent=-0.2 * style.fontSize)
        auto = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return _split(frags, list(maxWidths), auto not in ("", "off"))


def strip_joiners(s: str) -> str:
    return s.replace(WJ, "")
