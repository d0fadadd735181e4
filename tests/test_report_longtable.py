"""Long tables laid out a window of rows at a time print the same pages as reportlab's own split
(issue 14: the city's printed plan was quadratic in its longest tables).

The same plan is printed twice — every table left to reportlab (``WINDOW_ROWS = 0``), and long
tables windowed with small windows so that a 300-row table is laid out through many windows — and
the two PDFs must have the same pages: page count, each page's text, each page's drawing commands
(its content stream: every line, stripe and glyph in the same place), and the pages rendered.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer

import planner.report.longtable as lt
import planner.report.pdf as rpdf
from planner.report import write_report

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The Andorra flood report's data (as ``write_report`` hands it to ``build_pdf``), its site
    directory lengthened by 320 sites: the appendix's 名录 becomes a table of ~ 8 pages."""
    from planner.demo.andorra import add_valley_flood
    from planner.store import open_plan

    tmp = tmp_path_factory.mktemp("longtable")
    plan = tmp / "andorra.esplan"
    shutil.copyfile(DEMO / "andorra.esplan", plan)
    p = open_plan(plan)
    try:
        add_valley_flood(p)
    finally:
        p.dispose()
    got = {}
    build = rpdf.build_pdf

    def grab(d, out, progress=None, span=(0.0, 1.0)):
        got["data"] = d
        return build(d, out, progress, span)

    rpdf.build_pdf = grab
    try:
        write_report(plan, tmp / "first.pdf", scenario="洪水", compare=["baseline"])
    finally:
        rpdf.build_pdf = build
    d = got["data"]
    for k in range(320):
        # names and addresses of 1–3 lines, some unknown ("—"): rows of different heights
        d.directory.append({"code": f"X{k:04d}", "name": f"测试避难场所{k:04d}" + "（名称较长，需要换行）" * (k % 3),
                            "kind": "shelter", "status": "built", "tier": None, "town": None,
                            "address": None if k % 5 == 0 else "测试路" * (1 + k % 9) + f"{k}号",
                            "contact": "张三" if k % 4 else None, "phone": "0000-1234" if k % 2 else None})
    return d


def _pages(pdf: Path) -> tuple[list[str], list[bytes]]:
    pages = pypdf.PdfReader(str(pdf)).pages
    return [p.extract_text() or "" for p in pages], [p.get_contents().get_data() for p in pages]


def _layout_text(pdf: Path) -> list[str] | None:
    if not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")


def _rendered(pdf: Path, first: int, last: int, out: Path) -> list[bytes] | None:
    if not shutil.which("pdftoppm"):
        return None
    out.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-f", str(first), "-l", str(last), str(pdf), str(out / "p")],
                   check=True)
    return [f.read_bytes() for f in sorted(out.glob("p*"))]


def _same_pages(ref: Path, win: Path) -> None:
    text0, streams0 = _pages(ref)
    text1, streams1 = _pages(win)
    assert len(text1) == len(text0), f"{len(text1)} pages in windows, {len(text0)} without"
    diff = [i + 1 for i, (a, b) in enumerate(zip(text0, text1, strict=True)) if a != b]
    assert not diff, f"pages {diff} read differently"
    diff = [i + 1 for i, (a, b) in enumerate(zip(streams0, streams1, strict=True)) if a != b]
    assert not diff, f"pages {diff} are drawn differently"
    lay0, lay1 = _layout_text(ref), _layout_text(win)
    assert lay0 == lay1, "pdftotext -layout reads the pages differently"


@pytest.fixture
def windows(monkeypatch):
    """Counts the windows laid out (a window ends at every page foot inside a long table)."""
    n = {"advanced": 0}
    advance = lt.WindowedTable._advance

    def counted(self, k):
        n["advanced"] += 1
        return advance(self, k)

    monkeypatch.setattr(lt.WindowedTable, "_advance", counted)
    return n


def test_a_long_table_prints_the_same_pages_in_windows(data, tmp_path, monkeypatch, windows):
    monkeypatch.setattr(lt, "WINDOW_ROWS", 0)
    ref = rpdf.build_pdf(data, tmp_path / "reportlab.pdf")
    assert windows["advanced"] == 0
    # 40 rows: lower than a page at first (the window is grown), then windows of 80 rows over the
    # 320-row directory and the shorter lists
    monkeypatch.setattr(lt, "WINDOW_ROWS", 40)
    win = rpdf.build_pdf(data, tmp_path / "windows.pdf")
    assert windows["advanced"] >= 8, "the long table was not laid out through several windows"
    _same_pages(ref, win)
    texts = _pages(win)[0]
    pages = [i + 1 for i, t in enumerate(texts) if "X0000" in t or "X0319" in t or "续表" in t and "X0" in t]
    assert len(pages) >= 5, pages
    img0 = _rendered(ref, pages[0], pages[-1], tmp_path / "ref")
    img1 = _rendered(win, pages[0], pages[-1], tmp_path / "win")
    assert img0 == img1, "the long table's pages render differently"


