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

from planner import text as tx
from planner.engine.results import Check, Finding, TownItemSupply, TypedResult, typed
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
        self.r: TypedResult = typed(data.result)
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
    def t(self, key: str, **args: Any) -> str:
        """The catalogue text ``key`` (planner.text) in the report's language."""
        return tx.text(key, self.lang, **args)

    def _tick(self) -> None:
        self._k_flow += 1
        if self.progress is None or self._k_flow % 25:
            return
        tell(Span(self.progress, *self.span), self._k_flow / max(1, self._n_flow), self.t("report.laying_out_pages"))

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(text, style or self.s_body)

    def add(self, *flowables: Any) -> None:
        self.story.extend(flowables)

    def _bookmark(self, flow: Any, title: str, level: int) -> Any:
        self.n_bookmarks += 1
        flow._esplan_bookmark = (f"sec{self.n_bookmarks}", title, level)
        return flow

    def h1(self, key: str, new_page: bool = True, **args: Any) -> None:
        self.h1_count += 1
        self.h2_count = 0
        n = self.h1_count
        head = self.t(key, **args)
        title = f"{ZH_NUM[n - 1] if n <= 10 else n}、{head}" if self.lang == "zh" else f"{n}. {head}"
        if new_page:
            self.add(PageBreak())
        para = self._bookmark(self.p(_esc(title), self.s_h1), title, 0)
        self.add(para, HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=0, spaceAfter=8))

    def appendix(self, key: str) -> None:
        title = self.t(key)
        self.add(PageBreak(), self._bookmark(self.p(_esc(title), self.s_h1), title, 0),
                 HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=0, spaceAfter=8))

    def h2(self, key: str, **args: Any) -> None:
        self.h2_count += 1
        k = self.h2_count
        head = self.t(key, **args)
        title = f"（{ZH_NUM[k - 1] if k <= 10 else k}）{head}" if self.lang == "zh" else f"{self.h1_count}.{k} {head}"
        self.add(CondPageBreak(60), self._bookmark(self.p(_esc(title), self.s_h2), title, 1))

    def h3(self, text: str) -> None:
        self.add(self.p(text, self.s_h3))

    def mark(self, passed: bool | None) -> str:
        if passed is None:
            return f'<font color="#B26A00">{self.t("report.unknown")}</font>'
        if passed:
            sym = "✔ " if self.marks_ok else ""
            return f'<font color="{_hex(OK)}">{sym}{self.t("report.pass")}</font>'
        sym = "✘ " if self.marks_ok else ""
        return f'<font color="{_hex(BAD)}">{sym}{self.t("report.fail")}</font>'

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
            return self.t("report.baseline")
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
                             self.t("report.scenario") + _clip(self.scen_label(d.result.scenario), 40))
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
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(2.5)
        canv.line(MARGIN_L, PAGE_H - 18 * mm, PAGE_W - MARGIN_R, PAGE_H - 18 * mm)
        canv.setLineWidth(0.8)
        canv.line(MARGIN_L, PAGE_H - 19.6 * mm, PAGE_W - MARGIN_R, PAGE_H - 19.6 * mm)
        canv.setLineWidth(0.8)
        canv.line(MARGIN_L, 18 * mm, PAGE_W - MARGIN_R, 18 * mm)
        canv.setFont(self.font, 7.5)
        canv.setFillColor(MUTED)
        canv.drawCentredString(PAGE_W / 2, 13 * mm,
                               self.t("report.generated_by_esplan_from_the_plan", version=self.d.version))
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
        self.add(self._bookmark(self.p(_esc(d.plan_name or T("report.emergency_plan")),
                                       self.s_title), T("report.cover"), 0))
        self.add(Spacer(1, 5 * mm))
        self.add(self.p(T("report.emergency_supplies_and_shelter_plan_checks"), self.s_subtitle))
        self.add(Spacer(1, 14 * mm))
        params = {p["name"]: p for p in r.parameters}
        target = params.get("supply_population", {}).get("value") or d.target_population
        event_date = params.get("event_date", {}).get("value")
        scen = self.scen_label(r.scenario)
        if d.scenario_description:
            scen += self.t("report.brackets", text=_esc(d.scenario_description))
        rows = [
            [T("report.district"), _esc(" ".join(x for x in [d.district_name, d.district_code] if x) or "—")],
            [T("report.scenario_2"), scen],
            [T("report.target_population"), fmt.people(target, self.lang)],
            [T("report.event_date"), _esc(event_date or "—")],
            [T("report.date_2"), d.date.isoformat()],
            [T("report.software_engine"), f"esplan {_esc(d.version)} · engine {_esc(r.engine_version)}"],
            [T("report.inputs_hash_sha_256"),
             f'<font size="7">{_esc(r.inputs_hash)}</font>'],
        ]
        if d.comparison:
            rows.insert(2, [T("report.compared_with"),
                            "、".join(_esc(self.scen_label(s)) for s in d.comparison["scenarios"][1:])])
        t = self.table(["", ""], [[self.bold(a), b] for a, b in rows], self.widths(30, 70), align="ll",
                       header_cells=[], head_rows=0, font_size=9.5, zebra=False,
                       style_extra=[("BACKGROUND", (0, 0), (0, -1), HEAD_BG),
                                    ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)])
        t.hAlign = "CENTER"
        self.add(t, Spacer(1, 10 * mm))
        n = len(self.r.checks)
        ok_n, failed, unknown = _counts(self.r)
        unk = T("report.cannot_be_assessed_missing_data", unknown=unknown) if unknown else ""
        if failed or unknown:
            verdict = T("report.result_of_checks_pass_fail", n=n, ok_n=ok_n, failed=failed, unk=unk)
        else:
            verdict = T("report.result_all_checks_pass", n=n)
        vs = ParagraphStyle("verdict", parent=self.s_subtitle, fontSize=12,
                            borderColor=BAD if failed else (WARN if unknown else OK),
                            borderWidth=1, borderPadding=6, backColor=C("#FBFBFB"))
        self.add(self.p(verdict, vs), Spacer(1, 14 * mm))
        sign = [[T("report.prepared_by"), _esc(d.prepared_by or ""), "", ""],
                [T("report.reviewed_by"), "", "", ""],
                [T("report.approved_by"), "", "", ""]]
        head = [T("report.role"), T("report.name"), T("report.signature"), T("report.date")]
        st = self.table(head, sign, self.widths(18, 30, 30, 22), align="cccc", font_size=10, zebra=False,
                        style_extra=[("TOPPADDING", (0, 1), (-1, -1), 9), ("BOTTOMPADDING", (0, 1), (-1, -1), 9)])
        st.hAlign = "CENTER"
        self.add(st)

    def summary(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        s = r.summary
        self.h1("report.summary_of_checks", new_page=True)
        thr = fmt.qty(r.threshold_min)
        mode = T("report.walking") if r.mode == "walk" else T("report.driving")
        self.add(self.p(T("report.the_plan_is_checked_against_the", thr=thr, district_name=_esc(d.district_name or ""),
                          mode=mode)))
        # key figures
        kf = [
            (T("report.population_units"), fmt.people(s.population, L)),
            (T("report.sheltering_demand"), fmt.people(s.sheltering_demand, L)),
            (T("report.served_within_min", thr=thr),
             f"{fmt.people(s.served, L)}（{fmt.pct(s.served_share)}）" if L == "zh" else
             f"{fmt.people(s.served, L)} ({fmt.pct(s.served_share)})"),
            (T("report.reachable_shelters_full"), fmt.people(s.over_capacity, L)),
            (T("report.no_shelter_within_min", thr=thr), fmt.people(s.unreachable, L)),
            (T("report.not_located_off_network"),
             fmt.people((s.unlocated or 0) + (s.off_network or 0), L)),
            (T("report.open_shelters"), f"{fmt.integer(s.open_shelters)}" + T("report.unit_places")),
            (T("report.capacity_indoor"),
             f"{fmt.people(s.shelter_capacity, L)}（{fmt.integer(s.indoor_capacity)}）" if L == "zh"
             else f"{fmt.integer(s.shelter_capacity)} ({fmt.integer(s.indoor_capacity)})"),
            (T("report.items_short"), f"{fmt.integer(s.supply_items_short)}" + T("report.unit_kinds")),
            (T("report.cost_of_shortfall"), fmt.money(s.supply_shortfall_cost, L)),
            (T("report.first_batch_delivered"), fmt.pct(s.allocation_shipped_share)),
            (T("report.units_cut_off_people"),
             f"{fmt.integer(s.isolated_units)}（{fmt.people(s.isolated_population, L)}）" if L == "zh"
             else f"{fmt.integer(s.isolated_units)} ({fmt.integer(s.isolated_population)})"),
        ]
        rows = []
        for k in range(0, len(kf), 2):
            a = kf[k]
            b = kf[k + 1] if k + 1 < len(kf) else ("", "")
            rows.append([_esc(a[0]), a[1], _esc(b[0]), b[1]])
        self.h2("report.key_figures")
        self.add(self.table([T("report.figure"), T("report.value"), T("report.figure"), T("report.value")],
                            rows, self.widths(30, 20, 30, 20), align="lrlr"))
        self.h2("report.checks_against_targets")
        rows = []
        for k, c in enumerate(r.checks, 1):
            rows.append([str(k), _esc(c.name(L)), self.check_value(c.unit, c.value),
                         self.check_target(c.unit, c.target),
                         self.mark(None if c.status == "unknown" else c.passed), _esc(self.check_basis(c))])
        self.add(self.table([T("report.no"), T("report.check"), T("report.value_2"), T("report.target"),
                             T("report.result"), T("report.basis")], rows,
                            self.widths(6, 30, 13, 12, 12, 37), align="clrrcl"))
        ok_n, failed, unknown = _counts(r)
        self.add(Spacer(1, 4), self.p(T("report.checks_pass_fail", n_checks=len(r.checks), ok_n=ok_n, failed=failed)
            + (T("report.cannot_be_assessed_missing_data_2", unknown=unknown) if unknown
               else T("report.full_stop")), self.s_small))

    def check_value(self, unit: str | None, v: Any) -> str:
        """A check's value (or target) in its unit: share → %, min → minutes."""
        if unit == "share":
            return fmt.pct(v)
        if unit == "min":
            return fmt.minutes(v, self.lang)
        return f"{fmt.qty(v)} {_esc(unit or '')}".strip()

    def check_target(self, unit: str | None, v: Any) -> str:
        op = "≤" if unit == "min" else "≥"
        if isinstance(v, (int, float)) and unit == "share" and abs(v * 100 - round(v * 100)) < 1e-9:
            return f"{op} {fmt.pct(v, 0)}"
        if isinstance(v, (int, float)) and unit == "min" and v == int(v):
            return f"{op} {int(v)} " + self.t("report.min")
        return f"{op} {self.check_value(unit, v)}"

    def check_basis(self, c: Check) -> str:
        """Numerator / denominator of a check: the one text the GUI and the CLI print too."""
        return c.basis(self.lang)

    def map_section(self, m: Any, detail: Any = None) -> None:
        T = self.t
        self.h1("report.district_map")
        self.add(m.drawing)
        notes = list(m.notes)
        d = self.d
        if not d.boundary_authoritative:
            notes.append(T("report.working_sketch_the_outline_is_simplified"))
        if d.osm_attribution:
            notes.append(T("report.roads_and_places_openstreetmap_contributors_odbl"))
        for n in notes:
            self.add(self.p(_esc(n), self.s_note))
        if detail is not None:
            self.add(PageBreak())
            self.h2("report.detail_2")
            self.add(self.p(T("report.the_area_in_the_red_dashed"), self.s_small), detail.drawing)

    def coverage(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        thr = fmt.qty(r.threshold_min)
        self.h1("report.minute_shelter_coverage", thr=thr)
        self.add(self.p(T("report.coverage_uses_network_travel_times_and", thr=thr, mode_code=r.mode,
                          mode=T("report.walking") if r.mode == "walk" else T("report.driving"))))
        self.h2("report.coverage_by_town")
        rows = []
        for tw in r.towns:
            miss = (tw.unlocated or 0) + (tw.off_network or 0)
            reg = d.towns.get(str(tw.town))
            rows.append([_esc(d.town_name(tw.town) if tw.town else (tw.name or "—")),
                         fmt.integer(reg.population if reg else None),
                         fmt.integer(tw.population), fmt.integer(tw.demand),
                         fmt.integer(tw.served), fmt.pct(tw.served_share),
                         fmt.integer(tw.over_capacity), fmt.integer(tw.unreachable),
                         fmt.integer(miss)])
        tt = r.coverage_totals
        reg_total = sum((t.population or 0) for t in d.towns.values()) if d.towns else None

        # the engine's totals as they are: an unknown total prints "—", never a sum standing in for it
        rows.append([T("report.total"), fmt.integer(reg_total), fmt.integer(tt.population),
                     fmt.integer(tt.demand), fmt.integer(tt.served),
                     fmt.pct(tt.served_share), fmt.integer(tt.over_capacity),
                     fmt.integer(tt.unreachable),
                     fmt.integer((tt.unlocated or 0) + (tt.off_network or 0))])
        self.add(self.table([T("report.town"), T("report.town_population"), T("report.unit_population"),
                             T("report.demand"), T("report.served"), T("report.served_2"),
                             T("report.over_capacity"), T("report.unreachable"),
                             T("report.not_located")], rows,
                            self.widths(19, 11, 10, 10, 10, 9, 11, 10, 10), align="lrrrrrrrr", total_row=True))
        self.add(self.p(T("report.people_town_population_is_the_registered"), self.s_small))
        # units not (fully) served
        units = [u for u in r.units if (u.over_capacity or 0) + (u.unreachable or 0) > 0]
        if units:
            self.h2("report.units_not_fully_served")
            units.sort(key=lambda u: (str(u.town), -((u.over_capacity or 0) + (u.unreachable or 0))))
            rows = []
            for u in units:
                near = u.nearest_shelter
                rows.append([_esc(u.name), _esc(d.town_name(u.town)), fmt.integer(u.population),
                             fmt.integer(u.served), fmt.integer(u.over_capacity),
                             fmt.integer(u.unreachable),
                             _esc(f"{near} {d.site_name(near)}" if near else "—"),
                             fmt.minutes(u.nearest_min, L)])
            self.add(self.table([T("report.unit_2"), T("report.town"), T("report.population"),
                                 T("report.served"), T("report.over_cap"), T("report.unreach"),
                                 T("report.nearest_shelter"), T("report.time")], rows,
                                self.widths(16, 17, 8, 8, 8, 8, 24, 11), align="llrrrrlr"))
        # not located
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
                               else T("report.populations_unknown_too")),
                            self.s_small))
            self.add(self.table([T("report.town"), T("report.units"), T("report.units_2")], rows,
                                self.widths(16, 8, 76), align="lrl", font_size=7.5))

    def shelters(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        sites = d.site_rows()
        self.h1("report.shelters")
        shel = r.shelters
        self.add(self.p(T("report.capacity_is_the_effective_area_divided")))
        rows = []
        tot = {"in": 0.0, "out": 0.0, "cap": 0.0, "ind": 0.0, "ass": 0.0}
        extra: list[tuple[Any, ...]] = []
        for sh in shel:
            s = sites.get(sh.code, {})
            util = sh.utilisation
            status = tx.label("status", sh.status, L)
            if not sh.open:
                status += T("report.not_open")
            if sh.snap_status not in (None, "ok"):
                status += T("report.brackets", text=tx.label("snap", sh.snap_status, L))
            util_s = fmt.pct(util, 0) if util is not None else "—"
            if util is not None and util >= 0.999:
                util_s = f'<font color="#C62828">{util_s}</font>'
            rows.append([_esc(sh.code), _esc(sh.name), _esc(d.town_name(sh.town)),
                         _esc(tx.label("shelter_class", sh.shelter_class, L)), _esc(status),
                         fmt.area(s.get("indoor_area")), fmt.area(s.get("outdoor_area")),
                         fmt.integer(sh.capacity), fmt.integer(sh.indoor_capacity),
                         fmt.integer(sh.assigned), util_s])
            for key, val in (("in", s.get("indoor_area")), ("out", s.get("outdoor_area")),
                             ("cap", sh.capacity), ("ind", sh.indoor_capacity),
                             ("ass", sh.assigned)):
                tot[key] += val or 0
        if not rows:
            self.add(self.p(T("report.no_shelters_registered_yet"), self.s_note))
            return
        util_tot = tot["ass"] / tot["cap"] if tot["cap"] else None
        rows.append(["", T("report.total"), "", "", "", fmt.area(tot["in"]), fmt.area(tot["out"]),
                     fmt.integer(tot["cap"]), fmt.integer(tot["ind"]), fmt.integer(tot["ass"]), fmt.pct(util_tot, 0)])
        self.add(self.table([T("report.code"), T("report.name_2"), T("report.town"), T("report.class"),
                             T("report.status"), T("report.indoor_m"), T("report.outdoor_m"),
                             T("report.cap"), T("report.indoor_cap"), T("report.assigned"),
                             T("report.use")], rows,
                            self.widths(7, 21, 16, 5.5, 5.5, 7.5, 7.5, 7.5, 7.5, 7.5, 7) if L == "zh" else
                            self.widths(7, 17.5, 16.5, 7, 6, 7.5, 8, 7.5, 7.5, 8.5, 6),
                            align="lllllrrrrrr", total_row=True, style_extra=extra))
        self.add(self.p(T("report.units_area_m_capacity_and_assigned"), self.s_small))
        unloc = [sh for sh in shel if sh.snap_status not in (None, "ok")]
        if unloc:
            unloc_names = T("report.list_sep").join(_esc(f"{sh.code} {sh.name}") for sh in unloc)
            self.add(Spacer(1, 3), self.p(T("report.shelters_are_not_located_or_off", n_unloc=len(unloc),
                                            unloc_names=unloc_names),
                self.s_note))
        basis = sorted({sh.capacity_basis for sh in shel if sh.capacity_basis})
        if basis:
            basis = [re.sub(r"^area/(\S+) m²$", lambda m: T("report.capacity_basis.area", per_capita=m.group(1)), b)
                     for b in basis]
            self.add(self.p(T("report.capacity_basis") + _esc(T("report.semicolon_sep").join(basis)),
                            self.s_small))

    def supply(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        sup = r.supply_info
        self.h1("report.72_hour_basic_living_supplies")
        self.add(self.p(T("report.requirement_for_the_target_population_of", people=fmt.integer(sup.people),
                          days=fmt.qty(sup.days), event_date=_esc(sup.event_date),
                          deadline_h=fmt.qty(sup.deadline_h))))
        self.h2("report.requirement_and_shortfall_by_item")
        rows = []
        for it in r.supply:
            unus = {k: v for k, v in (it.unusable or {}).items() if v}
            unus_s = "<br/>".join(f"{_esc(tx.label('unusable', k, L))} {fmt.qty(v)}"
                                  for k, v in sorted(unus.items())) or "—"
            short = it.shortfall or 0
            short_s = fmt.qty(short)
            if short > 0:
                short_s = f'<font color="#C62828">{short_s}</font>'
            rows.append([_esc(it.name(L)), _esc(it.unit or ""), _esc(fmt.norm_rate(it, L)),
                         fmt.qty(it.required), fmt.qty(it.usable), unus_s, short_s,
                         fmt.pct(it.coverage_ratio, 0), fmt.money(it.shortfall_cost, L)])
        total_cost = sup.shortfall_cost_total
        rows.append([T("report.total"), "", "", "", "", "", "", "", fmt.money(total_cost, L)])
        self.add(self.table([T("report.item"), T("report.unit"), T("report.norm"), T("report.required"),
                             T("report.usable"), T("report.not_usable_reason"), T("report.shortfall"),
                             T("report.met"), T("report.cost")], rows,
                            self.widths(14, 6, 13, 10, 10, 18, 10, 7, 12), align="lllrrlrrr", total_row=True))
        if sup.no_norm:
            self.add(self.p(T("report.items_without_a_norm_not_checked")
                            + _esc("、".join(map(str, sup.no_norm))), self.s_small))
        towns = r.supply_towns
        items = r.supply
        if towns and items:
            self.h2("report.by_town_requirement_and_local_stock")
            ph = self.r.supply_info.deadlines_h
            self.add(self.p(T("report.the_target_population_is_split_by", d1=fmt.qty(ph.get(1)), d2=fmt.qty(ph.get(2)),
                              d3=fmt.qty(ph.get(3))), self.s_small))
            keys = [i.key for i in items]
            head = [T("report.town"), T("report.people")] + [
                f"{i.name(L)}（{i.unit or ''}）" if L == "zh" else f"{i.name_en} ({i.unit or ''})" for i in items]
            rows = []
            for tw in towns:
                row = [_esc(d.town_name(tw.town) if tw.town else tw.name), fmt.integer(tw.population)]
                for k in keys:
                    v = tw.items.get(k) or TownItemSupply()
                    cell = f"{fmt.qty(v.required)}<br/>{fmt.qty(v.shipped)}"
                    if (v.unmet or 0) > 0.01:
                        cell = (f"{fmt.qty(v.required)}<br/><font color='#C62828'>"
                                f"{fmt.qty(v.shipped)}</font>")
                    row.append(cell)
                rows.append(row)
            n = len(keys)
            w_item = max(1.0, (BODY_W - 26 * mm - 16 * mm) / n)
            self.add(self.table(head, rows, [26 * mm, 16 * mm] + [w_item] * n, align="lr" + "r" * n,
                                font_size=7.2))

    def allocation(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        al = r.allocation
        names = {i.key: i.name(L) or i.key for i in r.supply}
        units = {i.key: i.unit or "" for i in r.supply}
        self.h1("report.allocation_plan")
        ph = self.r.supply_info.deadlines_h
        self.add(self.p(T("report.first_batch_within_h_minimising_delivery", deadline_h=fmt.qty(al.deadline_h),
                          d2=fmt.qty(ph.get(2)), d3=fmt.qty(ph.get(3)))))
        self.h2("report.summary_by_item")
        rows = []
        for it in al.items:
            k = it.key
            dem = it.demand or 0
            share = (it.shipped or 0) / dem if dem else None
            rows.append([_esc(names.get(k, k)), _esc(units.get(k, "")), fmt.qty(it.demand),
                         fmt.qty(it.shipped), fmt.pct(share, 0), fmt.qty(it.unmet),
                         fmt.minutes(it.mean_eta_min, L)])
        self.add(self.table([T("report.item"), T("report.unit"), T("report.demand_2"), T("report.shipped"),
                             T("report.met"), T("report.unmet"), T("report.mean_eta")], rows,
                            self.widths(20, 8, 16, 16, 10, 16, 14), align="llrrrrr"))
        # per shelter
        shel = [s for s in al.shelters if (s.people or 0) > 0]
        if shel:
            self.h2("report.manifest_per_shelter")
            self.add(self.p(T("report.for_each_shelter_items_quantities_source"),
                            self.s_small))
            for s in shel:
                rows = []
                prev = None
                for ln in s.manifest:
                    k = ln.item
                    src = ln.source
                    same = k == prev
                    prev = k
                    rows.append(["" if same else _esc(names.get(k, k)), fmt.qty(ln.quantity),
                                 _esc(ln.unit or units.get(k, "")),
                                 _esc(f"{src} {d.site_name(src)}"), fmt.minutes(ln.eta_min, L)])
                for un in s.unmet:
                    k = un.item
                    rows.append([_esc(names.get(k, k)), f'<font color="#C62828">{fmt.qty(un.quantity)}</font>',
                                 _esc(units.get(k, "")),
                                 f'<font color="#C62828">{T("report.unmet_2")}'
                                 f'{_esc(tx.label("unmet", un.reason, L))}</font>', "—"])
                title = self.p(T("report.people_2", shelter=_esc(s.shelter), name=_esc(s.name),
                                 people=fmt.integer(s.people)),
                               self.s_h3)
                tbl = self.table([T("report.item"), T("report.qty"), T("report.unit"), T("report.source"),
                                  T("report.eta")], rows, self.widths(22, 14, 8, 42, 14), align="lrllr",
                                 long=len(rows) > 30)
                self.add(KeepTogether([title, tbl]) if len(rows) <= 30 else title, *([] if len(rows) <= 30 else [tbl]))
        # per source
        srcs = [sd for sd in al.sources if sd.dispatch]
        if srcs:
            self.h2("report.dispatch_list_per_source")
            for sd in srcs:
                rows = []
                prev = None
                for ln in sorted(sd.dispatch,
                                 key=lambda x: (x.shelter is None, str(x.shelter), str(x.item), x.day or 0)):
                    k = ln.item
                    dest = ln.shelter
                    label = (f"{dest} {d.site_name(dest)}" if dest is not None
                             else T("report.to_villages_at_home", n=fmt.integer(ln.villages), day=ln.day))
                    rows.append([_esc(label) if label != prev else "", _esc(names.get(k, k)),
                                 fmt.qty(ln.quantity),
                                 _esc(ln.unit or units.get(k, "")), fmt.minutes(ln.eta_min, L)])
                    prev = label
                tot_ship = len({ln.shelter for ln in sd.dispatch if ln.shelter is not None})
                title = self.p(f"{_esc(sd.source)} {_esc(sd.name)} —— "
                               + self.t("report.to_shelters", tot_ship=tot_ship), self.s_h3)
                tbl = self.table([T("report.to_shelter"), T("report.item"), T("report.qty"),
                                  T("report.unit"), T("report.eta")], rows, self.widths(40, 22, 14, 9, 15),
                                 align="llrlr", long=len(rows) > 30)
                self.add(KeepTogether([title, tbl]) if len(rows) <= 30 else title, *([] if len(rows) <= 30 else [tbl]))
        if not shel and not srcs:
            self.add(self.p(T("report.no_allocation_in_this_scenario_no"), self.s_note))

    def isolation(self) -> None:
        d, r = self.d, self.r
        T, L = self.t, self.lang
        iso = r.isolation_info
        self.h1("report.villages_cut_off")
        self.add(self.p(T("report.cut_off_on_the_driving_network",
                          isolated_units=fmt.integer(iso.isolated_units),
                          isolated_population=fmt.integer(iso.isolated_population),
                          open_sources=fmt.integer(iso.open_sources),
                          open_warehouses=fmt.integer(iso.open_warehouses))))
        pools = iso.pools
        names = {i.key: i.name(L) or i.key for i in r.supply}
        units = [u for u in r.isolation if u.status == "isolated"]
        if units:
            self.h2("report.units_cut_off")
            pool_of = {p.units[0]: p for p in pools if p.units}
            rows = []
            for u in units:
                p = pool_of.get(u.code)
                short = [names.get(i.item, i.item) for i in (p.items if p else ()) if not i.covered]
                rows.append([_esc(u.code), _esc(u.name), _esc(d.town_name(u.town)), fmt.integer(u.population),
                             _esc(T("report.list_sep").join(u.local_points)) or "—", self.mark(u.covered_72h),
                             _esc(T("report.list_sep").join(short)) or "—"])
            self.add(self.table([T("report.code_2"), T("report.name_2"), T("report.town"), T("report.people_3"),
                                 T("report.own_points"), T("report.72_h_2"), T("report.items_short_2")], rows,
                                self.widths(16, 16, 13, 9, 16, 10, 20), align="lllrlcl"))
        flagged = iso.flagged
        if flagged:
            self.h2("report.flagged_villages")
            rows = [[_esc(f.code), _esc(f.name), _esc(d.town_name(f.town)), _esc(T("report.list_sep").join(f.flags)),
                     self.mark(f.reachable), self.mark(f.supplied_72h)] for f in flagged]
            self.add(self.table([T("report.code_2"), T("report.name_2"), T("report.town"), T("report.flags"),
                                 T("report.reachable_by_road"), T("report.supplied_72h")], rows,
                                self.widths(18, 20, 16, 18, 14, 14), align="llllcc"))
        if not units and not flagged:
            self.add(self.p(T("report.no_unit_is_cut_off_in"),
                            self.s_body))

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

    def findings(self) -> None:
        r = self.r
        T = self.t
        self.h1("report.findings_and_recommended_actions")
        acts = [f for f in r.findings if f.kind == "action"]
        finds = [f for f in r.findings if f.kind != "action"]
        if not r.findings:
            self.add(self.p(T("report.all_checks_pass_nothing_to_act")))
            return
        if acts:
            self.h2("report.recommended_actions")
            rows = [[str(k), _esc(self._finding_text(f)), self.sev(f.severity)] for k, f in enumerate(acts, 1)]
            self.add(self.table([T("report.no"), T("report.action"), T("report.level")], rows,
                                self.widths(6, 82, 12), align="clc"))
        if finds:
            self.h2("report.findings_and_missing_data")
            rows = [[str(k), _esc(self._finding_text(f)), self.sev(f.severity)] for k, f in enumerate(finds, 1)]
            self.add(self.table([T("report.no"), T("report.finding"), T("report.level")], rows,
                                self.widths(6, 82, 12), align="clc"))

    def sev(self, s: Any) -> str:
        if s == "fail":
            return f'<font color="#C62828">{self.t("report.fail_2")}</font>'
        if s == "warn":
            return f'<font color="#B26A00">{self.t("report.warning")}</font>'
        return _esc(s or "—")

    def comparison(self, cmp: dict[str, Any]) -> None:
        d = self.d
        T, L = self.t, self.lang
        names = [self.scen_label(s) for s in cmp.get("scenarios", [])]
        if not names:
            return
        self.h1("report.scenario_comparison")
        self.add(self.p(T("report.reference_scenarios_compared_delta_scenario_reference", reference=_esc(names[0]),
                          n_compared=len(names) - 1)))
        n = len(names)
        self.h2("report.checks")
        rows = []
        for c in cmp.get("checks", []):
            name = c.get("name_zh") if L == "zh" else c.get("name_en")
            row = [_esc(name), self.check_target(c.get("unit"), c.get("target"))]
            vals, deltas, passed = c.get("values", []), c.get("deltas", []), c.get("passed", [])
            for k in range(n):
                v = vals[k] if k < len(vals) else None
                ok = passed[k] if k < len(passed) else None
                cell = self.check_value(c.get("unit"), v)
                if k > 0 and k < len(deltas) and deltas[k] is not None:
                    dv = deltas[k]
                    ds = (f"{dv * 100:+.1f} pp" if c.get("unit") == "share" else f"{dv:+,.1f}")
                    cell += f'<br/><font size="6.5" color="#5F6B76">{ds}</font>'
                if ok is not None:
                    cell = f'<font color="{"#1B7F3B" if ok else "#C62828"}">{cell}</font>' if k == 0 else \
                        cell.replace(self.check_value(c.get("unit"), v),
                                     f'<font color="{"#1B7F3B" if ok else "#C62828"}">'
                                     f'{self.check_value(c.get("unit"), v)}</font>', 1)
                row.append(cell)
            rows.append(row)
        wname = 30.0
        wt = 12.0
        wv = (100 - wname - wt) / n
        self.add(self.table([T("report.check"), T("report.target")] + [_clip(s, 24) for s in names], rows,
                            self.widths(wname, wt, *([wv] * n)), align="lr" + "r" * n))
        self.add(self.p(T("report.green_pass_red_fail_small_print"),
                        self.s_small))
        towns = cmp.get("towns", [])
        if towns:
            self.h2("report.served_population_by_town")
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
            self.add(self.table([T("report.town")] + [_clip(s, 24) for s in names], rows,
                                self.widths(30, *([70 / n] * n)), align="l" + "r" * n))
        for k in range(1, n):
            nu = (cmp.get("units_newly_uncovered") or [[]] * n)
            ni = (cmp.get("units_newly_isolated") or [[]] * n)
            so = (cmp.get("shelters_overflowing") or [[]] * n)
            sg = (cmp.get("items_shortfall_growth") or [[]] * n)
            nu, ni, so, sg = (x[k] if k < len(x) else [] for x in (nu, ni, so, sg))
            self.h2("report.scenario_vs_reference", scenario=names[k], reference=names[0])
            if not (nu or ni or so or sg):
                self.add(self.p(T("report.no_newly_uncovered_or_cut_off"),
                                self.s_body))
                continue
            if nu:
                nu_pop = fmt.integer(sum(u.get('population') or 0 for u in nu))
                self.h3(T("report.newly_uncovered_units_people", n_nu=len(nu), nu_pop=nu_pop))
                rows = [[_esc(u.get("code")), _esc(u.get("name")), _esc(d.town_name(u.get("town"))),
                         fmt.integer(u.get("population"))] for u in nu]
                self.add(self.table([T("report.code_2"), T("report.name_2"), T("report.town"), T("report.people_3")],
                                    rows, self.widths(25, 35, 25, 15), align="lllr"))
            if ni:
                self.h3(T("report.newly_cut_off_units", n_ni=len(ni)))
                rows = [[_esc(u.get("code")), _esc(u.get("name")), _esc(d.town_name(u.get("town"))),
                         fmt.integer(u.get("population"))] for u in ni]
                self.add(self.table([T("report.code_2"), T("report.name_2"), T("report.town"), T("report.people_3")],
                                    rows, self.widths(25, 35, 25, 15), align="lllr"))
            if so:
                self.h3(T("report.overflowing_shelters", n_so=len(so)))
                rows = [[_esc(s.get("code")), _esc(s.get("name")), fmt.integer(s.get("capacity")),
                         fmt.integer(s.get("assigned"))] for s in so]
                self.add(self.table([T("report.code"), T("report.name_2"), T("report.capacity"),
                                     T("report.assigned_2")], rows, self.widths(20, 44, 18, 18), align="llrr"))
            if sg:
                self.h3(T("report.growing_shortfalls"))
                rows = [[_esc(i.get("name_zh") if L == "zh" else i.get("name_en") or i.get("item")),
                         fmt.qty(i.get("shortfall_ref")), fmt.qty(i.get("shortfall")),
                         f'<font color="#C62828">{fmt.qty(i.get("delta"))}</font>'] for i in sg]
                self.add(self.table([T("report.item"), T("report.reference"), T("report.scenario_3"),
                                     T("report.growth")], rows, self.widths(34, 22, 22, 22), align="lrrr"))

    def assumptions(self) -> None:
        r = self.d.result
        T, L = self.t, self.lang
        self.h1("report.parameters_norms_and_assumptions")
        self.add(self.p(T("report.every_parameter_and_norm_carries_its")))
        self.h2("report.parameters")
        rows = []
        for p in r.parameters:
            src = p.get("source") or ""
            conf = ""
            m = re.search(r"\[([VSRDA])\]\s*$", src)
            if m:
                conf, src = m.group(1), src[:m.start()].rstrip()
            v = p.get("value")
            v_s = fmt.qty(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else _esc(
                (T("report.yes") if v else T("report.no_2")) if isinstance(v, bool) else v)
            if v in ("walk", "drive") and L == "zh":
                v_s = T("report.walking") if v == "walk" else T("report.driving")
            name = p.get("name") or ""
            if L == "zh":
                key = f"report.param.{name}"
                zh_name = tx.text(key, "zh") if key in tx.catalogue() else (p.get("description") or name)
                label = f'{_esc(zh_name)}<br/>' \
                        f'<font size="6.3" color="#5F6B76">{_esc(name)}</font>'
            else:
                label = f'{_esc(p.get("description") or name)}<br/><font size="6.3" color="#5F6B76">{_esc(name)}</font>'
            rows.append([label, v_s, _esc(src), self.conf(conf)])
        self.add(self.table([T("report.parameter"), T("report.value_3"), T("report.source"),
                             T("report.conf")], rows, self.widths(28, 11, 53, 8), align="lrlc", font_size=7.2))
        self.h2("report.supply_norms")
        rows = []
        for it in self.r.supply:
            rows.append([_esc(it.name(L)), _esc(fmt.norm_rate(it, L)), fmt.money(it.unit_price, L) + (
                f"/{_esc(it.unit)}" if it.unit_price is not None else ""),
                _esc(it.src), self.conf(it.conf)])
        self.add(self.table([T("report.item"), T("report.norm_2"), T("report.unit_price"), T("report.source"),
                             T("report.conf")], rows, self.widths(16, 16, 12, 48, 8),
                            align="lllcl".replace("cl", "lc"), font_size=7.2))

    def conf(self, c: Any) -> str:
        if not c:
            return "—"
        col = {"V": "#1B7F3B", "S": "#1F3A5F", "D": "#1F3A5F", "R": "#B26A00", "A": "#B26A00"}.get(c, "#1A1A1A")
        return f'<font color="{col}">{_esc(c)}</font>'

    def sources(self) -> None:
        d = self.d
        T = self.t
        self.appendix("report.appendix_data_sources_and_notes")
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
            rows.append([T("report.town_boundaries"), _esc("; ".join(srcs))])
        rows.append([T("report.plan_file"), _esc(d.location or "—")])
        rows.append([T("report.inputs_hash"), _esc(d.result.inputs_hash)])
        rows.append([T("report.generated_by"), _esc(f"esplan {d.version}（engine {d.result.engine_version}）")])
        self.add(self.table([T("report.item_2"), T("report.content")], rows, self.widths(18, 82), align="ll"))
        self.add(Spacer(1, 6), self.p(T("report.note_people_are_computed_figures_rounded"), self.s_small))


def _counts(r: TypedResult) -> tuple[int, int, int]:
    return r.counts.passed, r.counts.failed, r.counts.unknown


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
    label = b.t("report.detail")
    m = district_map(data, b.font, width=BODY_W, mark_box=box, mark_label=label)
    detail = None
    if box is not None:
        detail = district_map(data, b.font, width=BODY_W, max_height=200 * mm, min_height=120 * mm,
                              extent=box, legend=False, site_labels=True)
    story = b.build_story(m, detail)
    T = b.t
    title = f"{data.plan_name} — {T('report.checks_and_allocation')}"
    doc = _Doc(str(out), b, pagesize=A4, leftMargin=MARGIN_L, rightMargin=MARGIN_R, topMargin=MARGIN_T,
               bottomMargin=MARGIN_B, title=title, author=data.prepared_by or "esplan",
               subject=T("report.emergency_supplies_and_shelter_plan", scenario=b.scen_label(data.result.scenario)),
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

