"""The printed plan: an A4 PDF built with reportlab platypus from a :class:`ReportData`.

The structure follows a county 应急避难场所专项规划 and 应急物资保障（调配）方案 (the 2023
编制指南's content areas, ../shared/reference/plan-document.md): cover (编制单位, 规划期限, 文号,
编制/审核/批准), 目录, 一 总则, 二 现状评价, 三 风险与情景, 四 避难需求测算, 五 避难场所布局,
六 物资储备, 七 调配方案, 八 投资估算, 九 实施安排与保障措施, 十 情景对比 (when asked), then
附录 (manifests, dispatch lists, 名录, parameters and sources, 编制说明). Chapters start on a new
page; tables are numbered 表 x-y with 续表 on continued pages, figures 图 x-y.

Every figure comes from the run's typed result (:mod:`planner.engine.results`); an unknown figure
prints as 数据缺失 / 无法评估 with what is missing, never 0. Chinese text is broken by
:mod:`planner.report.typeset` (避头尾, no break inside codes, numbers with units, Latin words).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from planner import text as tx
from planner.engine.results import Check, Finding, TownItemSupply, TypedResult, typed
from planner.plan_document import period_text
from planner.plan_figures import RULES
from planner.progress import Span, tell
from planner.report import fmt
from planner.report.data import ReportData
from planner.report.fonts import has_glyphs, register_cjk_font, register_serif_font
from planner.report.longtable import CaptionTable, windowed
from planner.report.typeset import ZhParagraph, nobr, strip_joiners

PAGE_W, PAGE_H = A4
MARGIN_L = MARGIN_R = 20 * mm
MARGIN_T, MARGIN_B = 24 * mm, 20 * mm
BODY_W = PAGE_W - MARGIN_L - MARGIN_R

C = colors.HexColor
INK = C("#1A1A1A")
ACCENT = C("#1F3A5F")        # headings, rules
HEAD_BG = C("#DDE4EC")
ZEBRA = C("#F5F7FA")
GRID = C("#9AA7B4")
OK = C("#1B7F3B")
BAD = C("#C62828")
WARN = C("#B26A00")
MUTED = C("#5F6B76")

ZH_NUM = "一二三四五六七八九十"
TOTAL_FORM = "esplanTotalPages"
#: an unmet quantity below this share of the need (or below what the table prints) is rounding, not a gap
UNMET_TOL = 1e-3


def _hex(c: Any) -> str:
    return "#" + c.hexval()[2:]


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_MARKUP = re.compile(r"(<[^>]*>|&[A-Za-z#0-9]+;)")


def _esc(s: Any) -> str:
    s = "" if s is None else str(s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def zh_num(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一 (chapter and appendix numbers)."""
    if n <= 10:
        return ZH_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return (ZH_NUM[tens - 1] if tens > 1 else "") + "十" + (ZH_NUM[ones - 1] if ones else "")


class _Canvas(Canvas):
    """Defines the 'total pages' form at save time (pages reference it before it exists)."""

    font_name = "Helvetica"
    #: bookmark key → the page it landed on (filled while laying out; the 目录's numbers)
    pages: dict[str, int] = {}

    def save(self):
        total = self.getPageNumber() - 1
        self.beginForm(TOTAL_FORM, 0, -2, 40, 12)
        self.setFont(self.font_name, 8)
        self.setFillColor(MUTED)
        self.drawCentredString(_SLOT / 2, 0, str(total))
        self.endForm()
        for key, page in self.pages.items():      # each 目录 line's page number, known only now
            self.beginForm(_toc_form(key), -_TOC_NUM_W, -3, 0, 14)
            self.setFont(self.font_name, 10)
            self.setFillColor(INK)
            self.drawRightString(0, 0, str(page))
            self.endForm()
        super().save()


_TOC_NUM_W = 30.0


def _toc_form(key: str) -> str:
    return f"esplanToc{key}"


class _TocLine(Flowable):
    """One line of the 目录: the heading's title, a dotted leader and its page number. The number
    is a PDF form the canvas defines at save time, when every page is known, so the document is
    laid out once (reportlab's TableOfContents needs a second full layout pass)."""

    def __init__(self, title: Paragraph, key: str, indent: float, font: str, size: float):
        super().__init__()
        self.title, self.key, self.indent, self.font, self.size = title, key, indent, font, size

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        self.width = availWidth
        _w, h = self.title.wrap(availWidth - self.indent - _TOC_NUM_W - 10, availHeight)
        self.height = h
        return self.width, h

    def draw(self) -> None:
        c = self.canv
        self.title.drawOn(c, self.indent, 0)
        lines = getattr(self.title, "blPara", None)
        last = lines.lines[-1] if lines is not None and lines.lines else None
        used = self.title.width - (getattr(last, "extraSpace", 0) or 0) if last is not None else self.title.width
        x0 = self.indent + used + 4
        x1 = self.width - _TOC_NUM_W
        c.saveState()
        c.setFont(self.font, self.size)
        c.setFillColor(MUTED)
        dot = stringWidth(".", self.font, self.size) * 2.2
        x = x0
        base = self.size * 0.25
        while x < x1 - 2:
            c.drawString(x, base, ".")
            x += dot
        c.restoreState()
        c.saveState()
        c.translate(self.width, base)
        c.doForm(_toc_form(self.key))
        c.restoreState()


_SLOT = 14.0  # width reserved for the total page count


class _Doc(BaseDocTemplate):
    def __init__(self, filename, builder: _Builder, **kw):
        self.builder = builder
        super().__init__(filename, **kw)

    def beforeDocument(self):
        self.builder.page_fill = {}
        self.builder.chapter_pages = set()

    def afterPage(self):
        """How full the page's frame is (0–1): the layout test keeps pages at least half full,
        except the page before a chapter."""
        f = self.frame
        self.builder.page_fill[self.page] = (f._y1 + f._height - f._y) / f._height if f._height else 1.0

    def afterFlowable(self, flowable):
        mark = getattr(flowable, "_esplan_bookmark", None)
        if mark is not None:
            key, title, level = mark
            if level == 0:
                self.builder.chapter_pages.add(self.page)
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(strip_joiners(title), key, level=level, closed=level > 0)
            if level <= 1 and getattr(flowable, "_esplan_toc", True):
                _Canvas.pages[key] = self.page
        self.builder._tick()