def _story(data, rows: int) -> list:
    """Long tables of every kind the report prints, after a heading that keeps with the next
    flowable (reportlab measures the whole table then) and text that leaves part of a page."""
    b = rpdf._Builder(data)
    b.chapter_tag = "9"
    body = [[f"R{i:03d}", "甲" * (1 + (i * 7) % 40), f"{i * 13 % 1000:,}", "乙丙" * (i % 3)] for i in range(rows)]
    body.append(["合计", "", f"{rows * 500:,}", ""])
    story: list = [Paragraph("说明" * 200, b.s_body)]
    story.append(b.table(["编号", "名称", "数量（人）", "备注"], body, b.widths(12, 48, 16, 24), align="llrl",
                         total_row=True, caption="合计行与附加样式",
                         style_extra=[("TEXTCOLOR", (2, 5), (2, 5), HexColor("#C62828")),
                                      ("BACKGROUND", (0, 120), (-1, 120), HexColor("#FFF8E6")),
                                      ("LINEBELOW", (0, 77), (-1, 77), 1.2, rpdf.ACCENT),
                                      ("LINEABOVE", (0, 150), (-1, 150), 1.2, rpdf.BAD)]))
    story.append(Spacer(1, 6))
    story.append(Paragraph("标题", b.s_h1))            # keepWithNext: glued to the table below
    story.append(b.table(["编号", "名称"], [r[:2] for r in body[:-1]], b.widths(20, 80), long=True,
                         zebra=False))
    story.append(b.table(["编号", "名称", "数量（人）"], [r[:3] for r in body], b.widths(20, 60, 20), head_rows=2,
                         header_cells=[[b.para("分组", b.s_head), "", ""],
                                       [b.para("编号", b.s_head), b.para("名称", b.s_head), b.para("数量", b.s_head)]],
                         style_extra=[("SPAN", (0, 0), (-1, 0))], caption=_edge_caption(b)))
    return [lt.windowed(f) for f in story]


def _edge_caption(b) -> str:
    """A title whose 续表 caption takes one line more than its 表 caption: reportlab keeps the
    first page's caption row height on continued pages, and so must the windows."""
    b.n_table += 1
    try:
        for k in range(10, 200):
            title = "两行表头" + "长" * k
            one = b.para(rpdf._esc(b.caption_text("table", title)), b.s_caption).wrap(rpdf.BODY_W - 6, 1e6)[1]
            cont = b.para(rpdf._esc(b.caption_text("table", title, True)), b.s_caption).wrap(rpdf.BODY_W - 6, 1e6)[1]
            if cont > one:
                return title
    finally:
        b.n_table -= 1
    raise AssertionError("no caption on the edge of a line")


def _doc(path: Path) -> BaseDocTemplate:
    doc = BaseDocTemplate(str(path), pagesize=A4, leftMargin=rpdf.MARGIN_L, rightMargin=rpdf.MARGIN_R,
                          topMargin=rpdf.MARGIN_T, bottomMargin=rpdf.MARGIN_B, invariant=1)
    doc.addPageTemplates([PageTemplate("body", [Frame(rpdf.MARGIN_L, rpdf.MARGIN_B, rpdf.BODY_W,
                                                      rpdf.PAGE_H - rpdf.MARGIN_T - rpdf.MARGIN_B)])])
    return doc


def test_totals_headers_spans_and_extra_styles_are_the_same_in_windows(data, tmp_path, monkeypatch, windows):
    monkeypatch.setattr(lt, "WINDOW_ROWS", 0)
    ref = tmp_path / "reportlab.pdf"
    _doc(ref).build(_story(data, 300))
    monkeypatch.setattr(lt, "WINDOW_ROWS", 64)
    story = _story(data, 300)
    assert sum(isinstance(f, lt.WindowedTable) for f in story) == 3
    win = tmp_path / "windows.pdf"
    _doc(win).build(story)
    assert windows["advanced"] >= 15
    _same_pages(ref, win)
    assert len(_pages(win)[0]) >= 15
