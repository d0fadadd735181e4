"""The printed plan: an A4 PDF built with reportlab platypus from a :class:`ReportData`.

Sections (Chinese numbering in ``zh``): cover with sign-off fields; 一 summary of checks;
二 district map; 三 coverage by town; 四 shelters; 五 72-hour supply; 六 allocation (per shelter,
per source); 七 isolated villages; 八 findings and actions; 九 scenario comparison (when asked);
十 parameters, norms and assumptions; 附录 data sources. Every page after the cover carries a
running header (plan name, scenario) and "第 x 页 / 共 y 页"; headings become PDF bookmarks.
"""
from __future__ import annotations

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

from planner.engine.results import check_status, count_checks
from planner.progress import Span, tell
from planner.report import fmt
from planner.report.data import ReportData
from planner.report.fonts import has_glyphs, register_cjk_font

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


def _hex(c: Any) -> str:
    return "#" + c.hexval()[2:]


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _esc(s: Any) -> str:
    s = "" if s is None else str(s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Canvas(Canvas):
    """Defines the 'total pages' form at save time (pages reference it before it exists)."""

    font_name = "Helvetica"

    def save(self):
        total = self.getPageNumber() - 1
        self.beginForm(TOTAL_FORM, 0, -2, 40, 12)
        self.setFont(self.font_name, 8)
        self.setFillColor(MUTED)
        self.drawCentredString(_SLOT / 2, 0, str(total))
        self.endForm()
        super().save()


_SLOT = 14.0  # width reserved for the total page count


class _Doc(BaseDocTemplate):
    def __init__(self, filename, builder: _Builder, **kw):
        self.builder = builder
        super().__init__(filename, **kw)

    def afterFlowable(self, flowable):
        mark = getattr(flowable, "_esplan_bookmark", None)
        if mark is not None:
            key, title, level = mark
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)
        self.builder._tick()