class _Builder:
    def __init__(self, data: ReportData, progress: Any = None, span: tuple[float, float] = (0.0, 1.0)):
        self.d = data
        self.r: TypedResult = typed(data.result)
        self.lang = data.lang
        self.font = register_cjk_font()                  # sans: headings, captions, table heads
        # serif (宋体-like) running text and table cells in Chinese; its Latin letters are fixed-width,
        # so the English edition keeps the sans face throughout
        self.body_font = (register_serif_font() if data.lang == "zh" else None) or self.font
        self._body_cmap = self._cmap(self.body_font)
        self.progress = progress
        self.span = span
        self.marks_ok = has_glyphs("✔✘", self.font)
        self.story: list[Any] = []
        self.n_bookmarks = 0
        self.h1_count = 0
        self.h2_count = 0
        self.appendix_count = 0
        self.chapter_tag = ""        # "3" or "附录一": what tables and figures are numbered by
        self.n_table = 0
        self.n_figure = 0
        self._n_flow = 1
        self._k_flow = 0
        self.toc_at: int | None = None
        self.page_fill: dict[int, float] = {}       # page → share of its frame filled
        self.chapter_pages: set[int] = set()          # pages a chapter or appendix starts on
        self._styles()

    @staticmethod
    def _cmap(name: str) -> Any:
        from reportlab.pdfbase import pdfmetrics

        return pdfmetrics.getFont(name).face.charToGlyph

    def fallback(self, text: str) -> str:
        """``text`` (paragraph markup) with every run of characters the body face lacks (rare
        names outside GB 2312, ✔ ✘) set in the sans face, so no glyph is ever missing."""
        if self.body_font == self.font:
            return text
        cmap = self._body_cmap
        if all(ord(ch) in cmap or ch in "\u2060\n " for ch in text):
            return text
        out = []
        for part in _MARKUP.split(text):
            if not part or part[0] in "<&":
                out.append(part)
                continue
            run: list[str] = []
            for ch in part:
                miss = ord(ch) not in cmap and ch not in "\u2060 "
                if miss:
                    run.append(ch)
                    continue
                if run:
                    out.append(f'<font face="{self.font}">{"".join(run)}</font>')
                    run = []
                out.append(ch)
            if run:
                out.append(f'<font face="{self.font}">{"".join(run)}</font>')
        return "".join(out)

    def body_missing(self, text: str) -> bool:
        cmap = self._body_cmap
        return self.body_font != self.font and any(ord(ch) not in cmap and ch not in "\u2060 " for ch in text)

    # -- styles ---------------------------------------------------------------------------------
    def _styles(self) -> None:
        f = self.font
        bf = self.body_font
        wrap = "CJK" if self.lang == "zh" else None
        base = dict(fontName=bf, textColor=INK, wordWrap=wrap)
        self.s_body = ParagraphStyle("body", fontSize=10, leading=17, spaceAfter=5,
                                     firstLineIndent=20 if self.lang == "zh" else 0, **base)
        self.s_plain = ParagraphStyle("plain", parent=self.s_body, firstLineIndent=0)
        self.s_small = ParagraphStyle("small", fontSize=8, leading=11.5, textColor=MUTED, fontName=bf,
                                      wordWrap=wrap, spaceAfter=3)
        self.s_note = ParagraphStyle("note", fontSize=8.5, leading=12.5, fontName=bf, wordWrap=wrap,
                                     textColor=INK, backColor=C("#FFF8E6"), borderColor=C("#E0C27A"),
                                     borderWidth=0.6, borderPadding=(4, 5, 4, 5), spaceBefore=4, spaceAfter=8)
        self.s_h1 = ParagraphStyle("h1", fontSize=16, leading=22, textColor=ACCENT, spaceBefore=4,
                                   spaceAfter=8, keepWithNext=1, fontName=f, wordWrap=wrap)
        # no keepWithNext: it glues a heading to a whole table and pushes both to the next page,
        # leaving the page half blank; a CondPageBreak before each heading keeps it off the page foot
        self.s_h2 = ParagraphStyle("h2", fontSize=12, leading=17, textColor=ACCENT, spaceBefore=10,
                                   spaceAfter=5, fontName=f, wordWrap=wrap)
        self.s_h3 = ParagraphStyle("h3", fontSize=10, leading=14, textColor=INK, spaceBefore=6,
                                   spaceAfter=3, fontName=f, wordWrap=wrap)
        self.s_caption = ParagraphStyle("caption", fontSize=9, leading=12, textColor=INK, alignment=TA_CENTER,
                                        fontName=f, wordWrap=wrap)
        self.s_cell = ParagraphStyle("cell", fontSize=8, leading=10.2, fontName=bf, wordWrap=wrap, textColor=INK)
        self.s_cell_r = ParagraphStyle("cellr", parent=self.s_cell, alignment=TA_RIGHT)
        self.s_cell_c = ParagraphStyle("cellc", parent=self.s_cell, alignment=TA_CENTER)
        self.s_head = ParagraphStyle("head", fontSize=8, leading=10.2, fontName=f, wordWrap=wrap,
                                     textColor=ACCENT, alignment=TA_CENTER)
        self.s_title = ParagraphStyle("title", fontSize=24, leading=34, alignment=TA_CENTER, textColor=INK,
                                      fontName=f, wordWrap=wrap)
        self.s_subtitle = ParagraphStyle("subtitle", fontSize=14, leading=20, alignment=TA_CENTER,
                                         textColor=INK, fontName=f, wordWrap=wrap)
        self.s_cover_small = ParagraphStyle("coversmall", fontSize=12, leading=18, alignment=TA_CENTER,
                                            textColor=INK, fontName=f, wordWrap=wrap)
        self.s_docno = ParagraphStyle("docno", fontSize=11, leading=16, alignment=TA_RIGHT, textColor=INK,
                                      fontName=f, wordWrap=wrap)
        self.s_toc1 = ParagraphStyle("toc1", fontSize=10.5, leading=17, fontName=f, leftIndent=0,
                                     firstLineIndent=0, wordWrap=wrap)
        self.s_toc2 = ParagraphStyle("toc2", fontSize=9.5, leading=14, fontName=f, leftIndent=0,
                                     firstLineIndent=0, textColor=C("#333333"), wordWrap=wrap)

    # -- helpers -------------------------------------------------------------------------------
    def t(self, key: str, **args: Any) -> str:
        """The catalogue text ``key`` (planner.text) in the report's language."""
        return tx.text(key, self.lang, **args)

    def _tick(self) -> None:
        self._k_flow += 1
        if self.progress is None or self._k_flow % 25:
            return
        tell(Span(self.progress, *self.span), min(1.0, self._k_flow / max(1, self._n_flow)),
             self.t("report.laying_out_pages"))

    def para(self, text: str, style: ParagraphStyle) -> Paragraph:
        """A paragraph: Chinese line breaking for CJK styles; word joiners dropped elsewhere."""
        if style.fontName == self.body_font:
            text = self.fallback(text)
        if style.wordWrap == "CJK":
            return ZhParagraph(text, style)
        return Paragraph(strip_joiners(text), style)

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return self.para(text, style or self.s_body)

    def add(self, *flowables: Any) -> None:
        self.story.extend(flowables)

    def _bookmark(self, flow: Any, title: str, level: int, toc: bool = True) -> Any:
        self.n_bookmarks += 1
        flow._esplan_bookmark = (f"sec{self.n_bookmarks}", title, level)
        flow._esplan_toc = toc
        return flow

    def h1(self, key: str, new_page: bool = True, **args: Any) -> None:
        self.h1_count += 1
        self.h2_count = 0
        n = self.h1_count
        self.chapter_tag = str(n)
        self.n_table = self.n_figure = 0
        head = self.t(key, **args)
        title = f"{zh_num(n)}、{head}" if self.lang == "zh" else f"{n}. {head}"
        if new_page:
            self.add(PageBreak())
        para = self._bookmark(self.p(_esc(title), self.s_h1), title, 0)
        self.add(para, HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=0, spaceAfter=8))

    def appendix(self, key: str) -> None:
        self.appendix_count += 1
        k = self.appendix_count
        self.h2_count = 0
        self.n_table = self.n_figure = 0
        self.chapter_tag = self.t("doc.appendix_num", n=k)           # tables 表附1-1, figures 图附1-1
        tag = self.t("doc.appendix_tag", n=zh_num(k) if self.lang == "zh" else k)
        title = self.t("doc.appendix_title", tag=tag, title=self.t(key))
        self.add(PageBreak(), self._bookmark(self.p(_esc(title), self.s_h1), title, 0),
                 HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=0, spaceAfter=8))

    def h2(self, key: str, **args: Any) -> None:
        self.h2_count += 1
        k = self.h2_count
        head = self.t(key, **args)
        title = f"（{zh_num(k)}）{head}" if self.lang == "zh" else f"{self.chapter_tag}.{k} {head}"
        self.add(CondPageBreak(110), self._bookmark(self.p(_esc(title), self.s_h2), title, 1))

    def h3(self, text: str) -> None:
        self.add(CondPageBreak(80), self.p(text, self.s_h3))

    def mark(self, passed: bool | None) -> str:
        """达标 / 未达标 / 无法评估 as a symbol and a word (never colour alone)."""
        if passed is None:
            sym = "△"
            return f'<font color="{_hex(WARN)}">{sym}{self.t("report.unknown")}</font>'
        if passed:
            sym = "✔ " if self.marks_ok else "○ "
            return f'<font color="{_hex(OK)}">{sym}{self.t("report.pass")}</font>'
        sym = "✘ " if self.marks_ok else "× "
        return f'<font color="{_hex(BAD)}">{sym}{self.t("report.fail")}</font>'

    def caption_text(self, kind: str, title: str, continued: bool = False) -> str:
        """表 3-1 … / 续表 3-1 … / 图 2-1 …"""
        if kind == "table":
            self_n = self.n_table
            key = "doc.table_continued" if continued else "doc.table_caption"
        else:
            self_n = self.n_figure
            key = "doc.figure_caption"
        return self.t(key, tag=self.chapter_tag, n=self_n, title=title)

    def _head_cell(self, h: Any) -> Any:
        if not isinstance(h, str):
            return h
        if self.lang == "zh":
            # a header breaks only before its unit "（…）" or at a space: words stay whole
            parts = re.split(r"(?=（)|(?<=）)| ", h)
            h = "".join(nobr(x) if "<" not in x else x for x in parts if x)
        return self.para(_esc(h) if "<" not in h else h, self.s_head)

    def table(self, header: list[str], rows: list[list[Any]], widths: list[float], *,
              align: str | None = None, total_row: bool = False, long: bool | None = None,
              style_extra: list[tuple] | None = None, head_rows: int = 1, font_size: float = 8.0,
              header_cells: list[list[Any]] | None = None, zebra: bool = True,
              caption: str | None = None) -> Table:
        """A table with a shaded header repeated on every page; cells: str → Paragraph.

        ``align``: one letter per column, l / r / c (numbers right-aligned). ``caption``: the
        table's title, printed above it as 表 x-y and on continued pages as 续表 x-y.
        """
        align = align or "l" * len(header)
        styles = {"l": self.s_cell, "r": self.s_cell_r, "c": self.s_cell_c}
        if font_size != 8.0:
            styles = {k: ParagraphStyle(f"{v.name}{font_size}", parent=v, fontSize=font_size,
                                        leading=font_size * 1.28) for k, v in styles.items()}
        latin = {k: ParagraphStyle(f"{v.name}-latin", parent=v, wordWrap=None) for k, v in styles.items()}
        cjk = {k: ParagraphStyle(f"{v.name}-cjk", parent=v, wordWrap="CJK") for k, v in styles.items()}
        body: list[list[Any]] = []
        cap_rows = 0
        cont = None
        if caption:
            self.n_table += 1
            cap_rows = 1
            body.append([self.para(_esc(self.caption_text("table", caption)), self.s_caption)]
                        + [""] * (len(widths) - 1))
            cont = self.para(_esc(self.caption_text("table", caption, continued=True)), self.s_caption)
        if header_cells is not None:
            body.extend(header_cells)
        else:
            body.append([self._head_cell(h) for h in header])
        for r in rows:
            out = []
            for k, v in enumerate(r):
                if isinstance(v, str):
                    plain = strip_joiners(v)
                    if "<" not in v and "&" not in v and not self.body_missing(plain) and \
                            stringWidth(plain, self.body_font, font_size) <= widths[k] - 7:
                        out.append(plain)     # fits on one line: a plain cell is much faster than a Paragraph
                    elif _CJK.search(v):
                        out.append(ZhParagraph(self.fallback(v), cjk[align[k]]))
                    else:
                        out.append(Paragraph(self.fallback(plain), latin[align[k]]))
                elif v is None:
                    out.append("")
                else:
                    out.append(v)
            body.append(out)
        hr = head_rows + cap_rows
        if long is None:
            long = len(rows) > 25
        if caption:
            t: Table = CaptionTable(body, colWidths=widths, repeatRows=hr, hAlign="LEFT")
            t.continued_caption = cont
        else:
            t = (LongTable if long else Table)(body, colWidths=widths, repeatRows=hr, hAlign="LEFT")
        st: list[tuple] = [
            ("FONT", (0, 0), (-1, -1), self.body_font, font_size),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("GRID", (0, cap_rows), (-1, -1), 0.35, GRID),
            ("BOX", (0, cap_rows), (-1, -1), 0.8, ACCENT),
            ("TOPPADDING", (0, 0), (-1, -1), 2.2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        if hr:
            st.append(("FONT", (0, 0), (-1, hr - 1), self.font, font_size))    # caption and head: sans
        if cap_rows:
            st += [("SPAN", (0, 0), (-1, 0)), ("BOTTOMPADDING", (0, 0), (-1, 0), 4)]
        for k, a in enumerate(align):
            if a in "rc":
                st.append(("ALIGN", (k, hr), (k, -1), "RIGHT" if a == "r" else "CENTER"))
        if head_rows:
            st += [("BACKGROUND", (0, cap_rows), (-1, hr - 1), HEAD_BG),
                   ("LINEBELOW", (0, hr - 1), (-1, hr - 1), 0.8, ACCENT)]
        n = len(rows)
        for i in range(hr, hr + n - (1 if total_row else 0)):
            if zebra and (i - hr) % 2 == 1:
                st.append(("BACKGROUND", (0, i), (-1, i), ZEBRA))
        if total_row and n:
            st += [("BACKGROUND", (0, -1), (-1, -1), HEAD_BG), ("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)]
        if style_extra:
            st += [(a, (b[0], b[1] + cap_rows if b[1] >= 0 else b[1]), (c[0], c[1] + cap_rows if c[1] >= 0 else c[1]),
                    *rest) for a, b, c, *rest in style_extra]
        t.setStyle(TableStyle(st))
        return t

    def figure(self, drawing: Any, title: str, before: list[Any] | None = None,
               after: list[Any] | None = None) -> None:
        """A drawing with its caption 图 x-y below, kept together with ``before`` (its heading)
        and ``after`` (its notes)."""
        self.n_figure += 1
        cap = self.para(_esc(self.caption_text("figure", title)), self.s_caption)
        self.add(KeepTogether([*(before or []), drawing, Spacer(1, 3), cap, Spacer(1, 4), *(after or [])]))

    def widths(self, *fractions: float) -> list[float]:
        s = sum(fractions)
        return [BODY_W * f / s for f in fractions]

    def scen_label(self, name: str | None) -> str:
        if not name or name == "baseline":
            return self.t("report.baseline")
        return name

    def bold(self, s: str) -> str:
        return f'<font color="{_hex(ACCENT)}">{s}</font>'

    def unit(self, u: Any) -> str:
        return fmt.unit_label(u, self.lang)

    def people(self, x: Any) -> str:
        return fmt.people(x, self.lang)

    def supply_people(self) -> str:
        """保障人口 as printed: unknown (not set, and no population to default to) says so."""
        v = self.r.summary.supply_population
        return self.people(v) if v is not None else self.missing(self.t("doc.missing_no_population"))

    def missing(self, what: str) -> str:
        """数据缺失（what）: a figure that cannot be given, with what is missing."""
        return f'<font color="{_hex(WARN)}">{_esc(self.t("doc.missing", what=what))}</font>'

    def iso_state(self) -> tuple[bool, str | None]:
        """Can isolation be judged? (False, reason) without roads or without any stocked source."""
        if not self.d.inp.roads.n_edges:
            return False, "no_roads"
        if not (self.r.isolation_info.open_sources or 0):
            return False, "no_sources"
        return True, None

    def not_judged(self) -> list[Any]:
        """Units isolation could not judge (no coordinates, off the driving network)."""
        return [u for u in self.r.isolation if u.status not in ("connected", "isolated")]

    @property
    def title(self) -> str:
        d = self.d
        if self.lang == "en":
            return d.document.get("title_en") or self.t("doc.default_title", district=d.district_name or "")
        return d.plan_name or self.t("report.emergency_plan")

    # -- page decoration -----------------------------------------------------------------------
    def on_body_page(self, canv: Canvas, doc: Any) -> None:
        d = self.d
        canv.saveState()
        canv.setFont(self.font, 8)
        canv.setFillColor(MUTED)
        top = PAGE_H - 14 * mm
        canv.drawString(MARGIN_L, top, _clip(self.title, 60))
        if d.result.scenario and d.result.scenario != "baseline":
            canv.drawRightString(PAGE_W - MARGIN_R, top,
                                 self.t("report.scenario") + _clip(self.scen_label(d.result.scenario), 40))
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(0.6)
        canv.line(MARGIN_L, top - 3, PAGE_W - MARGIN_R, top - 3)
        y = 11 * mm
        canv.setFillColor(MUTED)
        canv.setFont(self.font, 8.5)
        n = canv.getPageNumber()
        left, right = self.t("report.page_n_of", n=n), self.t("report.page_n_of.after")
        cx = PAGE_W / 2
        canv.drawRightString(cx - _SLOT / 2 - 1.5, y, left)
        if right:
            canv.drawString(cx + _SLOT / 2 + 1.5, y, right)
        canv.translate(cx - _SLOT / 2, y)
        canv.doForm(TOTAL_FORM)
        canv.restoreState()

    def on_cover_page(self, canv: Canvas, doc: Any) -> None:
        canv.saveState()
        canv.setFont(self.font, 9)          # the page's only font is the embedded one
        canv.setStrokeColor(BAD)
        canv.setLineWidth(1.6)
        canv.line(MARGIN_L, PAGE_H - 62 * mm, PAGE_W - MARGIN_R, PAGE_H - 62 * mm)
        canv.restoreState()

    # -- sections ------------------------------------------------------------------------------
    def build_story(self, map_result: Any, detail: Any = None) -> list[Any]:
        self.cover()
        self.add(NextPageTemplate("body"))
        self.contents()
        self.general()
        self.status_quo(map_result, detail)
        self.risk()
        self.demand()
        self.layout()
        self.reserves()
        self.dispatch()
        self.investment()
        self.implementation()
        if self.d.comparison:
            self.comparison(self.d.comparison)
        self.appendix_manifests()
        self.appendix_dispatch()
        self.appendix_directory()
        self.assumptions()
        self.sources()
        self._n_flow = max(1, len(self.story))
        # the 目录's lines: every chapter and section heading, known before the layout
        lines = []
        flat: list[Any] = []
        for f in self.story:
            flat.extend(f._content if isinstance(f, KeepTogether) else [f])
        for f in flat:
            mark = getattr(f, "_esplan_bookmark", None)
            if mark is not None and mark[2] <= 1 and getattr(f, "_esplan_toc", True):
                key, title, level = mark
                style = self.s_toc1 if level == 0 else self.s_toc2
                lines.append(_TocLine(self.para(_esc(strip_joiners(title)), style), key, 0 if level == 0 else 18,
                                      self.font, style.fontSize))
        if self.toc_at is not None:
            self.story[self.toc_at:self.toc_at] = lines
        # long tables are laid out a window of rows at a time: linear in their rows, same pages
        self.story = [windowed(f) for f in self.story]
        return self.story

    # -- cover and contents --------------------------------------------------------------------
    def cover(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        doc = d.document
        self.add(Spacer(1, 10 * mm))
        if doc.get("doc_number"):
            self.add(self.p(_esc(doc["doc_number"]), self.s_docno))
        else:
            self.add(Spacer(1, 16))
        self.add(Spacer(1, 22 * mm))
        self.add(Spacer(1, 8 * mm))
        if d.district_name and L == "zh":
            self.add(self.p(_esc(d.district_name), self.s_cover_small), Spacer(1, 5 * mm))
        self.add(self._bookmark(self.p(_esc(self.title), self.s_title), T("report.cover"), 0, toc=False))
        period = period_text(doc, L)
        if period:
            self.add(Spacer(1, 3 * mm), self.p(_esc(T("report.brackets", text=period)).strip(), self.s_subtitle))
        self.add(Spacer(1, 4 * mm))
        scen = self.scen_label(r.scenario)
        if r.scenario and r.scenario != "baseline":
            sub = T("doc.cover_scenario", scenario=_esc(scen))
            if d.scenario_description:
                sub += T("report.brackets", text=_esc(d.scenario_description))
            self.add(self.p(sub, self.s_subtitle))
        self.add(Spacer(1, 20 * mm))
        rows = [
            [T("doc.issuer"), _esc(doc.get("issuer")) or self.missing(T("doc.not_set"))],
            [T("doc.period"), _esc(period) if period else self.missing(T("doc.not_set"))],
            [T("report.date_2"), fmt.date_text(d.date, L)],
            [T("report.district"), _esc(" ".join(x for x in [d.district_name, d.district_code] if x) or "—")],
            [T("doc.supply_population"), self.supply_people()],
        ]
        if d.comparison:
            rows.insert(3, [T("report.compared_with"),
                            "、".join(_esc(self.scen_label(s)) for s in d.comparison["scenarios"]
                                     if s != r.scenario)])
        t = self.table(["", ""], [[self.bold(a), b] for a, b in rows], self.widths(28, 72), align="ll",
                       header_cells=[], head_rows=0, font_size=10.5, zebra=False,
                       style_extra=[("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                                    ("GRID", (0, 0), (-1, -1), 0, colors.white),
                                    ("BOX", (0, 0), (-1, -1), 0, colors.white),
                                    ("LINEBELOW", (1, 0), (1, -1), 0.5, GRID)])
        t.hAlign = "CENTER"
        self.add(t, Spacer(1, 12 * mm))
        n = len(r.checks)
        ok_n, failed, unknown = _counts(r)
        unk = T("report.cannot_be_assessed_missing_data", unknown=unknown) if unknown else ""
        if failed or unknown:
            verdict = T("report.result_of_checks_pass_fail", n=n, ok_n=ok_n, failed=failed, unk=unk)
        else:
            verdict = T("report.result_all_checks_pass", n=n)
        vs = ParagraphStyle("verdict", parent=self.s_subtitle, fontSize=11.5, leading=17,
                            borderColor=BAD if failed else (WARN if unknown else OK),
                            borderWidth=1, borderPadding=6, backColor=C("#FBFBFB"))
        self.add(self.p(verdict, vs), Spacer(1, 12 * mm))
        sign = [[T("report.prepared_by"), _esc(d.prepared_by or doc.get("prepared_by") or ""), "", ""],
                [T("report.reviewed_by"), _esc(doc.get("reviewed_by") or ""), "", ""],
                [T("report.approved_by"), _esc(doc.get("approved_by") or ""), "", ""]]
        head = [T("report.role"), T("report.name"), T("report.signature"), T("report.date")]
        st = self.table(head, sign, self.widths(18, 30, 30, 22), align="cccc", font_size=10, zebra=False,
                        style_extra=[("TOPPADDING", (0, 1), (-1, -1), 9), ("BOTTOMPADDING", (0, 1), (-1, -1), 9)])
        st.hAlign = "CENTER"
        self.add(st)

    def contents(self) -> None:
        self.add(PageBreak())
        title = self.t("doc.contents")
        self.add(self._bookmark(self.p(_esc(title), ParagraphStyle("tt", parent=self.s_h1, alignment=TA_CENTER)),
                                title, 0, toc=False), Spacer(1, 6))
        self.toc_at = len(self.story)       # its lines go here once every heading is known

    # -- 一 总则 -----------------------------------------------------------------------------------
    def general(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        self.h1("doc.ch.general")
        self.h2("doc.basis")
        self.add(self.p(T("doc.basis_intro")))
        basis = [T(f"doc.basis.{k}") for k in ("guide", "gb51143", "gbt44012", "gbt44013", "gb21734",
                                               "gbt35624", "gb50413", "gbt51327", "supplies2024")]
        basis += [x.strip() for x in (d.document.get("basis") or "").splitlines() if x.strip()]
        for k, b in enumerate(basis, 1):
            self.add(self.p(f"{k}．{_esc(b)}" if L == "zh" else f"{k}. {_esc(b)}", self.s_plain))
        self.h2("doc.scope")
        s = r.summary
        n_towns = len(d.towns)
        kinds = {"shelter": 0, "warehouse": 0, "reserve_point": 0}
        for x in d.directory:
            kinds[x["kind"]] = kinds.get(x["kind"], 0) + 1
        self.add(self.p(T("doc.scope_text", district=_esc(d.district_name or T("doc.this_district")),
                          towns=n_towns, units=len(r.units), shelters=kinds["shelter"],
                          warehouses=kinds["warehouse"], points=kinds["reserve_point"])))
        if s.units_unknown:
            self.add(self.p(T("doc.scope_units_unknown", n=s.units_unknown), self.s_small))
        self.h2("doc.period_h")
        period = period_text(d.document, L)
        if period:
            self.add(self.p(T("doc.period_text", period=_esc(period))))
        else:
            self.add(self.p(T("doc.period_unset"), self.s_note))
        self.h2("doc.targets")
        if s.supply_population is None:
            self.add(self.p(T("doc.targets_intro_unknown", thr=fmt.qty(r.threshold_min))))
        else:
            self.add(self.p(T("doc.targets_intro", thr=fmt.qty(r.threshold_min), people=self.supply_people())))
        rows = []
        seen_supply = False
        for c in r.checks:
            if c.id.startswith("supply_"):
                if seen_supply:
                    continue
                seen_supply = True
                name = T("doc.target_supply_all")
            else:
                name = c.name(L)
            rows.append([_esc(name), self.check_target(c.unit, c.target), _esc(self.target_source(c))])
        self.add(self.table([T("doc.indicator"), T("report.target"), T("doc.target_source")], rows,
                            self.widths(40, 14, 46), align="lrl", caption=T("doc.targets_table")))

    def target_source(self, c: Check) -> str:
        """Where a check's target comes from, in plain words of the report's language: the
        parameter the engine took the target from (its source string is the check's)."""
        params = self.d.result.parameters
        by_source = {p.get("source"): p for p in params}
        if c.target_source and c.target_source in by_source:
            return self.param_source(by_source[c.target_source])
        if c.id.startswith("supply_"):
            return self.param_source(next((p for p in params if p.get("name") == "horizon_h"), {}))
        return self.t("doc.source.engine")

    def param_source(self, p: dict[str, Any]) -> str:
        """A parameter's source as a reader says it (never the program's internal names)."""
        L = self.lang
        origin = p.get("origin")
        if origin == "norms":
            cite = p.get("cite_zh") if L == "zh" else p.get("cite_en")
            return cite or self.t("doc.source.norms_uncited")
        if origin == "plan":
            return self.t("doc.source.plan")
        if origin == "scenario":
            return self.t("doc.source.scenario", scenario=p.get("label") or "")
        if origin == "unset":
            rule = RULES.get(p.get("name") or "")
            return self.t(f"figure.rule.{rule}") if rule else self.t("doc.source.unset")
        if origin == "derived":
            return self.t(f"doc.source.derived.{p.get('name')}")
        if origin == "profile":
            return self.t("doc.source.profile")
        return self.t("doc.source.engine")

    # -- 二 现状评价 -----------------------------------------------------------------------------
    def key_figures(self) -> list[tuple[str, str]]:
        """The headline figures with what is unknown said, never printed as 0."""
        r = self.r
        T, L = self.t, self.lang
        s = r.summary
        thr = fmt.qty(r.threshold_min)
        unk_units = s.units_unknown or 0
        no_pop = unk_units and not (s.population or 0)
        shel_no_cap = sum(1 for sh in r.shelters if sh.open and (sh.capacity is None or sh.capacity_basis in
                                                                   (None, "unknown")))
        unlocated = [u for u in r.units if u.snap_status not in (None, "ok")]

        def ppl(v: Any) -> str:
            if no_pop:
                return self.missing(T("doc.missing_population", n=unk_units))
            out = self.people(v)
            if unk_units:
                out += T("report.brackets", text=T("doc.incomplete_units", n=unk_units))
            return out

        coverage_known = s.served_share is not None
        served = (f"{self.people(s.served)}{T('report.brackets', text=fmt.pct(s.served_share))}"
                  if coverage_known else self.missing(T("doc.missing_cannot_assess")))
        if shel_no_cap and not (s.shelter_capacity or 0):
            cap = self.missing(T("doc.missing_capacity", n=shel_no_cap))
        else:
            indoor = T("doc.indoor_of", v=self.people(s.indoor_capacity))
            cap = self.people(s.shelter_capacity) + T("report.brackets", text=indoor)
            if shel_no_cap:
                cap += T("report.brackets", text=T("doc.incomplete_capacity", n=shel_no_cap))
        if unlocated:
            known = [u.population for u in unlocated if u.population]
            not_loc = T("doc.units_n", n=len(unlocated)) + T("report.brackets", text=(
                T("doc.of_which_people", v=self.people(sum(known))) if known else T("doc.population_unknown")))
        else:
            not_loc = T("doc.none")
        unpriced = s.supply_shortfall_cost_unpriced or ()
        short_n = s.supply_items_short or 0
        if short_n and len(unpriced) >= short_n:
            cost = self.missing(T("doc.missing_prices", n=len(unpriced)))
        else:
            cost = fmt.money(s.supply_shortfall_cost, L)
            if unpriced:
                cost += T("report.brackets", text=T("doc.excl_unpriced", n=len(unpriced)))
        usable, why = self.iso_state()
        if not usable:
            isolated = self.missing(T(f"doc.isolation_unusable.{why}"))
        else:
            isolated = nobr(f"{fmt.integer(s.isolated_units)}{T('doc.unit_ge')}") + T(
                "report.brackets", text=self.people(s.isolated_population))
            nj = self.not_judged()
            if nj:
                isolated += T("report.brackets", text=T("doc.not_judged", n=len(nj)))
        delivered = (self.missing(T("doc.missing_population", n=unk_units)) if no_pop
                     else fmt.pct(s.allocation_shipped_share))
        return [
            (T("doc.kf.population"), ppl(s.population)),
            (T("report.sheltering_demand"), ppl(s.sheltering_demand)),
            (T("report.served_within_min", thr=thr), served),
            (T("report.reachable_shelters_full"),
             self.people(s.over_capacity) if coverage_known else self.missing(T("doc.missing_cannot_assess"))),
            (T("report.no_shelter_within_min", thr=thr),
             self.people(s.unreachable) if coverage_known else self.missing(T("doc.missing_cannot_assess"))),
            (T("report.not_located_off_network"), not_loc),
            (T("report.open_shelters"), nobr(f"{fmt.integer(s.open_shelters)}{T('doc.unit_place')}")),
            (T("report.capacity_indoor"), cap),
            (T("doc.supply_population"), self.supply_people()),
            (T("report.first_batch_delivered"), delivered),
            (T("report.items_short"), nobr(f"{fmt.integer(s.supply_items_short)}{T('doc.unit_kind')}")),
            (T("report.cost_of_shortfall"), cost),
            (T("report.units_cut_off_people"), isolated),
        ]

    def status_quo(self, m: Any, detail: Any) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        self.h1("doc.ch.status")
        thr = fmt.qty(r.threshold_min)
        mode = T("report.walking") if r.mode == "walk" else T("report.driving")
        self.add(self.p(T("report.the_plan_is_checked_against_the", thr=thr,
                          district_name=_esc(d.district_name or ""), mode=mode)))
        self.map_section(m, detail)
        self.h2("report.key_figures")
        kf = self.key_figures()
        rows = []
        for k in range(0, len(kf), 2):
            a = kf[k]
            b = kf[k + 1] if k + 1 < len(kf) else ("", "")
            rows.append([_esc(a[0]), a[1], _esc(b[0]), b[1]])
        self.add(self.table([T("report.figure"), T("report.value"), T("report.figure"), T("report.value")],
                            rows, self.widths(24, 26, 24, 26), align="lrlr", caption=T("doc.kf_table")))
        self.h2("report.checks_against_targets")
        rows = []
        for k, c in enumerate(r.checks, 1):
            value, passed = self.check_cell(c.unit, c.value, c.status)
            rows.append([str(k), _esc(c.name(L)), value, self.check_target(c.unit, c.target),
                         self.mark(passed), _esc(c.basis(L))])
        self.add(self.table([T("report.no"), T("report.check"), T("report.value_2"), T("report.target"),
                             T("report.result"), T("report.basis")], rows,
                            self.widths(6, 27, 11, 12, 12, 42), align="clrrcl", caption=T("doc.checks_table")))
        ok_n, failed, unknown = _counts(r)
        self.add(Spacer(1, 4), self.p(T("report.checks_pass_fail", n_checks=len(r.checks), ok_n=ok_n, failed=failed)
                                      + (T("report.cannot_be_assessed_missing_data_2", unknown=unknown) if unknown
                                         else T("report.full_stop")), self.s_small))
        self.shelters()
        self.problems()

    def check_cell(self, unit: str | None, v: Any, status: str | None) -> tuple[str, bool | None]:
        """A check's printed value and pass/fail/unknown, the two always agreeing: a value that
        cannot be computed is 无法评估 — except a time limit failed because some people have no
        shelter place at all (their time is unbounded), printed as such, never as a bare "—"."""
        if v is None:
            if unit == "min" and status == "fail":
                return self.t("check.value_no_place"), False
            return "—", None
        return self.check_value(unit, v), (None if status in (None, "unknown") else status == "pass")

    def check_value(self, unit: str | None, v: Any) -> str:
        """A check's value (or target) in its unit: share → %, min → 分钟."""
        if v is None:
            return "—"
        if unit == "share":
            return fmt.pct(v)
        if unit == "min":
            return fmt.minutes(v, self.lang)
        return nobr(f"{fmt.qty(v)} {_esc(self.unit(unit))}".strip())

    def check_target(self, unit: str | None, v: Any) -> str:
        op = "≤" if unit == "min" else "≥"
        if isinstance(v, (int, float)) and unit == "share" and abs(v * 100 - round(v * 100)) < 1e-9:
            return nobr(f"{op}{fmt.pct(v, 0)}")
        if isinstance(v, (int, float)) and unit == "min" and v == int(v):
            return nobr(f"{op}{int(v)}" + (self.t("report.min") if self.lang == "zh" else " min"))
        return nobr(f"{op}{self.check_value(unit, v)}")

    def map_section(self, m: Any, detail: Any = None) -> None:
        T = self.t
        d = self.d
        self.h2("report.district_map")
        heading = self.story.pop()          # the heading goes with the map, onto the map's page
        self.story.pop()                    # (its CondPageBreak is not needed then)
        scen = self.scen_label(self.r.scenario)
        notes = list(m.notes)
        if not d.boundary_authoritative:
            notes.append(T("report.working_sketch_the_outline_is_simplified"))
        if d.osm_attribution:
            notes.append(T("report.roads_and_places_openstreetmap_contributors_odbl"))
        short = [n for n in notes if len(n) <= 90]      # kept on the map's page; long lists flow after
        self.figure(m.drawing, T("doc.map_title", district=d.district_name or "", scenario=scen), before=[heading],
                    after=[self.p(_esc(n), self.s_small) for n in short])
        for n in notes:
            if n not in short:
                self.add(self.p(_esc(n), self.s_small))
        callouts = getattr(m, "callouts", None)
        if callouts:
            self.callout_table(callouts)
        if detail is not None:
            self.add(PageBreak())
            self.figure(detail.drawing, T("doc.detail_title", district=d.district_name or "", scenario=scen),
                        before=[self.p(T("report.the_area_in_the_red_dashed"), self.s_small)])
            if getattr(detail, "callouts", None):
                self.callout_table(detail.callouts)

    def callout_table(self, callouts: Any) -> None:
        T = self.t
        rows = [[str(c[0]), _esc(c[1]), _esc(c[2] if len(c) > 2 else "")] for c in callouts]
        self.add(self.table([T("doc.callout_no"), T("report.code"), T("report.name_2")], rows,
                            self.widths(10, 25, 65), align="cll", font_size=7.2))

    def shelters(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        sites = d.site_rows()
        self.h2("doc.shelters_now")
        shel = r.shelters
        if not shel:
            self.add(self.p(T("report.no_shelters_registered_yet"), self.s_note))
            return
        self.add(self.p(T("report.capacity_is_the_effective_area_divided")))
        rows = []
        tot = {"in": 0.0, "out": 0.0, "cap": 0.0, "ind": 0.0, "ass": 0.0}
        closed = []
        for sh in shel:
            s = sites.get(sh.code, {})
            util = sh.utilisation
            status = tx.label("status", sh.status, L)
            if sh.closed_by_hazard:
                status = T("doc.closed_by_hazard")
            elif not sh.open:
                status += T("report.not_open")
            if sh.snap_status not in (None, "ok"):
                status += T("report.brackets", text=tx.label("snap", sh.snap_status, L))
            util_s = fmt.pct(util, 0) if util is not None else "—"
            if util is not None and util >= 0.999:
                util_s = f'<font color="#C62828">▲{util_s}</font>'
            row = [_esc(sh.code), _esc(sh.name), _esc(d.town_name(sh.town)),
                   _esc(tx.label("shelter_class", sh.shelter_class, L)), _esc(status),
                   fmt.area(s.get("indoor_area")), fmt.area(s.get("outdoor_area")),
                   fmt.integer(sh.capacity), fmt.integer(sh.indoor_capacity),
                   fmt.integer(sh.assigned) if sh.open else "—", util_s if sh.open else "—"]
            if not sh.open:
                closed.append(row)
                continue
            rows.append(row)
            for key, val in (("in", s.get("indoor_area")), ("out", s.get("outdoor_area")),
                             ("cap", sh.capacity), ("ind", sh.indoor_capacity), ("ass", sh.assigned)):
                tot[key] += val or 0
        util_tot = tot["ass"] / tot["cap"] if tot["cap"] else None
        rows.append(["", T("doc.total_open"), "", "", "", fmt.area(tot["in"]), fmt.area(tot["out"]),
                     fmt.integer(tot["cap"]), fmt.integer(tot["ind"]), fmt.integer(tot["ass"]), fmt.pct(util_tot, 0)])
        head = [T("report.code"), T("report.name_2"), T("report.town"), T("report.class"),
                T("report.status"), T("doc.indoor_m2"), T("doc.outdoor_m2"),
                T("doc.cap_people"), T("doc.indoor_cap_people"), T("doc.assigned_people"), T("report.use")]
        w = self.widths(8, 19, 14, 6, 7, 8, 8, 7.5, 7.5, 8, 7)
        self.add(self.table(head, rows, w, align="lllllrrrrrr", total_row=True, caption=T("doc.shelters_table")))
        self.add(self.p(T("doc.shelters_note"), self.s_small))
        if closed:
            self.add(self.table(head, closed, w, align="lllllrrrrrr", caption=T("doc.closed_shelters_table")))
            self.add(self.p(T("doc.closed_note", n=len(closed)), self.s_small))
        zero = [sh for sh in shel if sh.open and (sh.assigned or 0) < 0.5 and (sh.capacity or 0) > 0]
        if zero and (r.summary.over_capacity or 0) > 0:
            self.add(self.p(T("doc.zero_use_explained", n=len(zero)), self.s_small))
        unloc = [sh for sh in shel if sh.snap_status not in (None, "ok")]
        if unloc:
            unloc_names = T("report.list_sep").join(_esc(f"{sh.code} {sh.name}") for sh in unloc)
            self.add(Spacer(1, 3), self.p(T("report.shelters_are_not_located_or_off", n_unloc=len(unloc),
                                            unloc_names=unloc_names), self.s_note))
        basis = sorted({sh.capacity_basis for sh in shel if sh.capacity_basis and sh.capacity_basis != "unknown"})
        if basis:
            basis = [re.sub(r"^area/(\S+) m²$", lambda m: T("report.capacity_basis.area", per_capita=m.group(1)), b)
                     for b in basis]
            basis = [T("doc.capacity_basis.stated") if b == "stated" else b for b in basis]
            self.add(self.p(T("report.capacity_basis") + _esc(T("report.semicolon_sep").join(basis)),
                            self.s_small))
        if any(sh.capacity_basis in (None, "unknown") for sh in shel):
            n = sum(1 for sh in shel if sh.capacity_basis in (None, "unknown"))
            self.add(self.p(T("doc.capacity_unknown", n=n), self.s_small))

    def _finding_text(self, f: Finding) -> str:
        d, L = self.d, self.lang
        text = f.text(L) or f.zh or f.en or ""
        for k in fmt.UNUSABLE_CODES:
            text = re.sub(rf"\b{k}\b", tx.label("unusable", k, L), text)
        if f.ref == "isolation":
            m = re.match(r"^([^:：]+)([:：])", text)
            if m and m.group(1) in d.towns:
                text = d.town_name(m.group(1)) + text[len(m.group(1)):]
        return text

    def problems(self) -> None:
        r = self.r
        T = self.t
        finds = [f for f in r.findings if f.kind != "action"]
        self.h2("doc.problems")
        if not finds:
            self.add(self.p(T("report.all_checks_pass_nothing_to_act")))
            return
        rows = [[str(k), _esc(self._finding_text(f)), self.sev(f.severity)] for k, f in enumerate(finds, 1)]
        self.add(self.table([T("report.no"), T("report.finding"), T("report.level")], rows,
                            self.widths(6, 82, 12), align="clc", caption=T("doc.problems_table")))

    def sev(self, s: Any) -> str:
        if s == "fail":
            return f'<font color="#C62828">{self.t("report.fail_2")}</font>'
        if s == "warn":
            return f'<font color="#B26A00">{self.t("report.warning")}</font>'
        return _esc(self.t("doc.severity.info") if s == "info" else (s or "—"))

    # -- 三 风险与情景 ---------------------------------------------------------------------------
    def risk(self) -> None:
        d, r = self.d, self.r
        T = self.t
        self.h1("doc.ch.risk")
        self.h2("doc.scenario_h")
        hazards = list(d.inp.hazards)
        if not r.scenario or r.scenario == "baseline":
            self.add(self.p(T("doc.baseline_text")))
        else:
            self.add(self.p(T("doc.scenario_text", scenario=_esc(r.scenario),
                              description=_esc(d.scenario_description or T("doc.no_description")))))
        if hazards:
            rows = []
            for h in hazards:
                effect = T("doc.hazard.block") if h.effect == "block" else T(
                    "doc.hazard.slow", pct=fmt.pct(h.factor, 0))
                rows.append([_esc(h.name), effect, T("report.yes") if h.closes_sites else T("report.no_2")])
            self.add(self.table([T("doc.hazard_zone"), T("doc.hazard_effect"), T("doc.closes_sites")], rows,
                                self.widths(40, 40, 20), align="llc", caption=T("doc.hazards_table")))
            closed = [sh for sh in r.shelters if sh.closed_by_hazard]
            by_hazard = d.inp.effects.get("closed_by_hazard")
            closed_other = ([c for c in by_hazard if c not in {sh.code for sh in closed}]
                            if isinstance(by_hazard, dict) else [])
            if closed or closed_other:
                names = T("report.list_sep").join(_esc(f"{sh.code} {sh.name}") for sh in closed)
                if closed_other:
                    names += (T("report.list_sep") if names else "") + T("report.list_sep").join(
                        _esc(f"{c} {d.site_name(c)}") for c in closed_other)
                self.add(self.p(T("doc.closed_sites_text", n=len(closed) + len(closed_other), names=names)))
        self.isolation()

    def isolation(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        iso = r.isolation_info
        usable, why = self.iso_state()
        self.h2("doc.isolation_h")
        if not usable:
            self.add(self.p(T("doc.isolation_not_assessed", why=T(f"doc.isolation_unusable.{why}")), self.s_note))
        else:
            self.add(self.p(T("report.cut_off_on_the_driving_network",
                              isolated_units=fmt.integer(iso.isolated_units),
                              isolated_population=fmt.integer(iso.isolated_population),
                              open_sources=fmt.integer(iso.open_sources),
                              open_warehouses=fmt.integer(iso.open_warehouses))))
        names = {i.key: i.name(L) or i.key for i in r.supply}
        units = [u for u in r.isolation if u.status == "isolated"] if usable else []
        nj = self.not_judged() if usable else []
        if nj:
            self.add(self.p(T("doc.not_judged_text", n=len(nj)), self.s_small))
        if units:
            pool_of = {p.units[0]: p for p in iso.pools if p.units}
            rows = []
            for u in units:
                p = pool_of.get(u.code)
                short = [names.get(i.item, i.item) for i in (p.items if p else ()) if not i.covered]
                rows.append([_esc(u.code), _esc(u.name), _esc(d.town_name(u.town)), fmt.integer(u.population),
                             _esc(T("report.list_sep").join(u.local_points)) or "—", self.mark(u.covered_72h),
                             _esc(T("report.list_sep").join(short)) or "—"])
            self.add(self.table([T("report.code_2"), T("report.name_2"), T("report.town"), T("doc.people_h"),
                                 T("report.own_points"), T("report.72_h_2"), T("report.items_short_2")], rows,
                                self.widths(16, 16, 13, 9, 16, 10, 20), align="lllrlcl",
                                caption=T("doc.isolated_table")))
        flagged = iso.flagged
        if flagged:
            rows = [[_esc(f.code), _esc(f.name), _esc(d.town_name(f.town)), _esc(T("report.list_sep").join(f.flags)),
                     self.mark(f.reachable if usable and f.status in ("connected", "isolated") else None),
                     self.mark(f.supplied_72h if usable and f.status in ("connected", "isolated") else None)]
                    for f in flagged]
            self.add(self.table([T("report.code_2"), T("report.name_2"), T("report.town"), T("report.flags"),
                                 T("report.reachable_by_road"), T("report.supplied_72h")], rows,
                                self.widths(18, 20, 16, 18, 14, 14), align="llllcc",
                                caption=T("doc.flagged_table", n=len(flagged))))
        if usable and not units and not flagged:
            self.add(self.p(T("report.no_unit_is_cut_off_in")))

    # -- 四 避难需求测算 --------------------------------------------------------------------------
    def demand(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        s = r.summary
        self.h1("doc.ch.demand")
        self.add(self.p(T("doc.demand_intro")))
        self.h2("doc.figures_h")
        params = {p["name"]: p for p in d.result.parameters}
        fig = s.figures or {}
        share = fig.get("sheltering_share")
        rows = [
            [T("figure.planning_population"),
             self.people(s.planning_population) if s.planning_population is not None
             else self.missing(T("doc.missing_population", n=s.units_unknown or 0)),
             _esc(self.param_source(params.get("planning_population", {})))],
            [T("figure.sheltering_share"), fmt.pct(share), _esc(self.param_source(params.get("sheltering_share", {})))],
            [T("figure.sheltering_demand"),
             self.people(s.sheltering_demand) if not (s.units_unknown and not s.sheltering_demand)
             else self.missing(T("doc.missing_population", n=s.units_unknown or 0)),
             _esc(T("doc.demand_rule"))],
            [T("figure.supply_population"), self.supply_people(),
             _esc(self.param_source(params.get("supply_population", {})))],
            [T("figure.event_date"), fmt.date_text(fig.get("event_date") or r.supply_info.event_date, L),
             _esc(self.param_source(params.get("event_date", {})))],
        ]
        self.add(self.table([T("doc.figure_h"), T("report.value"), T("doc.source_h")], rows,
                            self.widths(24, 20, 56), align="lrl", caption=T("doc.figures_table")))
        self.coverage()

    def coverage(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        thr = fmt.qty(r.threshold_min)
        self.h2("report.minute_shelter_coverage", thr=thr)
        self.add(self.p(T("report.coverage_uses_network_travel_times_and", thr=thr, mode_code=r.mode,
                          mode=T("report.walking") if r.mode == "walk" else T("report.driving"))))
        rows = []
        for tw in r.towns:
            miss = [u for u in r.units if u.town == tw.town and u.snap_status not in (None, "ok")]
            reg = d.towns.get(str(tw.town))
            rows.append([_esc(d.town_name(tw.town) if tw.town else (tw.name or "—")),
                         fmt.integer(reg.population if reg else None),
                         fmt.integer(tw.population), fmt.integer(tw.demand),
                         fmt.integer(tw.served), fmt.pct(tw.served_share),
                         fmt.integer(tw.over_capacity), fmt.integer(tw.unreachable),
                         str(len(miss)) if miss else "0"])
        tt = r.coverage_totals
        regs = [t.population for t in d.towns.values()]
        reg_total = sum(p or 0 for p in regs) if regs and all(p is not None for p in regs) else None
        n_miss = sum(1 for u in r.units if u.snap_status not in (None, "ok"))
        rows.append([T("report.total"), fmt.integer(reg_total), fmt.integer(tt.population),
                     fmt.integer(tt.demand), fmt.integer(tt.served), fmt.pct(tt.served_share),
                     fmt.integer(tt.over_capacity), fmt.integer(tt.unreachable), str(n_miss)])
        self.add(self.table([T("report.town"), T("doc.town_pop_h"), T("doc.unit_pop_h"), T("doc.demand_h"),
                             T("doc.served_h"), T("report.served_2"), T("doc.over_h"), T("doc.unreach_h"),
                             T("doc.notloc_h")], rows,
                            self.widths(18, 11, 10, 10, 10, 9, 11, 10, 11), align="lrrrrrrrr", total_row=True,
                            caption=T("doc.coverage_table", thr=thr)))
        self.add(self.p(T("doc.coverage_note"), self.s_small))
        units = [u for u in r.units if (u.over_capacity or 0) + (u.unreachable or 0) >= 0.5]
        if units:
            self.h2("report.units_not_fully_served")
            units.sort(key=lambda u: (str(u.town), -((u.over_capacity or 0) + (u.unreachable or 0))))
            rows = []
            for u in units:
                near = u.nearest_shelter
                rows.append([_esc(u.name), _esc(d.town_name(u.town)), fmt.integer(u.population),
                             fmt.integer(u.served), fmt.integer(u.over_capacity), fmt.integer(u.unreachable),
                             _esc(f"{near} {d.site_name(near)}" if near else "—"), fmt.minutes(u.nearest_min, L)])
            self.add(self.table([T("report.unit_2"), T("report.town"), T("doc.population_h"),
                                 T("doc.served_h"), T("doc.over_h"), T("doc.unreach_h"),
                                 T("report.nearest_shelter"), T("report.time")], rows,
                                self.widths(16, 16, 8, 8, 9, 8, 24, 11), align="llrrrrlr",
                                caption=T("doc.units_not_served_table")))
        missing = [u for u in r.units if u.snap_status not in (None, "ok")]
        if missing:
            self.h2("report.units_not_located_or_off_the")
            by_town: dict[str, list[str]] = {}
            for u in missing:
                tag = "" if u.snap_status == "unlocated" else T("report.off_network")
                pop = u.population
                pop_s = T("report.brackets", text=fmt.integer(pop)) if pop else ""
                by_town.setdefault(d.town_name(u.town), []).append(f"{_esc(u.name)}{tag}{pop_s}")
            rows = [[_esc(t), str(len(v)), T("report.list_sep").join(v)] for t, v in sorted(by_town.items())]
            n_pop = sum(1 for u in missing if u.population)
            self.add(self.p(T("report.these_units_have_no_coordinates_or", n_miss=len(missing))
                            + (T("report.population_in_brackets_where_known") if n_pop
                               else T("report.populations_unknown_too")), self.s_small))
            self.add(self.table([T("report.town"), T("report.units"), T("report.units_2")], rows,
                                self.widths(16, 8, 76), align="lrl", font_size=7.5,
                                caption=T("doc.units_not_located_table")))

    # -- 五 布局 ---------------------------------------------------------------------------------
    def layout(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        self.h1("doc.ch.layout")
        self.h2("doc.layout_now")
        counts: dict[tuple[str, str], list[float]] = {}
        for sh in r.shelters:
            key = (sh.shelter_class or "", "closed" if not sh.open else (sh.status or "built"))
            c = counts.setdefault(key, [0, 0.0])
            c[0] += 1
            c[1] += sh.capacity or 0
        rows = [[_esc(tx.label("shelter_class", k[0] or None, L)), _esc(tx.label("status", k[1], L)
                                                                        if k[1] != "closed" else T("doc.closed")),
                 str(v[0]), fmt.integer(v[1])] for k, v in sorted(counts.items())]
        if rows:
            self.add(self.table([T("report.class"), T("report.status"), T("doc.count_h"), T("doc.cap_people")],
                                rows, self.widths(30, 30, 20, 20), align="llrr", caption=T("doc.layout_table")))
        planned = [x for x in d.directory if x["kind"] == "shelter" and x["status"] == "planned"]
        if planned:
            self.add(self.p(T("doc.planned_sites", n=len(planned), names=T("report.list_sep").join(
                _esc(f"{x['code']} {x['name']}") for x in planned))))
        self.h2("doc.layout_new")
        rec = d.recommendations
        if isinstance(rec, dict):
            self.recommendations(rec)
        else:
            self.add(self.p(T("doc.no_recommendations")))
        acts = [f for f in r.findings if f.kind == "action" and f.ref in ("coverage", "shelter", "capacity")]
        if acts:
            for k, f in enumerate(acts, 1):
                self.add(self.p(f"{k}．{_esc(self._finding_text(f))}" if L == "zh"
                                else f"{k}. {_esc(self._finding_text(f))}", self.s_plain))

    def recommendations(self, rec: dict[str, Any]) -> None:
        """The recommended new or upgraded sites, each with what it adds, and their effect
        verified by rerunning the engine with them (planner.scenario.recommend)."""
        T, L = self.t, self.lang
        acts = rec.get("actions") or []
        if not acts:
            self.add(self.p(T("doc.rec_none")))
        else:
            rows = [[str(k), _esc(a.get(L) or a.get("zh") or ""), fmt.integer(a.get("capacity")),
                     fmt.integer(a.get("serves"))] for k, a in enumerate(acts, 1)]
            self.add(self.table([T("report.no"), T("doc.rec_action"), T("doc.cap_people"), T("doc.rec_gain")],
                                rows, self.widths(6, 66, 14, 14), align="clrr", caption=T("doc.rec_table")))
        ver = rec.get("verification") or {}
        before, after = rec.get("base_share"), ver.get("served_share")
        if after is not None:
            self.add(self.p(T("doc.rec_verified", thr=fmt.qty(rec.get("threshold_min")), before=fmt.pct(before),
                              after=fmt.pct(after), delta=self.delta_text("share", after, before))))
        note = rec.get("note")
        if isinstance(note, dict) and note.get(L):
            self.add(self.p(_esc(note[L]), self.s_note))
        for rn in rec.get("rule_notes") or []:
            if isinstance(rn, dict) and rn.get(L):
                self.add(self.p(_esc(rn[L]), self.s_small))

    # -- 六 物资储备 -----------------------------------------------------------------------------
    def reserves(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        self.h1("doc.ch.reserves")
        self.h2("doc.sources_h")
        item_names = {i.key: i.name(L) for i in r.supply}
        cat_norm = {}
        for rec in d.inp.items.records():
            cat_norm[rec["code"]] = rec.get("norm_key")
        by_site: dict[str, dict[str, Any]] = {}
        for lot in d.lots:
            e = by_site.setdefault(lot["site"], {"physical": set(), "agreement": set(), "suppliers": set()})
            e[lot["mode"]].add(item_names.get(cat_norm.get(lot["item"]) or "", lot["item"]))
            if lot["mode"] == "agreement" and lot.get("supplier"):
                e["suppliers"].add(lot["supplier"])
        rows = []
        for x in d.directory:
            if x["kind"] == "shelter":
                continue
            e = by_site.get(x["code"], {"physical": set(), "agreement": set(), "suppliers": set()})
            kind = T("doc.kind.warehouse") if x["kind"] == "warehouse" else T(f"doc.kind.point.{x['tier'] or 'town'}")
            rows.append([_esc(x["code"]), _esc(x["name"]), kind, _esc(d.town_name(x["town"])),
                         _esc(T("report.list_sep").join(sorted(e["physical"]))) or "—",
                         _esc(T("report.list_sep").join(sorted(e["agreement"]))) or "—",
                         _esc(T("report.list_sep").join(sorted(e["suppliers"]))) or "—"])
        if rows:
            self.add(self.table([T("report.code"), T("report.name_2"), T("doc.kind_h"), T("report.town"),
                                 T("doc.physical_h"), T("doc.agreement_h"), T("doc.supplier_h")], rows,
                                self.widths(10, 20, 12, 12, 18, 14, 14), align="lllllll",
                                caption=T("doc.sources_table")))
        else:
            self.add(self.p(T("doc.no_sources"), self.s_note))
        self.supply()
        self.rotation()

    def supply(self) -> None:
        r = self.r
        T, L = self.t, self.lang
        sup = r.supply_info
        self.h2("report.72_hour_basic_living_supplies")
        self.add(self.p(T("report.requirement_for_the_target_population_of", people=fmt.integer(sup.people),
                          days=fmt.qty(sup.days), event_date=_esc(fmt.date_text(sup.event_date, L)),
                          deadline_h=fmt.qty(sup.deadline_h))))
        rows = []
        any_unpriced = False
        for it in r.supply:
            unus = {k: v for k, v in (it.unusable or {}).items() if v and v >= 0.5}
            unus_s = "<br/>".join(f"{_esc(tx.label('unusable', k, L))} {fmt.qty(v)}"
                                  for k, v in sorted(unus.items())) or "—"
            short = self.unmet_value(it.shortfall, it.required)
            short_s = fmt.qty(short)
            if short > 0:
                short_s = f'<font color="#C62828">{short_s}</font>'
            if short > 0 and it.unit_price is None:
                cost = self.t("doc.no_price")
                any_unpriced = True
            else:
                cost = fmt.yuan(it.shortfall_cost, L) if short > 0 else "—"
            rows.append([_esc(it.name(L)), _esc(self.unit(it.unit)), _esc(fmt.norm_rate(it, L)),
                         fmt.qty(it.required), fmt.qty(it.usable), unus_s, short_s,
                         fmt.pct(it.coverage_ratio, 0), cost])
        total = sup.shortfall_cost_total
        rows.append([T("report.total"), "", "", "", "", "", "", "",
                     fmt.money(total, L) + (T("doc.incomplete_mark") if any_unpriced else "")])
        self.add(self.table([T("report.item"), T("report.unit"), T("report.norm"), T("report.required"),
                             T("report.usable"), T("report.not_usable_reason"), T("report.shortfall"),
                             T("report.met"), T("doc.cost_yuan")], rows,
                            self.widths(13, 6, 13, 10, 10, 16, 10, 8, 14), align="lllrrlrrr", total_row=True,
                            caption=T("doc.supply_table")))
        if any_unpriced:
            self.add(self.p(T("doc.unpriced_note"), self.s_small))
        if sup.no_norm:
            self.add(self.p(T("report.items_without_a_norm_not_checked") + _esc("、".join(map(str, sup.no_norm))),
                            self.s_small))

    def unmet_value(self, q: Any, need: Any) -> float:
        """An unmet quantity as printed: rounding remainders (below 0.5 of a unit or below
        :data:`UNMET_TOL` of the need) are not a gap."""
        v = fmt._num(q) or 0.0
        n = fmt._num(need) or 0.0
        if v < 0.5 and (n <= 0 or v <= UNMET_TOL * n or v < 0.005):
            return 0.0
        return v

    def rotation(self) -> None:
        d = self.d
        T, L = self.t, self.lang
        self.h2("doc.rotation_h")
        period_end = d.document.get("period_to")
        today = d.date
        horizon = dt.date(int(period_end), 12, 31) if period_end else today + dt.timedelta(days=365)
        names = {}
        for rec in d.inp.items.records():
            names[rec["code"]] = rec["name_zh"] if L == "zh" else (rec.get("name_en") or rec["name_zh"])
        rows = []
        for lot in d.lots:
            e = lot.get("expiry")
            if e is None or lot["mode"] != "physical":
                continue
            ed = e if isinstance(e, dt.date) else dt.date.fromisoformat(str(e)[:10])
            if ed <= horizon:
                expired = ed < today
                rows.append((ed, [_esc(lot["site"]), _esc(d.site_name(lot["site"])), _esc(names.get(lot["item"],
                                                                                                    lot["item"])),
                                  _esc(lot.get("batch") or "—"), fmt.qty(lot["quantity"]),
                                  (f'<font color="#C62828">{fmt.date_text(ed, L)}{T("doc.expired")}</font>'
                                   if expired else fmt.date_text(ed, L))]))
        self.add(self.p(T("doc.rotation_intro", until=fmt.date_text(horizon, L))))
        if rows:
            rows.sort(key=lambda x: x[0])
            self.add(self.table([T("report.code"), T("doc.site_h"), T("report.item"), T("doc.batch_h"),
                                 T("report.qty"), T("doc.expiry_h")], [x[1] for x in rows],
                                self.widths(10, 26, 18, 14, 12, 20), align="lllrrl", caption=T("doc.rotation_table")))
        else:
            self.add(self.p(T("doc.rotation_none")))

    # -- 七 调配方案 -----------------------------------------------------------------------------
    def dispatch(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        al = r.allocation
        self.h1("doc.ch.dispatch")
        ph = r.supply_info.deadlines_h
        self.add(self.p(T("report.first_batch_within_h_minimising_delivery", deadline_h=fmt.qty(al.deadline_h),
                          d2=fmt.qty(ph.get(2)), d3=fmt.qty(ph.get(3)))))
        self.h2("doc.by_day_h")
        rows = []
        for it in r.supply:
            row = [_esc(it.name(L)), _esc(self.unit(it.unit))]
            for day in (1, 2, 3):
                p = next((x for x in it.phases if x.day == day), None)
                if p is None or not p.required:
                    row.append("—")
                    continue
                share = (p.shipped or 0) / p.required if p.required else None
                cell = f"{fmt.qty(p.shipped)} / {fmt.qty(p.required)}<br/>{fmt.pct(share, 0)}"
                if self.unmet_value(p.unmet, p.required) > 0:
                    cell = f'<font color="#C62828">{cell}</font>'
                row.append(cell)
            rows.append(row)
        self.add(self.table([T("report.item"), T("report.unit"),
                             T("doc.day_h", day=1, h=fmt.qty(ph.get(1))), T("doc.day_h", day=2, h=fmt.qty(ph.get(2))),
                             T("doc.day_h", day=3, h=fmt.qty(ph.get(3)))], rows,
                            self.widths(18, 8, 25, 25, 24), align="llrrr", caption=T("doc.by_day_table")))
        self.add(self.p(T("doc.by_day_note"), self.s_small))
        self.by_town()
        srcs = [sd for sd in al.sources if sd.dispatch]
        if srcs:
            self.h2("doc.source_summary_h")
            names = {i.key: i.name(L) or i.key for i in r.supply}
            units = {i.key: i.unit or "" for i in r.supply}
            rows = []
            for sd in srcs:
                per: dict[str, float] = {}
                for ln in sd.dispatch:
                    per[ln.item] = per.get(ln.item, 0.0) + (ln.quantity or 0)
                n_sh = len({ln.shelter for ln in sd.dispatch if ln.shelter is not None})
                n_v = sum(ln.villages or 0 for ln in sd.dispatch if ln.shelter is None)
                etas = [ln.eta_min for ln in sd.dispatch if ln.eta_min is not None]
                lead = [ln.ready_h for ln in sd.dispatch if ln.ready_h]
                items = T("report.list_sep").join(
                    f"{_esc(names.get(k, k))} {fmt.qty(v)}{_esc(self.unit(units.get(k, '')))}" for k, v in per.items())
                eta = (f"{fmt.minutes(min(etas), L)}～{fmt.minutes(max(etas), L)}" if etas else "—")
                if lead:
                    eta += "<br/>" + T("doc.agreement_lead", h=fmt.qty(max(lead)))
                rows.append([_esc(f"{sd.source} {sd.name or d.site_name(sd.source)}"), items,
                             T("doc.dest_count", shelters=n_sh, villages=n_v), eta])
            self.add(self.table([T("doc.source_h2"), T("doc.items_qty_h"), T("doc.dest_h"), T("report.eta")], rows,
                                self.widths(24, 44, 14, 18), align="llll", caption=T("doc.source_summary_table")))
            self.add(self.p(T("doc.see_appendix_dispatch"), self.s_small))

    def by_town(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        towns = r.supply_towns
        items = r.supply
        if not (towns and items):
            return
        self.h2("report.by_town_requirement_and_local_stock")
        ph = r.supply_info.deadlines_h
        self.add(self.p(T("report.the_target_population_is_split_by", d1=fmt.qty(ph.get(1)), d2=fmt.qty(ph.get(2)),
                          d3=fmt.qty(ph.get(3))), self.s_small))
        keys = [i.key for i in items]
        head = [T("report.town"), T("report.people")] + [
            f"{i.name(L)}（{self.unit(i.unit)}）" if L == "zh" else f"{i.name_en} ({self.unit(i.unit)})" for i in items]
        rows = []
        for tw in towns:
            row = [_esc(d.town_name(tw.town) if tw.town else tw.name), fmt.integer(tw.population)]
            for k in keys:
                v = tw.items.get(k) or TownItemSupply()
                cell = f"{fmt.qty(v.required)}<br/>{fmt.qty(v.shipped)}"
                if self.unmet_value(v.unmet, v.required) > 0:
                    cell = f"{fmt.qty(v.required)}<br/><font color='#C62828'>▼{fmt.qty(v.shipped)}</font>"
                row.append(cell)
            rows.append(row)
        n = len(keys)
        w_item = max(1.0, (BODY_W - 26 * mm - 16 * mm) / n)
        self.add(self.table(head, rows, [26 * mm, 16 * mm] + [w_item] * n, align="lr" + "r" * n,
                            font_size=7.2, caption=T("doc.by_town_table")))

    # -- 八 投资估算 -----------------------------------------------------------------------------
    def investment(self) -> None:
        r = self.r
        T, L = self.t, self.lang
        self.h1("doc.ch.investment")
        self.add(self.p(T("doc.investment_intro")))
        rows = []
        unpriced = []
        total = 0.0
        for it in r.supply:
            short = self.unmet_value(it.shortfall, it.required)
            if short <= 0:
                continue
            if it.unit_price is None:
                unpriced.append(it.name(L))
                rows.append([_esc(it.name(L)), fmt.qty(short), _esc(self.unit(it.unit)), T("doc.no_price"),
                             self.missing(T("doc.no_price"))])
                continue
            cost = short * float(it.unit_price)
            total += cost
            rows.append([_esc(it.name(L)), fmt.qty(short), _esc(self.unit(it.unit)),
                         fmt.yuan(it.unit_price, L), fmt.yuan(cost, L)])
        if rows:
            rows.append([T("report.total"), "", "", "", fmt.money(total, L) + (T("doc.incomplete_mark")
                                                                              if unpriced else "")])
            self.add(self.table([T("report.item"), T("report.shortfall"), T("report.unit"), T("doc.price_h"),
                                 T("doc.cost_yuan")], rows, self.widths(28, 18, 10, 20, 24), align="lrlrr",
                                total_row=True, caption=T("doc.investment_table")))
            if unpriced:
                self.add(self.p(T("doc.investment_incomplete", items=T("report.list_sep").join(unpriced)),
                                self.s_note))
        else:
            self.add(self.p(T("doc.investment_none")))
        self.add(self.p(T("doc.new_site_cost_unset")))

    # -- 九 实施安排与保障措施 ------------------------------------------------------------------
    def implementation(self) -> None:
        d, r = self.d, self.r
        T = self.t
        self.h1("doc.ch.implementation")
        self.h2("doc.implementation_h")
        text = d.document.get("implementation")
        if text:
            for para in text.split("\n"):
                if para.strip():
                    self.add(self.p(_esc(para.strip())))
        acts = [f for f in r.findings if f.kind == "action"]
        if acts:
            self.add(self.p(T("doc.actions_intro")))
            rows = [[str(k), _esc(self._finding_text(f)), self.sev(f.severity)] for k, f in enumerate(acts, 1)]
            self.add(self.table([T("report.no"), T("report.action"), T("report.level")], rows,
                                self.widths(6, 82, 12), align="clc", caption=T("doc.actions_table")))
        elif not text:
            self.add(self.p(T("report.all_checks_pass_nothing_to_act")))
        if not text:
            self.add(self.p(T("doc.implementation_unset"), self.s_note))
        self.h2("doc.safeguards_h")
        text = d.document.get("safeguards")
        if text:
            for para in text.split("\n"):
                if para.strip():
                    self.add(self.p(_esc(para.strip())))
        else:
            self.add(self.p(T("doc.safeguards_unset"), self.s_note))

    # -- 十 情景对比 -----------------------------------------------------------------------------
    def comparison(self, cmp: dict[str, Any]) -> None:
        d = self.d
        T, L = self.t, self.lang
        names = [self.scen_label(s) for s in cmp.get("scenarios", [])]
        if not names:
            return
        self.h1("report.scenario_comparison")
        self.add(self.p(T("doc.compare_intro", reference=_esc(names[0]), n_compared=len(names) - 1)))
        n = len(names)
        self.h2("report.checks")
        rows = []
        for c in cmp.get("checks", []):
            name = c.get("name_zh") if L == "zh" else c.get("name_en")
            unit = c.get("unit")
            row = [_esc(name), self.check_target(unit, c.get("target"))]
            vals, status = c.get("values", []), c.get("status", [])
            for k in range(n):
                v = vals[k] if k < len(vals) else None
                value, ok = self.check_cell(unit, v, status[k] if k < len(status) else None)
                cell = value + "<br/>" + self.mark(ok)
                if k > 0:
                    ds = self.delta_text(unit, v, vals[0] if vals else None)
                    if ds:
                        cell += f'<br/><font size="6.5" color="#5F6B76">{ds}</font>'
                row.append(cell)
            rows.append(row)
        wname, wt = 30.0, 12.0
        wv = (100 - wname - wt) / n
        self.add(self.table([T("report.check"), T("report.target")] + [_clip(s, 24) for s in names], rows,
                            self.widths(wname, wt, *([wv] * n)), align="lr" + "r" * n,
                            caption=T("doc.compare_table")))
        self.add(self.p(T("doc.compare_note"), self.s_small))
        self.paired_maps()
        towns = cmp.get("towns", [])
        if towns:
            self.h2("report.served_population_by_town")
            rows = []
            for tw in towns:
                row = [_esc(tw.get("name") or d.town_name(tw.get("code")))]
                served = tw.get("served", [])
                for k in range(n):
                    v = served[k] if k < len(served) else None
                    cell = fmt.integer(v)
                    if k > 0 and v is not None and served and served[0] is not None:
                        dv = round(v) - round(served[0])
                        if dv:
                            sym = "▼" if dv < 0 else "▲"
                            col = "#C62828" if dv < 0 else "#1B7F3B"
                            cell += f'<br/><font size="6.5" color="{col}">{sym}{dv:+,}</font>'
                    row.append(cell)
                rows.append(row)
            self.add(self.table([T("report.town")] + [_clip(s, 24) for s in names], rows,
                                self.widths(30, *([70 / n] * n)), align="l" + "r" * n,
                                caption=T("doc.compare_towns_table")))
        for k in range(1, n):
            nu = (cmp.get("units_newly_uncovered") or [[]] * n)
            ni = (cmp.get("units_newly_isolated") or [[]] * n)
            so = (cmp.get("shelters_overflowing") or [[]] * n)
            sg = (cmp.get("items_shortfall_growth") or [[]] * n)
            nu, ni, so, sg = (x[k] if k < len(x) else [] for x in (nu, ni, so, sg))
            self.h2("report.scenario_vs_reference", scenario=names[k], reference=names[0])
            if not (nu or ni or so or sg):
                self.add(self.p(T("report.no_newly_uncovered_or_cut_off")))
                continue
            if nu:
                nu_pop = fmt.integer(sum(u.get('population') or 0 for u in nu))
                self.h3(T("report.newly_uncovered_units_people", n_nu=len(nu), nu_pop=nu_pop))
                rows = [[_esc(u.get("code")), _esc(u.get("name")), _esc(d.town_name(u.get("town"))),
                         fmt.integer(u.get("population"))] for u in nu]
                self.add(self.table([T("report.code_2"), T("report.name_2"), T("report.town"), T("doc.people_h")],
                                    rows, self.widths(25, 35, 25, 15), align="lllr"))
            if ni:
                self.h3(T("report.newly_cut_off_units", n_ni=len(ni)))
                rows = [[_esc(u.get("code")), _esc(u.get("name")), _esc(d.town_name(u.get("town"))),
                         fmt.integer(u.get("population"))] for u in ni]
                self.add(self.table([T("report.code_2"), T("report.name_2"), T("report.town"), T("doc.people_h")],
                                    rows, self.widths(25, 35, 25, 15), align="lllr"))
            if so:
                self.h3(T("report.overflowing_shelters", n_so=len(so)))
                rows = [[_esc(s.get("code")), _esc(s.get("name")), fmt.integer(s.get("capacity")),
                         fmt.integer(s.get("assigned"))] for s in so]
                self.add(self.table([T("report.code"), T("report.name_2"), T("doc.cap_people"),
                                     T("doc.assigned_people")], rows, self.widths(20, 44, 18, 18), align="llrr"))
            if sg:
                self.h3(T("report.growing_shortfalls"))
                rows = [[_esc(i.get("name_zh") if L == "zh" else i.get("name_en") or i.get("item")),
                         fmt.qty(i.get("shortfall_ref")), fmt.qty(i.get("shortfall")),
                         f'<font color="#C62828">▲{fmt.qty(i.get("delta"))}</font>'] for i in sg]
                self.add(self.table([T("report.item"), T("report.reference"), T("report.scenario_3"),
                                     T("report.growth")], rows, self.widths(34, 22, 22, 22), align="lrrr"))

    def paired_maps(self) -> None:
        """Each scenario's map beside the reference's, at one scale (图 x-y (a)/(b))."""
        from dataclasses import replace

        from planner.report.maps import paired_maps

        d = self.d
        runs = d.comparison_runs
        if len(runs) < 2:
            return
        base = replace(d, inp=runs[0][0], result=runs[0][1], comparison=None, comparison_runs=[])
        for inp, res in runs[1:]:
            scen = replace(d, inp=inp, result=res, comparison=None, comparison_runs=[])
            m = paired_maps(base, scen, self.font, width=BODY_W)
            self.figure(m.drawing, self.t("doc.pair_title", reference=self.scen_label(runs[0][1].scenario),
                                          scenario=self.scen_label(res.scenario)),
                        after=[self.p(_esc(n), self.s_small) for n in m.notes])

    def delta_text(self, unit: Any, v: Any, ref: Any) -> str:
        """scenario − reference as printed: shares in 个百分点 from the printed (rounded) values,
        so 0.5 % against 0.6 % reads −0.1, never −0.2."""
        a, b = fmt._num(v), fmt._num(ref)
        if a is None or b is None:
            return ""
        if unit == "share":
            dv = round(a * 100, 1) - round(b * 100, 1)
            return fmt.pp(dv / 100, self.lang)
        if unit == "min":
            dv = round(a, 1) - round(b, 1)
            return nobr(f"{dv:+,.1f}" + (self.t("report.min") if self.lang == "zh" else " min"))
        return f"{a - b:+,.1f}"

    # -- 附录 ----------------------------------------------------------------------------------
    def appendix_manifests(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        al = r.allocation
        shel = [s for s in al.shelters if (s.people or 0) > 0]
        if not shel:
            return
        names = {i.key: i.name(L) or i.key for i in r.supply}
        units = {i.key: i.unit or "" for i in r.supply}
        need = {i.key: i.required for i in r.supply}
        self.appendix("doc.app.manifests")
        self.add(self.p(T("doc.manifest_intro"), self.s_small))
        agreement = {x["site"] for x in d.lots if x["mode"] == "agreement"}
        for s in shel:
            rows = []
            prev = None
            lines = sorted(s.manifest, key=lambda x: (str(x.item), x.day or 0, x.eta_min or 0))
            for ln in lines:
                k = ln.item
                same = k == prev
                prev = k
                src = ln.source
                src_s = _esc(f"{src} {d.site_name(src)}")
                if ln.ready_h:
                    src_s += T("report.brackets", text=T("doc.agreement_ready", h=fmt.qty(ln.ready_h)))
                elif src in agreement and ln.eta_min and ln.eta_min > 120:
                    src_s += T("report.brackets", text=T("doc.agreement"))
                rows.append(["" if same else _esc(names.get(k, k)), T("doc.day_n", day=ln.day or 1),
                             fmt.qty(ln.quantity), _esc(self.unit(ln.unit or units.get(k, ""))), src_s,
                             fmt.minutes(ln.eta_min, L)])
            for un in s.unmet:
                k = un.item
                q = self.unmet_value(un.quantity, need.get(k))
                if q <= 0:
                    continue
                rows.append([_esc(names.get(k, k)), T("doc.day_n", day=un.day or 1),
                             f'<font color="#C62828">{fmt.qty(q)}</font>', _esc(self.unit(units.get(k, ""))),
                             f'<font color="#C62828">▼{T("report.unmet_2")}{_esc(tx.label("unmet", un.reason, L))}'
                             '</font>', "—"])
            title = T("report.people_2", shelter=_esc(s.shelter), name=_esc(s.name), people=fmt.integer(s.people))
            self.add(self.table([T("report.item"), T("doc.day_col"), T("report.qty"), T("report.unit"),
                                 T("report.source"), T("report.eta")], rows, self.widths(18, 8, 12, 7, 41, 14),
                                align="lcrllr", caption=title))
            self.add(Spacer(1, 6))

    def appendix_dispatch(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        srcs = [sd for sd in r.allocation.sources if sd.dispatch]
        if not srcs:
            return
        names = {i.key: i.name(L) or i.key for i in r.supply}
        units = {i.key: i.unit or "" for i in r.supply}
        self.appendix("doc.app.dispatch")
        for sd in srcs:
            rows = []
            prev = None
            for ln in sorted(sd.dispatch, key=lambda x: (x.shelter is None, str(x.shelter), str(x.item), x.day or 0)):
                k = ln.item
                dest = ln.shelter
                label = (f"{dest} {d.site_name(dest)}" if dest is not None
                         else T("report.to_villages_at_home", n=fmt.integer(ln.villages), day=ln.day))
                rows.append([_esc(label) if label != prev else "", _esc(names.get(k, k)),
                             T("doc.day_n", day=ln.day or 1), fmt.qty(ln.quantity),
                             _esc(self.unit(ln.unit or units.get(k, ""))), fmt.minutes(ln.eta_min, L)])
                prev = label
            tot_ship = len({ln.shelter for ln in sd.dispatch if ln.shelter is not None})
            title = f"{sd.source} {sd.name or d.site_name(sd.source)}——" + T("report.to_shelters", tot_ship=tot_ship)
            self.add(self.table([T("report.to_shelter"), T("report.item"), T("doc.day_col"), T("report.qty"),
                                 T("report.unit"), T("report.eta")], rows, self.widths(36, 20, 8, 13, 8, 15),
                                align="llcrlr", caption=title))
            self.add(Spacer(1, 6))

    def appendix_directory(self) -> None:
        d = self.d
        T = self.t
        if not d.directory:
            return
        self.appendix("doc.app.directory")
        rows = []
        for x in d.directory:
            if x["kind"] == "shelter":
                kind = T("doc.kind.shelter")
            elif x["kind"] == "warehouse":
                kind = T("doc.kind.warehouse")
            else:
                kind = T(f"doc.kind.point.{x['tier'] or 'town'}")
            contact = " ".join(_esc(v) for v in (x.get("contact"), x.get("phone")) if v) or "—"
            rows.append([_esc(x["code"]), _esc(x["name"]), kind, _esc(d.town_name(x["town"])),
                         _esc(x.get("address") or "—"), contact])
        self.add(self.table([T("report.code"), T("report.name_2"), T("doc.kind_h"), T("report.town"),
                             T("doc.address_h"), T("doc.contact_h")], rows, self.widths(11, 25, 12, 13, 23, 16),
                            align="llllll", font_size=7.5, caption=T("doc.directory_table")))
        if not any(x.get("address") or x.get("contact") for x in d.directory):
            self.add(self.p(T("doc.directory_incomplete"), self.s_note))

    def assumptions(self) -> None:
        r = self.d.result
        T, L = self.t, self.lang
        self.appendix("doc.app.parameters")
        self.add(self.p(T("doc.conf_intro")))
        rows = []
        for p in r.parameters:
            v = p.get("value")
            name = p.get("name") or ""
            if isinstance(v, bool):
                v_s = T("report.yes") if v else T("report.no_2")
            elif v in ("walk", "drive"):
                v_s = T("report.walking") if v == "walk" else T("report.driving")
            elif isinstance(v, (int, float)):
                v_s = fmt.qty(v)
            elif v is None:
                v_s = T("doc.unset_value")
            elif name == "event_date":
                v_s = fmt.date_text(v, L)
            elif name == "norms_profile":
                v_s = _esc(T(f"doc.profile.{v}") if f"doc.profile.{v}" in tx.catalogue() else v)
            else:
                v_s = _esc(v)
            key = f"report.param.{name}"
            label = tx.text(key, L) if key in tx.catalogue() else (p.get("description") or name)
            rows.append([_esc(label), v_s, _esc(self.param_source(p)), self.conf(p.get("conf"))])
        self.add(self.table([T("report.parameter"), T("report.value_3"), T("report.source"),
                             T("report.conf")], rows, self.widths(28, 11, 49, 12), align="lrlc", font_size=7.2,
                            caption=T("doc.params_table")))
        rows = []
        for it in self.r.supply:
            price = (f"{fmt.yuan(it.unit_price, L)}/{_esc(self.unit(it.unit))}" if it.unit_price is not None
                     else T("doc.no_price"))
            rows.append([_esc(it.name(L)), _esc(fmt.norm_rate(it, L)), price,
                         _esc(it.cite(L) or T("doc.source.norms_uncited")), self.conf(it.conf)])
        self.add(self.table([T("report.item"), T("report.norm_2"), T("report.unit_price"), T("report.source"),
                             T("report.conf")], rows, self.widths(14, 15, 12, 47, 12), align="lllll",
                            font_size=7.2, caption=T("doc.norms_table")))

    def conf(self, c: Any) -> str:
        if not c:
            return "—"
        col = {"V": "#1B7F3B", "S": "#1F3A5F", "D": "#1F3A5F", "R": "#B26A00", "A": "#B26A00"}.get(c, "#1A1A1A")
        return f'<font color="{col}">{_esc(self.t(f"doc.conf.{c}") if f"doc.conf.{c}" in tx.catalogue() else c)}</font>'

    def sources(self) -> None:
        d = self.d
        T, L = self.t, self.lang
        self.appendix("doc.app.sources")
        rows = []
        if d.description:
            rows.append([T("report.description"), _esc(d.description)])
        if d.attribution:
            rows.append([T("report.data_sources"), _esc(d.attribution)])
        for b in d.boundaries:
            if b.role == "district":
                rows.append([T("report.district_boundary"),
                             _esc(T("report.name_source", name=b.name, source=b.source or "—"))
                             + ("" if b.authoritative else T("report.not_authoritative"))])
        towns_b = [b for b in d.boundaries if b.role == "town"]
        if towns_b:
            srcs = sorted({b.source or "—" for b in towns_b})
            rows.append([T("report.town_boundaries"), _esc(T("report.semicolon_sep").join(srcs))])
        rows.append([T("report.plan_file"), _esc(d.location or "—")])
        rows.append([T("doc.run_date"), fmt.date_text(d.date, L)])
        rows.append([T("report.generated_by"), _esc(T("doc.software", version=d.version,
                                                       engine=d.result.engine_version))])
        rows.append([T("report.inputs_hash_sha_256"), f'<font size="7">{_esc(d.result.inputs_hash)}</font>'])
        self.add(self.table([T("report.item_2"), T("report.content")], rows, self.widths(20, 80), align="ll",
                            caption=T("doc.sources_table_title")))
        self.add(Spacer(1, 6), self.p(T("report.note_people_are_computed_figures_rounded"), self.s_small))
        self.add(self.p(T("doc.hash_note"), self.s_small))


def _counts(r: TypedResult) -> tuple[int, int, int]:
    return r.counts.passed, r.counts.failed, r.counts.unknown


def _clip(s: Any, n: int) -> str:
    s = "" if s is None else str(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def build_pdf(data: ReportData, out_path: str | Path, progress: Any = None,
              span: tuple[float, float] = (0.0, 1.0)) -> Path:
    """Lay out and write the PDF (two passes: the second fills the 目录's page numbers)."""
    from planner.report.maps import detail_extent, district_map

    out = Path(out_path)
    b = _Builder(data, progress, span)
    _Canvas.font_name = b.font
    box = detail_extent(data)
    label = b.t("report.detail")
    # the main map shares its page with the chapter's heading, intro and the map's caption and
    # notes (about 75 mm): its frame is made as tall as leaves them room, legend included
    room = PAGE_H - MARGIN_T - MARGIN_B - 75 * mm
    max_h = 150 * mm
    m = district_map(data, b.font, width=BODY_W, max_height=max_h, min_height=min(110 * mm, max_h), mark_box=box,
                     mark_label=label)
    for _ in range(3):
        if m.drawing.height <= room:
            break
        max_h -= m.drawing.height - room
        m = district_map(data, b.font, width=BODY_W, max_height=max_h, min_height=min(110 * mm, max_h),
                         mark_box=box, mark_label=label)
    detail = None
    if box is not None:
        detail = district_map(data, b.font, width=BODY_W, max_height=200 * mm, min_height=120 * mm,
                              extent=box, legend=False, site_labels=True)
    story = b.build_story(m, detail)
    T = b.t
    doc = _Doc(str(out), b, pagesize=A4, leftMargin=MARGIN_L, rightMargin=MARGIN_R, topMargin=MARGIN_T,
               bottomMargin=MARGIN_B, title=strip_joiners(b.title), author=data.prepared_by or
               data.document.get("issuer") or "esplan",
               subject=T("report.emergency_supplies_and_shelter_plan", scenario=b.scen_label(data.result.scenario)),
               creator=f"esplan {data.version}", producer=f"esplan {data.version} (reportlab)",
               keywords=[data.district_name or "", data.result.scenario, data.result.inputs_hash[:16]],
               lang="zh-CN" if data.lang == "zh" else "en", initialFontName=b.font)
    frame_cover = Frame(MARGIN_L, MARGIN_B, BODY_W, PAGE_H - MARGIN_T - MARGIN_B, id="cover")
    frame_body = Frame(MARGIN_L, MARGIN_B, BODY_W, PAGE_H - MARGIN_T - MARGIN_B, id="body")
    doc.addPageTemplates([PageTemplate("cover", [frame_cover], onPage=b.on_cover_page),
                          PageTemplate("body", [frame_body], onPage=b.on_body_page)])
    out.parent.mkdir(parents=True, exist_ok=True)
    _Canvas.pages = {}
    doc.build(story, canvasmaker=_Canvas)
    build_pdf.last_layout = (dict(b.page_fill), set(b.chapter_pages))   # type: ignore[attr-defined]
    return out
