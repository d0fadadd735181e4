"""Long tables in linear time: a table of n rows is handed to the frame a window at a time.

reportlab splits a table at a page foot into [the rows that fit, a new table of all the rest]:
the rest is built, measured (``Table._calc``: ``_calcSpanRanges``, ``_calcSpanRects``, every
row's position) and its style commands re-split again on every page, so a table of n rows costs
O(n²) — the printed plan of a city has per-source dispatch lists of > 18,000 rows.

:class:`WindowedTable` holds all the rows of such a table but only ever builds a reportlab table
of the next :data:`WINDOW_ROWS` rows (always more than a page holds; grown if not) and lets
reportlab split that window; the part that fits is reportlab's own, and the rest is a new
window over the remaining rows. What reportlab would carry to the rest — the style commands
(GRID/BOX split into lines, spans, the repeated header rows' commands) — is carried by
reportlab's own functions (``Table._splitLineCmds``, ``_cr_0``, ``_cr_1_1``) applied to the
table-wide commands only; single-row backgrounds (the zebra stripes) are kept once, by row,
and taken per window, in their original order. Column widths are fixed, so a row's height does
not depend on other rows: each row is measured once and the height kept for later windows, as
reportlab keeps it for the rest of a table. The caption row of a :class:`CaptionTable` repeats
as 续表 on continued pages, with the first page's caption row height, as reportlab repeats it.

The pages are the same as without windows (``tests/test_report_longtable.py`` compares the
drawn parts, the page text and the page drawing commands of both). Tables this cannot window
(row heights or widths not given as numbers, row spans or NOSPLIT, special rows, in-row splits,
repeated columns) are left to reportlab as they are.
"""
from __future__ import annotations

from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, LongTable, Table

#: data rows in a window: more than any page holds (a page holds ≈ 50 rows of 8 pt text); a
#: window lower than a page is grown. 0 or less: tables are not windowed.
WINDOW_ROWS = 120
_PAGE_H = max(A4)