class _Builder:
    def __init__(self, data: ReportData, progress: Any = None, span: tuple[float, float] = (0.0, 1.0)):
        self.d = data
        self.lang = data.lang
        self.font = register_cjk_font()
        self.progress = progress
        self.span = span
        self.marks_ok = has_glyphs("✔✘", self.font)
        self.story: list[Any] = []
        self.n_bookmarks = 0
        self.h1_count = 0
        self.h2_count = 0
        self._n_flow = 1
        self._k_flow = 0
        self._styles()

    # -- styles ---------------------------------------------------------------------------------
    def _styles(self) -> None:
        f = self.font
        wrap = "CJK" if self.lang == "zh" else None
        base = dict(fontName=f, textColor=INK, wordWrap=wrap)
        self.s_body = ParagraphStyle("body", fontSize=9.5, leading=15, spaceAfter=4, firstLineIndent=0, **base)
        self.s_small = ParagraphStyle("small", fontSize=8, leading=11.5, textColor=MUTED, fontName=f,
                                      wordWrap=wrap, spaceAfter=3)
        self.s_note = ParagraphStyle("note", fontSize=8.2, leading=12, fontName=f, wordWrap=wrap,
                                     textColor=INK, backColor=C("#FFF8E6"), borderColor=C("#E0C27A"),
                                     borderWidth=0.6, borderPadding=(4, 5, 4, 5), spaceBefore=4, spaceAfter=8)
        self.s_h1 = ParagraphStyle("h1", fontSize=15, leading=21, textColor=ACCENT, spaceBefore=6,
                                   spaceAfter=8, keepWithNext=1, fontName=f, wordWrap=wrap)
        self.s_h2 = ParagraphStyle("h2", fontSize=11.5, leading=16, textColor=ACCENT, spaceBefore=8,
                                   spaceAfter=5, keepWithNext=1, fontName=f, wordWrap=wrap)
        self.s_h3 = ParagraphStyle("h3", fontSize=9.5, leading=13, textColor=INK, spaceBefore=6,
                                   spaceAfter=3, keepWithNext=1, fontName=f, wordWrap=wrap)
        self.s_cell = ParagraphStyle("cell", fontSize=8, leading=10.2, fontName=f, wordWrap=wrap, textColor=INK)
        self.s_cell_r = ParagraphStyle("cellr", parent=self.s_cell, alignment=TA_RIGHT)
        self.s_cell_c = ParagraphStyle("cellc", parent=self.s_cell, alignment=TA_CENTER)
        self.s_head = ParagraphStyle("head", fontSize=8, leading=10.2, fontName=f, wordWrap=wrap,
                                     textColor=ACCENT, alignment=TA_CENTER)
        self.s_title = ParagraphStyle("title", fontSize=24, leading=34, alignment=TA_CENTER, textColor=ACCENT,
                                      fontName=f, wordWrap=wrap)
        self.s_subtitle = ParagraphStyle("subtitle", fontSize=13, leading=19, alignment=TA_CENTER,
                                         textColor=INK, fontName=f, wordWrap=wrap)
        self.s_cover_small = ParagraphStyle("coversmall", fontSize=11, leading=16, alignment=TA_CENTER,
                                            textColor=MUTED, fontName=f, wordWrap=wrap)

    # -- helpers -------------------------------------------------------------------------------
    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def _tick(self) -> None:
        self._k_flow += 1
        if self.progress is None or self._k_flow % 25:
            return
        tell(Span(self.progress, *self.span), self._k_flow / max(1, self._n_flow), self.t("排版", "laying out pages"))

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(text, style or self.s_body)

    def add(self, *flowables: Any) -> None:
        self.story.extend(flowables)

    def _bookmark(self, flow: Any, title: str, level: int) -> Any:
        self.n_bookmarks += 1
        flow._esplan_bookmark = (f"sec{self.n_bookmarks}", title, level)
        return flow

    def h1(self, zh: str, en: str, new_page: bool = True) -> None:
        self.h1_count += 1
        self.h2_count = 0
        n = self.h1_count
        title = f"{ZH_NUM[n - 1] if n <= 10 else n}、{zh}" if self.lang == "zh" else f"{n}. {en}"
        if new_page:
            self.add(PageBreak())
        para = self._bookmark(self.p(_esc(title), self.s_h1), title, 0)
        self.add(para, HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=0, spaceAfter=8))

    def appendix(self, zh: str, en: str) -> None:
        title = self.t(zh, en)
        self.add(PageBreak(), self._bookmark(self.p(_esc(title), self.s_h1), title, 0),
                 HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=0, spaceAfter=8))

    def h2(self, zh: str, en: str) -> None:
        self.h2_count += 1
        k = self.h2_count
        title = f"（{ZH_NUM[k - 1] if k <= 10 else k}）{zh}" if self.lang == "zh" else f"{self.h1_count}.{k} {en}"
        self.add(CondPageBreak(60), self._bookmark(self.p(_esc(title), self.s_h2), title, 1))

    def h3(self, text: str) -> None:
        self.add(self.p(text, self.s_h3))

    def mark(self, passed: bool | None) -> str:
        if passed is None:
            return f'<font color="#B26A00">{self.t("无法评估", "unknown")}</font>'
        if passed:
            sym = "✔ " if self.marks_ok else ""
            return f'<font color="{_hex(OK)}">{sym}{self.t("达标", "pass")}</font>'
        sym = "✘ " if self.marks_ok else ""
        return f'<font color="{_hex(BAD)}">{sym}{self.t("未达标", "FAIL")}</font>'

    def table(self, header: list[str], rows: list[list[Any]], widths: list[float], *,
              align: str | None = None, total_row: bool = False, long: bool | None = None,
              style_extra: list[tuple] | None = None, head_rows: int = 1, font_size: float = 8.0,
              header_cells: list[list[Any]] | None = None, zebra: bool = True) -> Table:
        """A table with a shaded header repeated on every page; cells: str → Paragraph.

        ``align``: one letter per column, l / r / c (numbers right-aligned).
        """
        align = align or "l" * len(header)
        styles = {"l": self.s_cell, "r": self.s_cell_r, "c": self.s_cell_c}
        if font_size != 8.0:
            styles = {k: ParagraphStyle(f"{v.name}{font_size}", parent=v, fontSize=font_size,
                                        leading=font_size * 1.28) for k, v in styles.items()}
        # Latin-only text wraps at spaces (CJK wrapping would split words like "Escaldes-Engordany")
        latin = {k: ParagraphStyle(f"{v.name}-latin", parent=v, wordWrap=None) for k, v in styles.items()}
        cjk = {k: ParagraphStyle(f"{v.name}-cjk", parent=v, wordWrap="CJK") for k, v in styles.items()}
        body: list[list[Any]] = []
        if header_cells is not None:
            body.extend(header_cells)
        else:
            body.append([Paragraph(_esc(h), self.s_head) if isinstance(h, str) else h for h in header])
        for r in rows:
            out = []
            for k, v in enumerate(r):
                if isinstance(v, str) and "<" not in v and "&" not in v and \
                        stringWidth(v, self.font, font_size) <= widths[k] - 7:
                    out.append(v)     # fits on one line: a plain cell is much faster than a Paragraph
                elif isinstance(v, str):
                    out.append(Paragraph(v, cjk[align[k]] if _CJK.search(v) else latin[align[k]]))
                elif v is None:
                    out.append("")
                else:
                    out.append(v)
            body.append(out)
        if long is None:
            long = len(rows) > 25
        cls = LongTable if long else Table
        t = cls(body, colWidths=widths, repeatRows=head_rows, hAlign="LEFT")
        st: list[tuple] = [
            ("FONT", (0, 0), (-1, -1), self.font, font_size),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("GRID", (0, 0), (-1, -1), 0.35, GRID),
            ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
            ("TOPPADDING", (0, 0), (-1, -1), 2.2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        for k, a in enumerate(align):
            if a in "rc":
                st.append(("ALIGN", (k, head_rows), (k, -1), "RIGHT" if a == "r" else "CENTER"))
        if head_rows:
            st += [("BACKGROUND", (0, 0), (-1, head_rows - 1), HEAD_BG),
                   ("LINEBELOW", (0, head_rows - 1), (-1, head_rows - 1), 0.8, ACCENT)]
        n = len(rows)
        for i in range(head_rows, head_rows + n - (1 if total_row else 0)):
            if zebra and (i - head_rows) % 2 == 1:
                st.append(("BACKGROUND", (0, i), (-1, i), ZEBRA))
        if total_row and n:
            st += [("BACKGROUND", (0, -1), (-1, -1), HEAD_BG), ("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)]
        if style_extra:
            st += style_extra
        t.setStyle(TableStyle(st))
        return t

    def widths(self, *fractions: float) -> list[float]:
        s = sum(fractions)
        return [BODY_W * f / s for f in fractions]

    def scen_label(self, name: str | None) -> str:
        if not name or name == "baseline":
            return self.t("基准情景", "baseline")
        return name

    def bold(self, s: str) -> str:
        return f'<font color="{_hex(ACCENT)}">{s}</font>'

    # -- page decoration -----------------------------------------------------------------------
    def on_body_page(self, canv: Canvas, doc: Any) -> None:
        d = self.d
        canv.saveState()
        canv.setFont(self.font, 8)
        canv.setFillColor(MUTED)
        top = PAGE_H - 14 * mm
        canv.drawString(MARGIN_L, top, _clip(d.plan_name, 60))
        canv.drawRightString(PAGE_W - MARGIN_R, top,
                             self.t("情景：", "Scenario: ") + _clip(self.scen_label(d.result.scenario), 40))
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(0.6)
        canv.line(MARGIN_L, top - 3, PAGE_W - MARGIN_R, top - 3)
        # footer
        y = 11 * mm
        canv.setLineWidth(0.4)
        canv.setStrokeColor(GRID)
        canv.line(MARGIN_L, y + 9, PAGE_W - MARGIN_R, y + 9)
        canv.setFillColor(MUTED)
        canv.setFont(self.font, 7)
        canv.drawString(MARGIN_L, y, f"esplan {d.version} · {d.result.inputs_hash[:12]}")
        canv.drawRightString(PAGE_W - MARGIN_R, y, d.date.isoformat())
        canv.setFont(self.font, 8)
        n = canv.getPageNumber()
        if self.lang == "zh":
            left, right = f"第 {n} 页 / 共", "页"
        else:
            left, right = f"Page {n} of", ""
        cx = PAGE_W / 2
        canv.drawRightString(cx - _SLOT / 2 - 1.5, y, left)
        if right:
            canv.drawString(cx + _SLOT / 2 + 1.5, y, right)
        canv.translate(cx - _SLOT / 2, y)
        canv.doForm(TOTAL_FORM)
        canv.restoreState()

    def on_cover_page(self, canv: Canvas, doc: Any) -> None:
        canv.saveState()
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(2.5)
        canv.line(MARGIN_L, PAGE_H - 18 * mm, PAGE_W - MARGIN_R, PAGE_H - 18 * mm)
        canv.setLineWidth(0.8)
        canv.line(MARGIN_L, PAGE_H - 19.6 * mm, PAGE_W - MARGIN_R, PAGE_H - 19.6 * mm)
        canv.setLineWidth(0.8)
        canv.line(MARGIN_L, 18 * mm, PAGE_W - MARGIN_R, 18 * mm)
        canv.setFont(self.font, 7.5)
        canv.setFillColor(MUTED)
        canv.drawCentredString(PAGE_W / 2, 13 * mm, self.t(
            f"本文件由 esplan {self.d.version} 根据规划数据自动生成，数值均可由输入数据指纹复核。",
            f"Generated by esplan {self.d.version} from the plan data; every figure can be reproduced "
            f"from the inputs hash."))
        canv.restoreState()

    # -- sections ------------------------------------------------------------------------------
    def build_story(self, map_result: Any, detail: Any = None) -> list[Any]:
        self.cover()
        self.add(NextPageTemplate("body"))
        self.summary()
        self.map_section(map_result, detail)
        self.coverage()
        self.shelters()
        self.supply()
        self.allocation()
        self.isolation()
        self.findings()
        if self.d.comparison:
            self.comparison(self.d.comparison)
        self.assumptions()
        self.sources()
        self._n_flow = max(1, len(self.story))
        return self.story

    def cover(self) -> None:
        d, r = self.d, self.d.result
        T = self.t
        self.add(Spacer(1, 28 * mm))
        if d.district_name:
            self.add(self.p(_esc(d.district_name), self.s_cover_small), Spacer(1, 4 * mm))
        self.add(self._bookmark(self.p(_esc(d.plan_name or T("应急物资与避难场所规划", "Emergency plan")),
                                       self.s_title), T("封面", "Cover"), 0))
        self.add(Spacer(1, 5 * mm))
        self.add(self.p(T("应急物资储备与避难场所布局规划<br/>检查结论与物资调配方案",
                          "Emergency supplies and shelter plan<br/>checks and allocation"), self.s_subtitle))
        self.add(Spacer(1, 14 * mm))
        params = {p["name"]: p for p in r.parameters}
        target = params.get("target_affected", {}).get("value") or d.target_population
        event_date = params.get("event_date", {}).get("value")
        scen = self.scen_label(r.scenario)
        if d.scenario_description:
            scen += f"（{_esc(d.scenario_description)}）" if self.lang == "zh" else f" ({_esc(d.scenario_description)})"
        rows = [
            [T("行政区划", "District"), _esc(" ".join(x for x in [d.district_name, d.district_code] if x) or "—")],
            [T("规划情景", "Scenario"), scen],
            [T("保障目标人口", "Target population"), fmt.people(target, self.lang)],
            [T("评估基准日", "Event date"), _esc(event_date or "—")],
            [T("编制日期", "Date"), d.date.isoformat()],
            [T("软件与引擎版本", "Software / engine"), f"esplan {_esc(d.version)} · engine {_esc(r.engine_version)}"],
            [T("输入数据指纹（SHA-256）", "Inputs hash (SHA-256)"),
             f'<font size="7">{_esc(r.inputs_hash)}</font>'],
        ]
        if d.comparison:
            rows.insert(2, [T("对比情景", "Compared with"),
                            "、".join(_esc(self.scen_label(s)) for s in d.comparison["scenarios"][1:])])
        t = self.table(["", ""], [[self.bold(a), b] for a, b in rows], self.widths(30, 70), align="ll",
                       header_cells=[], head_rows=0, font_size=9.5, zebra=False,
                       style_extra=[("BACKGROUND", (0, 0), (0, -1), HEAD_BG),
                                    ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)])
        t.hAlign = "CENTER"
        self.add(t, Spacer(1, 10 * mm))
        n = len(r.checks)
        ok_n, failed, unknown = _counts(r.checks)
        unk = T(f"，<font color='#B26A00'>{unknown} 项因数据缺失无法评估</font>",
                f", <font color='#B26A00'>{unknown} cannot be assessed (missing data)</font>") if unknown else ""
        if failed or unknown:
            verdict = T(f"检查结论：{n} 项检查中 {ok_n} 项达标，<font color='#C62828'>{failed} 项未达标</font>{unk}",
                        f"Result: {ok_n} of {n} checks pass, <font color='#C62828'>{failed} fail</font>{unk}")
        else:
            verdict = T(f"检查结论：{n} 项检查全部达标", f"Result: all {n} checks pass")
        vs = ParagraphStyle("verdict", parent=self.s_subtitle, fontSize=12,
                            borderColor=BAD if failed else (WARN if unknown else OK),
                            borderWidth=1, borderPadding=6, backColor=C("#FBFBFB"))
        self.add(self.p(verdict, vs), Spacer(1, 14 * mm))
        sign = [[T("编制", "Prepared by"), _esc(d.prepared_by or ""), "", ""],
                [T("审核", "Reviewed by"), "", "", ""],
                [T("批准", "Approved by"), "", "", ""]]
        head = [T("职责", "Role"), T("姓名", "Name"), T("签字", "Signature"), T("日期", "Date")]
        st = self.table(head, sign, self.widths(18, 30, 30, 22), align="cccc", font_size=10, zebra=False,
                        style_extra=[("TOPPADDING", (0, 1), (-1, -1), 9), ("BOTTOMPADDING", (0, 1), (-1, -1), 9)])
        st.hAlign = "CENTER"
        self.add(st)

    def summary(self) -> None:
        d, r = self.d, self.d.result
        T, L = self.t, self.lang
        s = r.summary
        cov = r.coverage
        self.h1("检查结论", "Summary of checks", new_page=True)
        thr = fmt.qty(cov.get("threshold_min"))
        mode = T("步行", "walking") if cov.get("mode") == "walk" else T("车行", "driving")
        self.add(self.p(T(
            f"本方案按“{thr}分钟避难圈”和“72小时基本生活保障”目标，对{_esc(d.district_name or '')}"
            f"的避难场所容量、{mode}可达性、应急物资储备及首批调运进行检查。"
            f"各项检查的结果与目标如下表，未达标项的原因与建议措施见第八部分。",
            f"The plan is checked against the {thr}-minute shelter circle and 72-hour basic living support "
            f"targets: shelter capacity, {mode} access, reserve stock and the first-batch allocation. "
            f"Failed checks are explained with actions in section 8.")))
        # key figures
        kf = [
            (T("人口（已登记单元）", "Population (units)"), fmt.people(s.get("population"), L)),
            (T("避难需求", "Sheltering demand"), fmt.people(s.get("sheltering_demand"), L)),
            (T(f"{thr}分钟内可安置", f"Served within {thr} min"),
             f"{fmt.people(s.get('served'), L)}（{fmt.pct(s.get('served_share'))}）" if L == "zh" else
             f"{fmt.people(s.get('served'), L)} ({fmt.pct(s.get('served_share'))})"),
            (T("可达但容量不足", "Reachable, shelters full"), fmt.people(s.get("over_capacity"), L)),
            (T(f"{thr}分钟内不可达", f"No shelter within {thr} min"), fmt.people(s.get("unreachable"), L)),
            (T("未定位/距路网过远", "Not located / off network"),
             fmt.people((s.get("unlocated") or 0) + (s.get("off_network") or 0), L)),
            (T("开放避难场所", "Open shelters"), f"{fmt.integer(s.get('open_shelters'))}" + T(" 处", "")),
            (T("避难容量（其中室内）", "Capacity (indoor)"),
             f"{fmt.people(s.get('shelter_capacity'), L)}（{fmt.integer(s.get('indoor_capacity'))}）" if L == "zh"
             else f"{fmt.integer(s.get('shelter_capacity'))} ({fmt.integer(s.get('indoor_capacity'))})"),
            (T("物资缺口品类", "Items short"), f"{fmt.integer(s.get('supply_items_short'))}" + T(" 类", "")),
            (T("物资缺口金额", "Cost of shortfall"), fmt.money(s.get("supply_shortfall_cost"), L)),
            (T("首批调运满足率", "First batch delivered"), fmt.pct(s.get("allocation_shipped_share"))),
            (T("与仓库隔断的单元（人口）", "Units cut off (people)"),
             f"{fmt.integer(s.get('isolated_units'))}（{fmt.people(s.get('isolated_population'), L)}）" if L == "zh"
             else f"{fmt.integer(s.get('isolated_units'))} ({fmt.integer(s.get('isolated_population'))})"),
        ]
        rows = []
        for k in range(0, len(kf), 2):
            a = kf[k]
            b = kf[k + 1] if k + 1 < len(kf) else ("", "")
            rows.append([_esc(a[0]), a[1], _esc(b[0]), b[1]])
        self.h2("主要指标", "Key figures")
        self.add(self.table([T("指标", "Figure"), T("数值", "Value"), T("指标", "Figure"), T("数值", "Value")],
                            rows, self.widths(30, 20, 30, 20), align="lrlr"))
        self.h2("检查项与目标", "Checks against targets")
        rows = []
        for k, c in enumerate(r.checks, 1):
            name = c["name_zh"] if L == "zh" else c["name_en"]
            rows.append([str(k), _esc(name), self.check_value(c, c["value"]), self.check_target(c),
                         self.mark(None if check_status(c) == "unknown" else c["passed"]), _esc(self.check_basis(c))])
        self.add(self.table([T("序号", "No."), T("检查项", "Check"), T("结果", "Value"), T("目标", "Target"),
                             T("判定", "Result"), T("计算依据", "Basis")], rows,
                            self.widths(6, 30, 13, 12, 12, 37), align="clrrcl"))
        ok_n, failed, unknown = _counts(r.checks)
        self.add(Spacer(1, 4), self.p(T(
            f"共 {len(r.checks)} 项检查，{ok_n} 项达标，{failed} 项未达标"
            + (f"，{unknown} 项因数据缺失无法评估。" if unknown else "。"),
            f"{len(r.checks)} checks: {ok_n} pass, {failed} fail"
            + (f", {unknown} cannot be assessed (missing data)." if unknown else ".")), self.s_small))

    def check_value(self, c: dict[str, Any], v: Any) -> str:
        if c.get("unit") == "share":
            return fmt.pct(v)
        if c.get("unit") == "min":
            return fmt.minutes(v, self.lang)
        return f"{fmt.qty(v)} {_esc(c.get('unit') or '')}".strip()

    def check_target(self, c: dict[str, Any]) -> str:
        op = "≤" if c.get("unit") == "min" else "≥"
        v = c.get("target")
        if isinstance(v, (int, float)) and c.get("unit") == "share" and abs(v * 100 - round(v * 100)) < 1e-9:
            return f"{op} {fmt.pct(v, 0)}"
        if isinstance(v, (int, float)) and c.get("unit") == "min" and v == int(v):
            return f"{op} {int(v)} " + self.t("分钟", "min")
        return f"{op} {self.check_value(c, v)}"

    def check_basis(self, c: dict[str, Any]) -> str:
        r = self.d.result
        if self.lang != "zh":
            return c.get("detail") or ""
        t = r.coverage.get("totals", {})
        cid = c["id"]
        mode = "步行" if r.coverage.get("mode") == "walk" else "车行"
        thr = fmt.qty(r.coverage.get("threshold_min"))
        if cid == "served_within_threshold":
            return f"{thr}分钟内安置 {fmt.integer(t.get('served'))} 人 / 避难需求 {fmt.integer(t.get('demand'))} 人"
        if cid == "capacity_share_of_demand":
            return (f"开放避难场所容量 {fmt.integer(t.get('capacity'))} 人 / 规划避难需求 "
                    f"{fmt.integer(t.get('planning_demand'))} 人")
        if cid == "indoor_share_of_capacity":
            return f"室内容量 {fmt.integer(t.get('indoor_capacity'))} 人 / 总容量 {fmt.integer(t.get('capacity'))} 人"
        if cid == "fixed_capacity_share_of_population":
            return (f"短/中/长期固定避难场所容量 {fmt.integer(t.get('fixed_capacity'))} 人 / 规划人口 "
                    f"{fmt.integer(t.get('planned_population'))} 人（GB 51143）")
        if cid == "indoor_area_share_of_fixed":
            m = re.match(r"indoor ([\d.]+) m² of ([\d.]+) m² effective area in (\d+) open", c.get("detail") or "")
            if m:
                return (f"室内有效面积 {fmt.integer(float(m.group(1)))} m² / 固定避难场所有效面积 "
                        f"{fmt.integer(float(m.group(2)))} m²（{m.group(3)} 处；GB/T 51327-2018 §7.2.2 不宜低于30%）")
        if cid in ("mean_time_min", "p95_time_min", "max_time_min"):
            return f"按人口加权，{mode}至最近开放避难场所；以往响应时间 45 分钟"
        if cid.startswith("supply_"):
            key = cid[len("supply_"):]
            it = next((i for i in r.supply.get("items", []) if i.get("key") == key), None)
            if it:
                return f"可用 {fmt.qty(it.get('usable'))} / 需求 {fmt.qty(it.get('required'))} {it.get('unit') or ''}"
        return c.get("detail") or ""

    def map_section(self, m: Any, detail: Any = None) -> None:
        T = self.t
        self.h1("区域图", "District map")
        self.add(m.drawing)
        notes = list(m.notes)
        d = self.d
        if not d.boundary_authoritative:
            notes.append(T("本图为工作示意图，区界为简化轮廓，不是审图号标准地图，不得作为权威边界使用。",
                           "Working sketch: the outline is simplified, not an approved standard map (审图号); "
                           "it must not be used as an authoritative boundary."))
        if d.osm_attribution:
            notes.append(T("路网与地名数据：© OpenStreetMap contributors，依 ODbL 1.0 许可使用。",
                           "Roads and places: © OpenStreetMap contributors, ODbL 1.0."))
        for n in notes:
            self.add(self.p(_esc(n), self.s_note))
        if detail is not None:
            self.add(PageBreak())
            self.h2("局部放大图", "Detail")
            self.add(self.p(T("主图中红色虚线框范围的放大图（标注站点编号，与各表对应），图例同上。",
                              "The area in the red dashed box of the main map, enlarged, with site codes as in "
                              "the tables; legend as above."), self.s_small), detail.drawing)

    def coverage(self) -> None:
        d, r = self.d, self.d.result
        T, L = self.t, self.lang
        cov = r.coverage
        thr = fmt.qty(cov.get("threshold_min"))
        self.h1(f"{thr}分钟避难圈覆盖情况", f"{thr}-minute shelter coverage")
        self.add(self.p(T(
            f"覆盖按道路网络上的{'步行' if cov.get('mode') == 'walk' else '车行'}时间计算，并考虑避难场所容量："
            f"每个人口单元的人员先分配到{thr}分钟内可达且有余量的避难场所（“可安置”）；"
            f"可达但容量已满的为“容量不足”；{thr}分钟内无可达避难场所的为“不可达”；"
            f"无坐标或距路网过远的单元不参与计算，单列。",
            f"Coverage uses network travel times ({cov.get('mode')}) and shelter capacity: people are assigned to "
            f"shelters within {thr} min that have room (served); reachable but full shelters give 'over capacity'; "
            f"no shelter within {thr} min is 'unreachable'; units without coordinates or far from the network "
            f"are listed separately.")))
        self.h2("分镇街覆盖", "Coverage by town")
        rows = []
        tot = {k: 0.0 for k in ("population", "demand", "served", "over_capacity", "unreachable", "miss")}
        for tw in cov.get("towns", []):
            miss = (tw.get("unlocated") or 0) + (tw.get("off_network") or 0)
            reg = d.towns.get(str(tw.get("town")))
            rows.append([_esc(d.town_name(tw.get("town")) if tw.get("town") else (tw.get("name") or "—")),
                         fmt.integer(reg.population if reg else None),
                         fmt.integer(tw.get("population")), fmt.integer(tw.get("demand")),
                         fmt.integer(tw.get("served")), fmt.pct(tw.get("served_share")),
                         fmt.integer(tw.get("over_capacity")), fmt.integer(tw.get("unreachable")),
                         fmt.integer(miss)])
            for k in ("population", "demand", "served", "over_capacity", "unreachable"):
                tot[k] += tw.get(k) or 0
            tot["miss"] += miss
        tt = cov.get("totals", {})
        reg_total = sum((t.population or 0) for t in d.towns.values()) if d.towns else None
        rows.append([T("合计", "Total"), fmt.integer(reg_total), fmt.integer(tt.get("population", tot["population"])),
                     fmt.integer(tt.get("demand", tot["demand"])), fmt.integer(tt.get("served", tot["served"])),
                     fmt.pct(tt.get("served_share")), fmt.integer(tt.get("over_capacity", tot["over_capacity"])),
                     fmt.integer(tt.get("unreachable", tot["unreachable"])),
                     fmt.integer((tt.get("unlocated") or 0) + (tt.get("off_network") or 0))])
        self.add(self.table([T("镇街", "Town"), T("镇街登记人口", "Town population"), T("单元人口", "Unit population"),
                             T("避难需求", "Demand"), T("可安置", "Served"), T("安置比例", "Served %"),
                             T("容量不足", "Over capacity"), T("不可达", "Unreachable"),
                             T("未定位", "Not located")], rows,
                            self.widths(19, 11, 10, 10, 10, 9, 11, 10, 10), align="lrrrrrrrr", total_row=True))
        self.add(self.p(T("单位：人。“镇街登记人口”为镇街名录中的人口（如普查数）；其余各列按已登记的村/社区人口单元计算。",
                          "People. 'Town population' is the registered town figure (e.g. census); the other columns "
                          "sum the registered village / community units."), self.s_small))
        # units not (fully) served
        units = [u for u in cov.get("units", []) if (u.get("over_capacity") or 0) + (u.get("unreachable") or 0) > 0]
        if units:
            self.h2("未完全覆盖的人口单元", "Units not fully served")
            units.sort(key=lambda u: (str(u.get("town")),
                                      -((u.get("over_capacity") or 0) + (u.get("unreachable") or 0))))
            rows = []
            for u in units:
                near = u.get("nearest_shelter")
                rows.append([_esc(u.get("name")), _esc(d.town_name(u.get("town"))), fmt.integer(u.get("population")),
                             fmt.integer(u.get("served")), fmt.integer(u.get("over_capacity")),
                             fmt.integer(u.get("unreachable")),
                             _esc(f"{near} {d.site_name(near)}" if near else "—"),
                             fmt.minutes(u.get("nearest_min"), L)])
            self.add(self.table([T("人口单元", "Unit"), T("镇街", "Town"), T("人口", "Population"),
                                 T("可安置", "Served"), T("容量不足", "Over cap."), T("不可达", "Unreach."),
                                 T("最近避难场所", "Nearest shelter"), T("时间", "Time")], rows,
                                self.widths(16, 17, 8, 8, 8, 8, 24, 11), align="llrrrrlr"))
        # not located
        miss = [u for u in cov.get("units", []) if u.get("snap_status") not in (None, "ok")]
        if miss:
            self.h2("未定位或距路网过远的人口单元", "Units not located or off the network")
            by_town: dict[str, list[str]] = {}
            for u in miss:
                tag = "" if u.get("snap_status") == "unlocated" else T("（距路网过远）", " (off network)")
                pop = u.get("population")
                pop_s = ((f"（{fmt.integer(pop)}）" if L == "zh" else f" ({fmt.integer(pop)})") if pop else "")
                by_town.setdefault(d.town_name(u.get("town")), []).append(f"{_esc(u.get('name'))}{tag}{pop_s}")
            rows = [[_esc(t), str(len(v)), ("、" if L == "zh" else ", ").join(v)] for t, v in sorted(by_town.items())]
            n_pop = sum(1 for u in miss if u.get("population"))
            self.add(self.p(T(f"以下 {len(miss)} 个单元无坐标或距路网过远，未参与覆盖计算，请补充位置"
                              + ("（括号内为人口；未注明的人口未知）：" if n_pop else "（人口亦均未知）："),
                              f"These {len(miss)} units have no coordinates or are far from the network and were "
                              f"not evaluated; add their locations"
                              + (" (population in brackets where known):" if n_pop else " (populations unknown too):")),
                            self.s_small))
            self.add(self.table([T("镇街", "Town"), T("单元数", "Units"), T("人口单元", "Units")], rows,
                                self.widths(16, 8, 76), align="lrl", font_size=7.5))

    def shelters(self) -> None:
        d, r = self.d, self.d.result
        T, L = self.t, self.lang
        sites = d.site_rows()
        self.h1("避难场所", "Shelters")
        shel = r.coverage.get("shelters", [])
        self.add(self.p(T(
            "容量按有效避难面积和人均面积标准计算（已填写设计容纳人数的以其为准）；“已分配”为覆盖计算中"
            "分配到该场所的人数。",
            "Capacity is the effective area divided by the per-person norm (or the stated design capacity); "
            "'assigned' is the number of people the coverage step put there.")))
        rows = []
        tot = {"in": 0.0, "out": 0.0, "cap": 0.0, "ind": 0.0, "ass": 0.0}
        extra: list[tuple[Any, ...]] = []
        for sh in shel:
            s = sites.get(sh.get("code"), {})
            util = sh.get("utilisation")
            status = fmt.label(fmt.STATUS, sh.get("status"), L)
            if not sh.get("open"):
                status += T("（不开放）", " (not open)")
            if sh.get("snap_status") not in (None, "ok"):
                status += f"（{fmt.label(fmt.SNAP, sh.get('snap_status'), L)}）" if L == "zh" else \
                    f" ({fmt.label(fmt.SNAP, sh.get('snap_status'), L)})"
            util_s = fmt.pct(util, 0) if util is not None else "—"
            if util is not None and util >= 0.999:
                util_s = f'<font color="#C62828">{util_s}</font>'
            rows.append([_esc(sh.get("code")), _esc(sh.get("name")), _esc(d.town_name(sh.get("town"))),
                         _esc(fmt.label(fmt.SHELTER_CLASS, sh.get("class"), L)), _esc(status),
                         fmt.area(s.get("indoor_area")), fmt.area(s.get("outdoor_area")),
                         fmt.integer(sh.get("capacity")), fmt.integer(sh.get("indoor_capacity")),
                         fmt.integer(sh.get("assigned")), util_s])
            for key, val in (("in", s.get("indoor_area")), ("out", s.get("outdoor_area")),
                             ("cap", sh.get("capacity")), ("ind", sh.get("indoor_capacity")),
                             ("ass", sh.get("assigned"))):
                tot[key] += val or 0
        if not rows:
            self.add(self.p(T("本规划尚未登记避难场所。", "No shelters registered yet."), self.s_note))
            return
        util_tot = tot["ass"] / tot["cap"] if tot["cap"] else None
        rows.append(["", T("合计", "Total"), "", "", "", fmt.area(tot["in"]), fmt.area(tot["out"]),
                     fmt.integer(tot["cap"]), fmt.integer(tot["ind"]), fmt.integer(tot["ass"]), fmt.pct(util_tot, 0)])
        self.add(self.table([T("编号", "Code"), T("名称", "Name"), T("镇街", "Town"), T("类别", "Class"),
                             T("状态", "Status"), T("室内面积", "Indoor m²"), T("室外面积", "Outdoor m²"),
                             T("容量", "Cap."), T("室内容量", "Indoor cap."), T("已分配", "Assigned"),
                             T("利用率", "Use")], rows,
                            self.widths(7, 21, 16, 5.5, 5.5, 7.5, 7.5, 7.5, 7.5, 7.5, 7) if L == "zh" else
                            self.widths(7, 17.5, 16.5, 7, 6, 7.5, 8, 7.5, 7.5, 8.5, 6),
                            align="lllllrrrrrr", total_row=True, style_extra=extra))
        self.add(self.p(T("单位：面积 m²，容量、已分配 人。利用率达 100% 的以红色标出。",
                          "Units: area m², capacity and assigned in people. Red: full (100 %)."), self.s_small))
        unloc = [sh for sh in shel if sh.get("snap_status") not in (None, "ok")]
        if unloc:
            self.add(Spacer(1, 3), self.p(T(
                f"{len(unloc)} 处避难场所无坐标或距路网过远，未参与覆盖计算：" + "、".join(
                    _esc(f"{sh['code']} {sh['name']}") for sh in unloc) + "。",
                f"{len(unloc)} shelters are not located or off the network and were not used: " + ", ".join(
                    _esc(f"{sh['code']} {sh['name']}") for sh in unloc) + "."), self.s_note))
        basis = sorted({sh.get("capacity_basis") for sh in shel if sh.get("capacity_basis")})
        if basis:
            if L == "zh":
                basis = [re.sub(r"^area/(\S+) m²$", r"有效面积 ÷ \1 m²/人", b) for b in basis]
            self.add(self.p(T("容量计算依据：", "Capacity basis: ")
                            + _esc("；".join(basis) if L == "zh" else "; ".join(basis)),
                            self.s_small))

    def supply(self) -> None:
        d, r = self.d, self.d.result
        T, L = self.t, self.lang
        sup = r.supply
        self.h1("72小时基本生活物资保障", "72-hour basic living supplies")
        self.add(self.p(T(
            f"需求按保障目标人口 {fmt.integer(sup.get('people'))} 人、{fmt.qty(sup.get('days'))} 天和保障标准计算。"
            f"只计入在评估基准日（{_esc(sup.get('event_date'))}）未过期、协议储备在约定时限内、"
            f"且能在首批时限 {fmt.qty(sup.get('deadline_h'))} 小时内经道路送达避难场所的库存。",
            f"Requirement for the target population of {fmt.integer(sup.get('people'))} over "
            f"{fmt.qty(sup.get('days'))} days from the norms. Only stock unexpired on the event date "
            f"({_esc(sup.get('event_date'))}), agreement stock within its lead time, and stock that can reach a "
            f"shelter by road within the first-batch deadline ({fmt.qty(sup.get('deadline_h'))} h) counts.")))
        self.h2("分品类需求与缺口", "Requirement and shortfall by item")
        rows = []
        for it in sup.get("items", []):
            name = it.get("name_zh") if L == "zh" else it.get("name_en")
            unus = {k: v for k, v in (it.get("unusable") or {}).items() if v}
            unus_s = "<br/>".join(f"{_esc(fmt.label(fmt.UNUSABLE, k, L))} {fmt.qty(v)}"
                                  for k, v in sorted(unus.items())) or "—"
            short = it.get("shortfall") or 0
            short_s = fmt.qty(short)
            if short > 0:
                short_s = f'<font color="#C62828">{short_s}</font>'
            rows.append([_esc(name), _esc(it.get("unit") or ""), _esc(fmt.norm_rate(it, L)),
                         fmt.qty(it.get("required")), fmt.qty(it.get("usable")), unus_s, short_s,
                         fmt.pct(it.get("coverage_ratio"), 0), fmt.money(it.get("shortfall_cost"), L)])
        total_cost = sup.get("shortfall_cost_total")
        rows.append([T("合计", "Total"), "", "", "", "", "", "", "", fmt.money(total_cost, L)])
        self.add(self.table([T("物资", "Item"), T("单位", "Unit"), T("标准", "Norm"), T("需求量", "Required"),
                             T("可用量", "Usable"), T("不可用（原因）", "Not usable (reason)"), T("缺口", "Shortfall"),
                             T("满足率", "Met"), T("缺口金额", "Cost")], rows,
                            self.widths(14, 6, 13, 10, 10, 18, 10, 7, 12), align="lllrrlrrr", total_row=True))
        if sup.get("no_norm"):
            self.add(self.p(T("以下物资在保障标准中无定额，未计算需求：", "Items without a norm (not checked): ")
                            + _esc("、".join(map(str, sup["no_norm"]))), self.s_small))
        towns = sup.get("towns", [])
        items = sup.get("items", [])
        if towns and items:
            self.h2("分镇街需求与本地可用量", "By town: requirement and local stock")
            self.add(self.p(T(
                "目标人口按各镇街人口比例分摊；“本地可用”为位于该镇街的储备点/仓库中可用的库存；"
                "缺口为本地库存不足部分（需由区级仓库或相邻镇街调入）。单元格为“需求 / 本地可用”，红色为本地缺口。",
                "The target population is split by town population share; 'local' is usable stock held in the "
                "town; red: local shortfall (to be brought from district warehouses or neighbouring towns). "
                "Cells: required / local usable."), self.s_small))
            keys = [i["key"] for i in items]
            head = [T("镇街", "Town"), T("分摊人口", "People")] + [
                f"{(i.get('name_zh') if L == 'zh' else i.get('name_en'))}（{i.get('unit') or ''}）" if L == "zh" else
                f"{i.get('name_en')} ({i.get('unit') or ''})" for i in items]
            rows = []
            for tw in towns:
                row = [_esc(d.town_name(tw.get("town")) if tw.get("town") else tw.get("name")),
                       fmt.integer((tw.get("share") or 0) * (sup.get("people") or 0))]
                for k in keys:
                    v = (tw.get("items") or {}).get(k) or {}
                    cell = f"{fmt.qty(v.get('required'))}<br/>{fmt.qty(v.get('usable_local'))}"
                    if (v.get("shortfall_local") or 0) > 0:
                        cell = (f"{fmt.qty(v.get('required'))}<br/><font color='#C62828'>"
                                f"{fmt.qty(v.get('usable_local'))}</font>")
                    row.append(cell)
                rows.append(row)
            n = len(keys)
            w_item = max(1.0, (BODY_W - 26 * mm - 16 * mm) / n)
            self.add(self.table(head, rows, [26 * mm, 16 * mm] + [w_item] * n, align="lr" + "r" * n,
                                font_size=7.2))

    def allocation(self) -> None:
        d, r = self.d, self.d.result
        T, L = self.t, self.lang
        al = r.allocation
        names = {i["key"]: (i.get("name_zh") if L == "zh" else i.get("name_en")) or i["key"]
                 for i in r.supply.get("items", [])}
        units = {i["key"]: i.get("unit") or "" for i in r.supply.get("items", [])}
        self.h1("物资调配方案", "Allocation plan")
        self.add(self.p(T(
            f"按首批 {fmt.qty(al.get('deadline_h'))} 小时时限，以最短送达时间为目标，将各仓库/储备点的可用库存"
            f"调往各避难场所（需求 = 分配到该场所的人数 × 保障标准）。未安置到避难场所的人员不在本表需求之内。",
            f"First batch within {fmt.qty(al.get('deadline_h'))} h, minimising delivery time: usable stock from "
            f"warehouses and reserve points to shelters (demand = people assigned to the shelter × norm). People "
            f"not assigned to a shelter are not in this demand.")))
        self.h2("调配汇总", "Summary by item")
        rows = []
        for it in al.get("items", []):
            k = it.get("key")
            dem = it.get("demand") or 0
            share = (it.get("shipped") or 0) / dem if dem else None
            rows.append([_esc(names.get(k, k)), _esc(units.get(k, "")), fmt.qty(it.get("demand")),
                         fmt.qty(it.get("shipped")), fmt.pct(share, 0), fmt.qty(it.get("unmet")),
                         fmt.minutes(it.get("mean_eta_min"), L)])
        self.add(self.table([T("物资", "Item"), T("单位", "Unit"), T("避难场所需求", "Demand"), T("调运量", "Shipped"),
                             T("满足率", "Met"), T("未满足", "Unmet"), T("平均送达", "Mean ETA")], rows,
                            self.widths(20, 8, 16, 16, 10, 16, 14), align="llrrrrr"))
        # per shelter
        shel = [s for s in al.get("shelters", []) if (s.get("people") or 0) > 0]
        if shel:
            self.h2("各避难场所物资清单", "Manifest per shelter")
            self.add(self.p(T("每个避难场所：应到物资、数量、来源及预计到达时间；未满足部分列明原因。",
                              "For each shelter: items, quantities, source and ETA; unmet demand with its reason."),
                            self.s_small))
            for s in shel:
                rows = []
                prev = None
                for ln in s.get("manifest", []):
                    k = ln.get("item")
                    src = ln.get("source")
                    same = k == prev
                    prev = k
                    rows.append(["" if same else _esc(names.get(k, k)), fmt.qty(ln.get("quantity")),
                                 _esc(ln.get("unit") or units.get(k, "")),
                                 _esc(f"{src} {d.site_name(src)}"), fmt.minutes(ln.get("eta_min"), L)])
                for ln in s.get("unmet", []):
                    k = ln.get("item")
                    rows.append([_esc(names.get(k, k)), f'<font color="#C62828">{fmt.qty(ln.get("quantity"))}</font>',
                                 _esc(units.get(k, "")),
                                 f'<font color="#C62828">{T("未满足：", "unmet: ")}'
                                 f'{_esc(fmt.label(fmt.UNMET, ln.get("reason"), L))}</font>', "—"])
                title = self.p(T(f"{_esc(s.get('shelter'))} {_esc(s.get('name'))} —— "
                                 f"安置 {fmt.integer(s.get('people'))} 人",
                                 f"{_esc(s.get('shelter'))} {_esc(s.get('name'))} — "
                                 f"{fmt.integer(s.get('people'))} people"),
                               self.s_h3)
                tbl = self.table([T("物资", "Item"), T("数量", "Qty"), T("单位", "Unit"), T("来源", "Source"),
                                  T("预计到达", "ETA")], rows, self.widths(22, 14, 8, 42, 14), align="lrllr",
                                 long=len(rows) > 30)
                self.add(KeepTogether([title, tbl]) if len(rows) <= 30 else title, *([] if len(rows) <= 30 else [tbl]))
        # per source
        srcs = [s for s in al.get("sources", []) if s.get("dispatch")]
        if srcs:
            self.h2("各储备点发运清单", "Dispatch list per source")
            for s in srcs:
                rows = []
                prev = None
                for ln in sorted(s.get("dispatch", []), key=lambda x: (str(x.get("shelter")), str(x.get("item")))):
                    k = ln.get("item")
                    dest = ln.get("shelter")
                    rows.append([_esc(f"{dest} {d.site_name(dest)}") if dest != prev else "", _esc(names.get(k, k)),
                                 fmt.qty(ln.get("quantity")),
                                 _esc(ln.get("unit") or units.get(k, "")), fmt.minutes(ln.get("eta_min"), L)])
                    prev = dest
                tot_ship = len({ln.get("shelter") for ln in s.get("dispatch", [])})
                title = self.p(f"{_esc(s.get('source'))} {_esc(s.get('name'))} —— "
                               + self.t(f"发往 {tot_ship} 处避难场所", f"to {tot_ship} shelters"), self.s_h3)
                tbl = self.table([T("目的避难场所", "To shelter"), T("物资", "Item"), T("数量", "Qty"),
                                  T("单位", "Unit"), T("预计到达", "ETA")], rows, self.widths(40, 22, 14, 9, 15),
                                 align="llrlr", long=len(rows) > 30)
                self.add(KeepTogether([title, tbl]) if len(rows) <= 30 else title, *([] if len(rows) <= 30 else [tbl]))
        if not shel and not srcs:
            self.add(self.p(T("本情景下没有可执行的调配（无安置人员或无可用库存）。",
                              "No allocation in this scenario (no people assigned or no usable stock)."), self.s_note))

    def isolation(self) -> None:
        d, r = self.d, self.d.result
        T, L = self.t, self.lang
        iso = r.isolation
        self.h1("易失联村庄（道路隔断）", "Villages cut off")
        self.add(self.p(T(
            f"“隔断”指人口单元在车行路网上，但没有任何开放的储备仓库能经道路到达；此时只能依靠本镇街的储备点。"
            f"本情景共有 {fmt.integer(iso.get('isolated_units'))} 个单元"
            f"（{fmt.people(iso.get('isolated_population'), L)}）"
            f"被隔断，开放的仓库 {fmt.integer(iso.get('open_warehouses'))} 处。",
            f"'Cut off': on the driving network, but no open warehouse can reach the unit by road; only local "
            f"reserve points can supply it. {fmt.integer(iso.get('isolated_units'))} units "
            f"({fmt.integer(iso.get('isolated_population'))} people) are cut off; open warehouses: "
            f"{fmt.integer(iso.get('open_warehouses'))}.")))
        pools = iso.get("pools", [])
        names = {i["key"]: (i.get("name_zh") if L == "zh" else i.get("name_en")) or i["key"]
                 for i in r.supply.get("items", [])}
        if pools:
            self.h2("按镇街：本地储备能否支撑72小时", "By town: can local stock cover 72 h")
            rows = []
            for p in pools:
                short = [names.get(i.get("item"), i.get("item")) for i in p.get("items", []) if not i.get("covered")]
                rows.append([_esc(d.town_name(p.get("town"))), fmt.integer(len(p.get("units", []))),
                             fmt.integer(p.get("people")),
                             _esc("、".join(p.get("local_points", [])) if L == "zh"
                                  else ", ".join(p.get("local_points", []))) or "—",
                             self.mark(p.get("covered_72h")),
                             _esc(("、" if L == "zh" else ", ").join(short)) or "—"])
            self.add(self.table([T("镇街", "Town"), T("单元数", "Units"), T("人口", "People"),
                                 T("本地储备点", "Local points"), T("72小时", "72 h"), T("不足品类", "Items short")],
                                rows, self.widths(16, 8, 10, 24, 11, 31), align="lrrlcl"))
        units = [u for u in iso.get("units", []) if u.get("status") == "isolated"]
        if units:
            self.h2("被隔断的人口单元", "Units cut off")
            rows = [[_esc(u.get("code")), _esc(u.get("name")), _esc(d.town_name(u.get("town"))),
                     fmt.integer(u.get("population")),
                     _esc(("、" if L == "zh" else ", ").join(u.get("local_points", []))) or "—",
                     T("是", "yes") if u.get("reached_by_reserve_point")
                     else f'<font color="#C62828">{T("否", "no")}</font>',
                     self.mark(u.get("covered_72h"))] for u in units]
            self.add(self.table([T("编码", "Code"), T("名称", "Name"), T("镇街", "Town"), T("人口", "People"),
                                 T("本地储备点", "Local points"), T("储备点可达", "Point reachable"),
                                 T("72小时保障", "72 h")], rows, self.widths(18, 18, 15, 9, 16, 11, 13),
                                align="lllrlcc"))
        elif not pools:
            self.add(self.p(T("本情景下没有被道路隔断的人口单元。", "No unit is cut off in this scenario."),
                            self.s_body))

    def _finding_text(self, f: dict[str, Any]) -> str:
        d, L = self.d, self.lang
        text = f.get(L) or f.get("zh") or f.get("en") or ""
        for k, v in fmt.UNUSABLE[L].items():
            text = re.sub(rf"\b{k}\b", v, text)
        if f.get("ref") == "isolation":
            m = re.match(r"^([^:：]+)([:：])", text)
            if m and m.group(1) in d.towns:
                text = d.town_name(m.group(1)) + text[len(m.group(1)):]
        return text

    def findings(self) -> None:
        r = self.d.result
        T = self.t
        self.h1("问题与建议措施", "Findings and recommended actions")
        acts = [f for f in r.findings if f.get("kind") == "action"]
        finds = [f for f in r.findings if f.get("kind") != "action"]
        if not r.findings:
            self.add(self.p(T("本情景下各项检查均达标，未发现需处理的问题。", "All checks pass; nothing to act on.")))
            return
        if acts:
            self.h2("建议措施", "Recommended actions")
            rows = [[str(k), _esc(self._finding_text(f)), self.sev(f.get("severity"))] for k, f in enumerate(acts, 1)]
            self.add(self.table([T("序号", "No."), T("措施", "Action"), T("等级", "Level")], rows,
                                self.widths(6, 82, 12), align="clc"))
        if finds:
            self.h2("问题与数据缺失", "Findings and missing data")
            rows = [[str(k), _esc(self._finding_text(f)), self.sev(f.get("severity"))] for k, f in enumerate(finds, 1)]
            self.add(self.table([T("序号", "No."), T("问题", "Finding"), T("等级", "Level")], rows,
                                self.widths(6, 82, 12), align="clc"))

    def sev(self, s: Any) -> str:
        if s == "fail":
            return f'<font color="#C62828">{self.t("未达标", "fail")}</font>'
        if s == "warn":
            return f'<font color="#B26A00">{self.t("提示", "warning")}</font>'
        return _esc(s or "—")

    def comparison(self, cmp: dict[str, Any]) -> None:
        d = self.d
        T, L = self.t, self.lang
        names = [self.scen_label(s) for s in cmp.get("scenarios", [])]
        if not names:
            return
        self.h1("情景对比", "Scenario comparison")
        self.add(self.p(T(f"以“{_esc(names[0])}”为参照，对比 {len(names) - 1} 个情景。差值 = 情景值 − 参照值。",
                          f"Reference: {_esc(names[0])}; {len(names) - 1} scenarios compared. "
                          f"Delta = scenario − reference.")))
        n = len(names)
        self.h2("检查项对比", "Checks")
        rows = []
        for c in cmp.get("checks", []):
            name = c.get("name_zh") if L == "zh" else c.get("name_en")
            row = [_esc(name), self.check_target(c)]
            vals, deltas, passed = c.get("values", []), c.get("deltas", []), c.get("passed", [])
            for k in range(n):
                v = vals[k] if k < len(vals) else None
                ok = passed[k] if k < len(passed) else None
                cell = self.check_value(c, v)
                if k > 0 and k < len(deltas) and deltas[k] is not None:
                    dv = deltas[k]
                    ds = (f"{dv * 100:+.1f} pp" if c.get("unit") == "share" else f"{dv:+,.1f}")
                    cell += f'<br/><font size="6.5" color="#5F6B76">{ds}</font>'
                if ok is not None:
                    cell = f'<font color="{"#1B7F3B" if ok else "#C62828"}">{cell}</font>' if k == 0 else \
                        cell.replace(self.check_value(c, v),
                                     f'<font color="{"#1B7F3B" if ok else "#C62828"}">'
                                     f'{self.check_value(c, v)}</font>', 1)
                row.append(cell)
            rows.append(row)
        wname = 30.0
        wt = 12.0
        wv = (100 - wname - wt) / n
        self.add(self.table([T("检查项", "Check"), T("目标", "Target")] + [_clip(s, 24) for s in names], rows,
                            self.widths(wname, wt, *([wv] * n)), align="lr" + "r" * n))
        self.add(self.p(T("绿色为达标，红色为未达标；小字为与参照情景的差值（pp 为百分点）。",
                          "Green: pass, red: fail; small print: delta to the reference (pp = percentage points)."),
                        self.s_small))
        towns = cmp.get("towns", [])
        if towns:
            self.h2("分镇街可安置人口", "Served population by town")
            rows = []
            for tw in towns:
                row = [_esc(tw.get("name") or d.town_name(tw.get("code")))]
                served, dl = tw.get("served", []), tw.get("delta_served", [])
                for k in range(n):
                    cell = fmt.integer(served[k] if k < len(served) else None)
                    if k > 0 and k < len(dl) and dl[k]:
                        col = "#C62828" if dl[k] < 0 else "#1B7F3B"
                        cell += f'<br/><font size="6.5" color="{col}">{dl[k]:+,.0f}</font>'
                    row.append(cell)
                rows.append(row)
            self.add(self.table([T("镇街", "Town")] + [_clip(s, 24) for s in names], rows,
                                self.widths(30, *([70 / n] * n)), align="l" + "r" * n))
        for k in range(1, n):
            nu = (cmp.get("units_newly_uncovered") or [[]] * n)
            ni = (cmp.get("units_newly_isolated") or [[]] * n)
            so = (cmp.get("shelters_overflowing") or [[]] * n)
            sg = (cmp.get("items_shortfall_growth") or [[]] * n)
            nu, ni, so, sg = (x[k] if k < len(x) else [] for x in (nu, ni, so, sg))
            self.h2(f"“{names[k]}”相对“{names[0]}”的变化", f"{names[k]} vs {names[0]}")
            if not (nu or ni or so or sg):
                self.add(self.p(T("与参照情景相比，没有新增未覆盖/隔断单元、超容量避难场所或物资缺口增加。",
                                  "No newly uncovered or cut-off units, overflowing shelters or growing shortfalls."),
                                self.s_body))
                continue
            if nu:
                nu_pop = fmt.integer(sum(u.get('population') or 0 for u in nu))
                self.h3(T(f"新增未覆盖人口单元（{len(nu)} 个，{nu_pop} 人）",
                          f"Newly uncovered units ({len(nu)}, {nu_pop} people)"))
                rows = [[_esc(u.get("code")), _esc(u.get("name")), _esc(d.town_name(u.get("town"))),
                         fmt.integer(u.get("population"))] for u in nu]
                self.add(self.table([T("编码", "Code"), T("名称", "Name"), T("镇街", "Town"), T("人口", "People")],
                                    rows, self.widths(25, 35, 25, 15), align="lllr"))
            if ni:
                self.h3(T(f"新增被隔断单元（{len(ni)} 个）", f"Newly cut-off units ({len(ni)})"))
                rows = [[_esc(u.get("code")), _esc(u.get("name")), _esc(d.town_name(u.get("town"))),
                         fmt.integer(u.get("population"))] for u in ni]
                self.add(self.table([T("编码", "Code"), T("名称", "Name"), T("镇街", "Town"), T("人口", "People")],
                                    rows, self.widths(25, 35, 25, 15), align="lllr"))
            if so:
                self.h3(T(f"超容量避难场所（{len(so)} 处）", f"Overflowing shelters ({len(so)})"))
                rows = [[_esc(s.get("code")), _esc(s.get("name")), fmt.integer(s.get("capacity")),
                         fmt.integer(s.get("assigned"))] for s in so]
                self.add(self.table([T("编号", "Code"), T("名称", "Name"), T("容量（人）", "Capacity"),
                                     T("分配（人）", "Assigned")], rows, self.widths(20, 44, 18, 18), align="llrr"))
            if sg:
                self.h3(T("物资缺口增加", "Growing shortfalls"))
                rows = [[_esc(i.get("name_zh") if L == "zh" else i.get("name_en") or i.get("item")),
                         fmt.qty(i.get("shortfall_ref")), fmt.qty(i.get("shortfall")),
                         f'<font color="#C62828">{fmt.qty(i.get("delta"))}</font>'] for i in sg]
                self.add(self.table([T("物资", "Item"), T("参照缺口", "Reference"), T("情景缺口", "Scenario"),
                                     T("增加", "Growth")], rows, self.widths(34, 22, 22, 22), align="lrrr"))

    def assumptions(self) -> None:
        r = self.d.result
        T, L = self.t, self.lang
        self.h1("参数、标准与假设", "Parameters, norms and assumptions")
        self.add(self.p(T(
            "每个参数和定额均注明来源与可信度代码：V 已核实（原文）、S 二手来源、R 凭记忆（须对照标准原文核对）、"
            "D 推导值、A 假设。带 R、A 的取值应在正式印发前由编制单位确认。",
            "Every parameter and norm carries its source and a confidence code: V verified, S secondary, "
            "R recalled (check against the purchased standard), D derived, A assumption. Values coded R or A "
            "must be confirmed before the plan is issued.")))
        self.h2("计算参数", "Parameters")
        rows = []
        for p in r.parameters:
            src = p.get("source") or ""
            conf = ""
            m = re.search(r"\[([VSRDA])\]\s*$", src)
            if m:
                conf, src = m.group(1), src[:m.start()].rstrip()
            v = p.get("value")
            v_s = fmt.qty(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else _esc(
                (T("是", "yes") if v else T("否", "no")) if isinstance(v, bool) else v)
            if v in ("walk", "drive") and L == "zh":
                v_s = "步行" if v == "walk" else "车行"
            name = p.get("name") or ""
            if L == "zh":
                label = f'{_esc(fmt.PARAM_ZH.get(name, p.get("description") or name))}<br/>' \
                        f'<font size="6.3" color="#5F6B76">{_esc(name)}</font>'
            else:
                label = f'{_esc(p.get("description") or name)}<br/><font size="6.3" color="#5F6B76">{_esc(name)}</font>'
            rows.append([label, v_s, _esc(src), self.conf(conf)])
        self.add(self.table([T("参数", "Parameter"), T("取值", "Value"), T("来源", "Source"),
                             T("可信度", "Conf.")], rows, self.widths(28, 11, 53, 8), align="lrlc", font_size=7.2))
        self.h2("物资保障定额", "Supply norms")
        rows = []
        for it in r.supply.get("items", []):
            name = it.get("name_zh") if L == "zh" else it.get("name_en")
            rows.append([_esc(name), _esc(fmt.norm_rate(it, L)), fmt.money(it.get("unit_price"), L) + (
                f"/{_esc(it.get('unit'))}" if it.get("unit_price") is not None else ""),
                _esc(it.get("src")), self.conf(it.get("conf"))])
        self.add(self.table([T("物资", "Item"), T("定额", "Norm"), T("单价", "Unit price"), T("来源", "Source"),
                             T("可信度", "Conf.")], rows, self.widths(16, 16, 12, 48, 8),
                            align="lllcl".replace("cl", "lc"), font_size=7.2))

    def conf(self, c: Any) -> str:
        if not c:
            return "—"
        col = {"V": "#1B7F3B", "S": "#1F3A5F", "D": "#1F3A5F", "R": "#B26A00", "A": "#B26A00"}.get(c, "#1A1A1A")
        return f'<font color="{col}">{_esc(c)}</font>'

    def sources(self) -> None:
        d = self.d
        T = self.t
        self.appendix("附录  数据来源与说明", "Appendix: data sources and notes")
        rows = []
        if d.description:
            rows.append([T("规划说明", "Description"), _esc(d.description)])
        if d.attribution:
            rows.append([T("数据来源", "Data sources"), _esc(d.attribution)])
        for b in d.boundaries:
            if b.role == "district":
                rows.append([T("区界", "District boundary"),
                             _esc(f"{b.name}：{b.source or '—'}" if self.lang == "zh"
                                  else f"{b.name}: {b.source or '—'}")
                             + ("" if b.authoritative else T("（非权威边界）", " (not authoritative)"))])
        towns_b = [b for b in d.boundaries if b.role == "town"]
        if towns_b:
            srcs = sorted({b.source or "—" for b in towns_b})
            rows.append([T("镇街界", "Town boundaries"), _esc("; ".join(srcs))])
        rows.append([T("规划文件", "Plan file"), _esc(d.location or "—")])
        rows.append([T("输入数据指纹", "Inputs hash"), _esc(d.result.inputs_hash)])
        rows.append([T("生成软件", "Generated by"), _esc(f"esplan {d.version}（engine {d.result.engine_version}）")])
        self.add(self.table([T("项目", "Item"), T("内容", "Content")], rows, self.widths(18, 82), align="ll"))
        self.add(Spacer(1, 6), self.p(T(
            "说明：本文件中的人数均为计算值，四舍五入到整数；金额按物资目录单价计算，≥1万元以“万元”表示。"
            "区界与地图仅供规划工作使用。",
            "Note: people are computed figures rounded to whole persons; costs use the catalogue unit prices. "
            "Boundaries and maps are for planning work only."), self.s_small))


def _counts(checks: list[dict[str, Any]]) -> tuple[int, int, int]:
    c = count_checks(checks)
    return c.passed, c.failed, c.unknown


def _clip(s: Any, n: int) -> str:
    s = "" if s is None else str(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def build_pdf(data: ReportData, out_path: str | Path, progress: Any = None,
              span: tuple[float, float] = (0.0, 1.0)) -> Path:
    """Lay out and write the PDF; returns the path written."""
    from planner.report.maps import detail_extent, district_map

    out = Path(out_path)
    b = _Builder(data, progress, span)
    _Canvas.font_name = b.font
    box = detail_extent(data)
    label = b.t("局部放大图", "detail")
    m = district_map(data, b.font, width=BODY_W, mark_box=box, mark_label=label)
    detail = None
    if box is not None:
        detail = district_map(data, b.font, width=BODY_W, max_height=200 * mm, min_height=120 * mm,
                              extent=box, legend=False, site_labels=True)
    story = b.build_story(m, detail)
    T = b.t
    title = f"{data.plan_name} — {T('检查结论与物资调配方案', 'checks and allocation')}"
    doc = _Doc(str(out), b, pagesize=A4, leftMargin=MARGIN_L, rightMargin=MARGIN_R, topMargin=MARGIN_T,
               bottomMargin=MARGIN_B, title=title, author=data.prepared_by or "esplan",
               subject=T(f"应急物资与避难场所规划（{b.scen_label(data.result.scenario)}）",
                         f"Emergency supplies and shelter plan ({b.scen_label(data.result.scenario)})"),
               creator=f"esplan {data.version}", producer=f"esplan {data.version} (reportlab)",
               keywords=[data.district_name or "", data.result.scenario, data.result.inputs_hash[:16]],
               lang="zh-CN" if data.lang == "zh" else "en", initialFontName=b.font)
    frame_cover = Frame(MARGIN_L, MARGIN_B, BODY_W, PAGE_H - MARGIN_T - MARGIN_B, id="cover")
    frame_body = Frame(MARGIN_L, MARGIN_B, BODY_W, PAGE_H - MARGIN_T - MARGIN_B, id="body")
    doc.addPageTemplates([PageTemplate("cover", [frame_cover], onPage=b.on_cover_page),
                          PageTemplate("body", [frame_body], onPage=b.on_body_page)])
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.build(story, canvasmaker=_Canvas)
    return out