class CaptionTable(LongTable):
    """A table whose first row is its caption (表 x-y …): on every continued page the caption row
    is repeated as 续表 x-y … (the header rows repeat as usual)."""

    continued_caption: Any = None

    def split(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        parts = super().split(availWidth, availHeight)
        if len(parts) > 1 and self.continued_caption is not None:
            for part in parts[1:]:
                row = list(part._cellvalues[0])
                row[0] = self.continued_caption
                part._cellvalues[0] = row
                part.continued_caption = self.continued_caption
        return parts


class _Cmds:
    """A table's style commands without its cells: what reportlab's split functions read and
    write (they touch only these attributes)."""

    _addCommand = Table._addCommand
    _splitLineCmds = Table._splitLineCmds
    _cr_1_1 = Table._cr_1_1
    _cr_1_0 = Table._cr_1_0

    def __init__(self, ncols: int, nrows: int, lines: list[Any] | None = None):
        self._ncols = ncols
        self._nrows = nrows
        self._linecmds: list[Any] = list(lines or [])
        self._bkgrndcmds: list[Any] = []
        self._spanCmds: list[Any] = []
        self._nosplitCmds: list[Any] = []
        self._srflcmds: list[Any] = []
        self._sircmds: list[Any] = []
        self._rowSplitRange = None

    def carry(self, n: int, nrows: int, hr: int, cmds: list[Any], bkgrnd: bool = False) -> None:
        """Add ``cmds`` as reportlab's split gives them to the rest of a table of ``nrows`` rows
        split before row ``n`` (``hr`` repeated header rows)."""
        if hr:
            self._cr_1_1(n, nrows, list(range(hr)), cmds, 0, _srflMode=bkgrnd)
        else:
            self._cr_1_0(n, cmds, 0, _srflMode=bkgrnd)


class _Source:
    """What every window of one table shares: its rows, cell styles, known row heights, and its
    single-row background commands by row."""

    def __init__(self, t: Table):
        self.cls = t.__class__
        self.rows: list[list[Any]] = t._cellvalues
        self.styles: list[list[Any]] = t._cellStyles
        self.widths = list(t._argW)
        self.heights: list[float | None] = [None] * t._nrows     # measured once, kept
        self.hr: int = t.repeatRows
        self.ncols: int = t._ncols
        self.lto = t._longTableOptimize
        self.h_align, self.v_align = t.hAlign, t.vAlign
        self.space_before = getattr(t, "spaceBefore", None)
        self.space_after = getattr(t, "spaceAfter", None)
        self.continued = getattr(t, "continued_caption", None)
        self.head_heights: list[float] | None = None   # the first window's header rows, repeated as measured
        self.local: dict[int, list[tuple[int, Any]]] = {}
        self.wide_bkgrnd: list[tuple[int, Any]] = []
        for seq, c in enumerate(t._bkgrndcmds):
            (_sc, sr), (_ec, er) = c[1:3]
            if isinstance(sr, int) and sr == er and self.hr <= sr < t._nrows:
                self.local.setdefault(sr, []).append((seq, c))
            else:
                self.wide_bkgrnd.append((seq, c))


class _Rest:
    """The rest of the table after ``done`` data rows: its row count and table-wide commands as
    reportlab would have them (single-row backgrounds are in the source, by row)."""

    def __init__(self, first: bool, done: int, nrows: int, lines: list[Any], bkgrnd: list[tuple[int, Any]],
                 spans: list[Any]):
        self.first, self.done, self.nrows = first, done, nrows
        self.lines, self.bkgrnd, self.spans = lines, bkgrnd, spans


def can_window(t: Any) -> bool:
    """A long table this module can lay out in windows (else reportlab's own split is used)."""
    if WINDOW_ROWS <= 0 or not isinstance(t, LongTable) or not isinstance(t.repeatRows, int):
        return False
    if t._nrows - t.repeatRows <= WINDOW_ROWS:
        return False
    if any(h is not None for h in t._argH) or not all(isinstance(w, (int, float)) for w in t._argW):
        return False
    if t._nosplitCmds or t._srflcmds or t._sircmds or t.splitInRow or not t.splitByRow or t.repeatCols:
        return False
    if getattr(t, "_rowSplitRange", None) or getattr(t, "_minRowHeights", None) or t.ident:
        return False
    if getattr(t, "_cornerRadii", None) or getattr(t, "_shadow", None) or getattr(t, "_renderCB", None):
        return False
    for c in t._linecmds + t._bkgrndcmds + t._spanCmds:
        if isinstance(c[1][1], str) or isinstance(c[2][1], str):
            return False
    for c in t._spanCmds:
        (_sc, sr), (_ec, er) = c[1:3]
        if sr != er:                 # a row span: the split rows and heights depend on other rows
            return False
    return True


def windowed(t: Any) -> Any:
    """``t`` as a :class:`WindowedTable` when it is a long table that can be windowed, else ``t``."""
    if not can_window(t):
        return t
    src = _Source(t)
    rest = _Rest(True, 0, t._nrows, list(t._linecmds), list(src.wide_bkgrnd), list(t._spanCmds))
    return WindowedTable(src, rest, WINDOW_ROWS)


class WindowedTable(Flowable):
    """The rest of a long table, laid out a window of rows at a time (see the module)."""

    def __init__(self, src: _Source, rest: _Rest, rows: int):
        super().__init__()
        self._src = src
        self._rest = rest
        self._rows = rows
        self._win: Any = None
        self._cut = False
        self.hAlign, self.vAlign = src.h_align, src.v_align

    # -- the window ----------------------------------------------------------------------------
    def _window(self) -> Any:
        if self._win is not None:
            return self._win
        src, rest = self._src, self._rest
        hr = src.hr
        left = rest.nrows - hr                     # data rows still to lay out
        k = min(self._rows, left)
        self._cut = k < left
        lo = hr + rest.done                        # the window's first data row in the source
        if hr and rest.first:
            head = src.rows[:hr]
        elif hr:
            row0 = list(src.rows[0])
            if src.continued is not None:
                row0[0] = src.continued
            head = [row0, *src.rows[1:hr]]
        else:
            head = []
        heights = ([None] * hr if rest.first or src.head_heights is None else list(src.head_heights)) \
            + src.heights[lo:lo + k]
        win = src.cls(head + src.rows[lo:lo + k], colWidths=src.widths, rowHeights=heights, repeatRows=hr,
                      splitByRow=1, splitInRow=0, normalizedData=1, cellStyles=src.styles[:hr] + src.styles[lo:lo + k],
                      longTableOptimize=src.lto,
                      spaceBefore=src.space_before if rest.first else None, spaceAfter=src.space_after)
        win.hAlign, win.vAlign = src.h_align, src.v_align
        if src.continued is not None:
            win.continued_caption = src.continued
        # the background commands in their original order: table-wide ones as carried so far, the
        # window's single-row ones moved to the rest's rows
        bk = list(rest.bkgrnd)
        for t in range(lo, lo + k):
            for seq, c in src.local.get(t, ()):
                bk.append((seq, (c[0], (c[1][0], t - rest.done), (c[2][0], t - rest.done), *c[3:])))
        bk.sort(key=lambda sc: sc[0])
        bkgrnd = [c for _s, c in bk]
        if self._cut:
            # the window is the rest's first part, as reportlab makes it when it splits the rest
            n = hr + k
            win._cr_0(n, _Cmds(src.ncols, rest.nrows, rest.lines)._splitLineCmds(n), rest.nrows, 0)
            win._cr_0(n, bkgrnd, rest.nrows, 0, _srflMode=True)
            win._cr_0(n, rest.spans, rest.nrows, 0)
        else:
            # the window is the whole rest
            win._linecmds = list(rest.lines)
            win._bkgrndcmds = bkgrnd
            win._spanCmds = list(rest.spans)
        self._win = win
        return win

    def _measured(self, win: Any) -> None:
        """Keep the heights the window measured (each row is measured once)."""
        src, rest = self._src, self._rest
        hs = win._rowHeights
        if rest.first and src.head_heights is None and None not in hs[:src.hr]:
            src.head_heights = list(hs[:src.hr])
        lo = src.hr + rest.done
        for i, h in enumerate(hs[src.hr:]):
            if h is not None:
                src.heights[lo + i] = h

    def _grow(self) -> None:
        self._rows *= 2
        self._win = None

    def _lend(self, win: Any) -> None:
        for a in ("canv", "_frame"):
            if hasattr(self, a):
                setattr(win, a, getattr(self, a))

    @staticmethod
    def _unlend(win: Any) -> None:
        for a in ("canv", "_frame"):
            if hasattr(win, a):
                delattr(win, a)

    def _fitted(self, aw: float, ah: float) -> tuple[Any, float, float]:
        """The window wrapped in (aw, ah); a cut window lower than a page is grown first."""
        while True:
            win = self._window()
            self._lend(win)
            try:
                w, h = win.wrap(aw, ah)
            finally:
                self._unlend(win)
            self._measured(win)
            if self._cut and h <= min(ah, _PAGE_H):
                self._grow()
                continue
            return win, w, h

    # -- the flowable --------------------------------------------------------------------------
    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        _win, w, h = self._fitted(availWidth, availHeight)
        self.width, self.height = w, h
        return w, h

    def split(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        while True:
            win, _w, _h = self._fitted(availWidth, availHeight)
            self._lend(win)
            try:
                parts = win.split(availWidth, availHeight)
            finally:
                self._unlend(win)
            self._measured(win)
            if not self._cut or not parts:
                return parts                 # the whole rest: exactly reportlab's split
            if len(parts) == 1:              # the cut window fits: never cut a table at a window's edge
                self._grow()
                continue
            first = parts[0]
            return [first, WindowedTable(self._src, self._advance(first._nrows), self._rows)]

    def _advance(self, n: int) -> _Rest:
        """The rest after the first ``n`` rows of this rest (header rows included) are laid out."""
        src, rest = self._src, self._rest
        nrows = rest.nrows
        new = _Cmds(src.ncols, src.hr + nrows - n)
        new.carry(n, nrows, src.hr, _Cmds(src.ncols, nrows, rest.lines)._splitLineCmds(n))
        new.carry(n, nrows, src.hr, rest.spans)
        bkgrnd: list[tuple[int, Any]] = []
        for seq, c in rest.bkgrnd:
            one = _Cmds(src.ncols, nrows)
            one.carry(n, nrows, src.hr, [c], bkgrnd=True)
            bkgrnd.extend((seq, x) for x in one._bkgrndcmds)
        return _Rest(False, rest.done + n - src.hr, new._nrows, new._linecmds, bkgrnd, new._spanCmds)

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802, N803 - reportlab's names
        # only the whole rest can fit a frame (a cut window never does): it draws as reportlab's table
        self._window().drawOn(canvas, x, y, _sW)

    def getSpaceBefore(self):  # noqa: N802 - reportlab's names
        return self._window().getSpaceBefore()

    def getSpaceAfter(self):  # noqa: N802 - reportlab's names
        return self._window().getSpaceAfter()

    def identity(self, maxLen=None):  # noqa: N803 - reportlab's names
        return self._window().identity(maxLen)
