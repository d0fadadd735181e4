"""The printed plan (planner.report): generate real PDFs from the demo plans and read them back.

Text is extracted with pypdf; figures are compared with the PlanResult formatted the way the
report prints them (planner.report.fmt).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest

from planner.engine import run_plan
from planner.engine.results import SupplyLine
from planner.report import (  # noqa: E402
    ReportError,
    fmt,  # noqa: E402
    write_report,
)
from planner.report.fonts import FontNotFound, find_cjk_font, is_truetype_outline  # noqa: E402
from planner.report.typeset import strip_joiners
from planner.scenario.runs import load_snapshot  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
ANDORRA = DEMO / "andorra.esplan"
SHANTING = DEMO / "shanting.esplan"


def _text(pdf: Path) -> str:
    r = pypdf.PdfReader(str(pdf))
    return "\n".join(p.extract_text() or "" for p in r.pages)


def _flat(s: str) -> str:
    """Text without whitespace (table cells and wrapped lines are split by the extractor)."""
    return re.sub(r"\s+", "", s)


def _outline_titles(items) -> list[str]:
    out = []
    for it in items:
        if isinstance(it, list):
            out += _outline_titles(it)
        else:
            out.append(it.title)
    return out


def _copy(src: Path, tmp: Path) -> Path:
    dst = tmp / src.name
    shutil.copyfile(src, dst)
    return dst


class Progress:
    def __init__(self, cancel_at: float | None = None):
        self.calls: list[tuple[float, str]] = []
        self.cancel_at = cancel_at

    def set_progress(self, fraction, message):
        self.calls.append((fraction, message))

    def is_cancelled(self):
        return self.cancel_at is not None and bool(self.calls) and self.calls[-1][0] >= self.cancel_at


@pytest.fixture(scope="module")
def andorra(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("andorra")
    plan = _copy(ANDORRA, tmp)
    from planner.store import open_plan

    p = open_plan(plan)
    try:
        result = run_plan(load_snapshot(p))
    finally:
        p.dispose()
    prog = Progress()
    out = write_report(plan, tmp / "plan.pdf", prepared_by="测试员", progress=prog, result=result)
    return {"pdf": out, "result": result, "progress": prog, "plan": plan}


@pytest.fixture(scope="module")
def shanting(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shanting")
    plan = _copy(SHANTING, tmp)
    out = write_report(plan, tmp / "shanting.pdf")
    return {"pdf": out, "plan": plan}


# -- Andorra, Chinese --------------------------------------------------------------------------
CHAPTERS_ZH = ("目录", "一、总则", "二、现状评价", "三、风险与情景", "四、避难需求测算", "五、应急避难场所布局",
               "六、应急物资储备", "七、物资调配方案", "八、投资估算", "九、实施安排与保障措施",
               "附录一各应急避难场所物资清单", "附录三场所名录", "附录四计算参数、标准与假设",
               "附录五数据来源与编制说明")


def _plain(s: str) -> str:
    """A report format without its word joiners (they keep a number with its unit; not printed)."""
    return strip_joiners(s)


def test_andorra_headings_and_figures(andorra):
    text = _text(andorra["pdf"])
    flat = _flat(text)
    res = andorra["result"]
    for heading in CHAPTERS_ZH:
        assert _flat(heading) in flat, heading
    # cover: sign-off, no developer details (those are in the last appendix)
    first = _flat(pypdf.PdfReader(str(andorra["pdf"])).pages[0].extract_text())
    assert "编制" in first and "审核" in first and "批准" in first and "测试员" in first
    assert "编制单位" in first and "规划期限" in first
    assert res.inputs_hash not in first and "esplan" not in first
    assert res.inputs_hash in flat
    # the served share, as printed
    assert fmt.pct(res.summary["served_share"]) in flat
    # every check is listed with its mark
    for c in res.checks:
        assert _flat(c["name_zh"]) in flat
    n_fail = sum(c.get("status", "pass" if c["passed"] else "fail") == "fail" for c in res.checks)
    assert flat.count("✘未达标") >= n_fail
    # an item's shortfall and the total cost
    short = [i for i in res.supply["items"] if (i["shortfall"] or 0) > 0]
    assert short, "the demo plan has a supply shortfall"
    assert fmt.qty(short[0]["shortfall"]) in flat
    assert _flat(_plain(fmt.money(res.supply["shortfall_cost_total"]))) in flat
    # a shelter name, a source name, a town name
    assert res.coverage["shelters"][0]["name"].replace(" ", "") in flat
    assert res.allocation["sources"][0]["name"].replace(" ", "") in flat
    assert "Canillo" in text
    # map furniture, figure and table numbers, 续表 on continued tables
    assert "© OpenStreetMap contributors" in text
    assert "审图号" in text
    assert "图例" in text
    assert "图2-1" in flat and "表2-1" in flat and "续表" in flat
    # page numbers on body pages
    assert re.search(r"第\s*2\s*页\s*／\s*共", text)


def test_andorra_numbers_formatted(andorra):
    flat = _flat(_text(andorra["pdf"]))
    res = andorra["result"]
    # thousands separators and units, one style: 人, 分钟, 万元 in summaries, 元 in detail tables
    assert fmt.integer(res.summary["population"]) + "人" in flat
    assert "," in fmt.integer(res.summary["population"])
    assert "万元" in flat and "分钟" in flat
    assert not re.search(r"\d\.\d %|\dmin\b", flat)


def test_formats_keep_numbers_with_units():
    assert _plain(fmt.people(85015)) == "85,015人"
    assert fmt.people(None) == "—"
    assert _plain(fmt.minutes(19.06)) == "19.1分钟"
    assert _plain(fmt.money(6_759_000)) == "675.90万元"
    assert _plain(fmt.yuan(8500)) == "8,500元"
    assert _plain(fmt.pp(0.029)) == "+2.9个百分点" and _plain(fmt.pp(-0.2, "en")) == "-20.0 pp"
    assert fmt.date_text("2026-12-01") == "2026年12月1日"
    assert fmt.unit_label("床", "en") == "pcs" and fmt.unit_label("床", "zh") == "床"


def test_andorra_fonts_embedded(andorra):
    r = pypdf.PdfReader(str(andorra["pdf"]))
    fonts = {}
    for page in r.pages:
        res = page.get("/Resources") or {}
        for ref in (res.get("/Font") or {}).values():
            f = ref.get_object()
            fonts[f.get("/BaseFont")] = f
        # XObject forms (the page-count form) have their own fonts
        for xo in (res.get("/XObject") or {}).values():
            xo = xo.get_object()
            for ref in ((xo.get("/Resources") or {}).get("/Font") or {}).values():
                f = ref.get_object()
                fonts[f.get("/BaseFont")] = f
    assert fonts
    for base, f in fonts.items():
        desc = f.get("/FontDescriptor")
        if desc is None and "/DescendantFonts" in f:
            desc = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
        assert desc is not None, f"font {base} has no descriptor (not embedded)"
        desc = desc.get_object()
        assert "/FontFile2" in desc, f"font {base} is not embedded as TrueType"
    # subset fonts carry the 6-letter tag
    assert all(re.match(r"/[A-Z]{6}\+", str(b)) for b in fonts), fonts.keys()


def test_andorra_outline_metadata_pages(andorra):
    r = pypdf.PdfReader(str(andorra["pdf"]))
    titles = _outline_titles(r.outline)
    assert "一、总则" in titles and "二、现状评价" in titles
    assert any(t.startswith("（一）") for t in titles)          # second level
    assert 10 <= len(r.pages) <= 80
    meta = r.metadata
    assert meta.title == andorra["result"].plan_name
    assert meta.creator.startswith("esplan ")
    assert meta.author == "测试员"
    assert meta.subject
    # bookmarks point at different pages (not all at page 1)
    pages = {r.get_destination_page_number(o) for o in r.outline if not isinstance(o, list)}
    assert len(pages) >= 6
    # A4
    box = r.pages[0].mediabox
    assert abs(float(box.width) - 595.27) < 1 and abs(float(box.height) - 841.89) < 1


def test_progress_reported(andorra):
    calls = andorra["progress"].calls
    assert calls and calls[-1][0] == 1.0
    fr = [c[0] for c in calls]
    assert fr == sorted(fr)


def test_cancel_leaves_no_file(tmp_path):
    from planner.engine import Cancelled

    out = tmp_path / "x.pdf"
    with pytest.raises(Cancelled):
        write_report(ANDORRA, out, progress=Progress(cancel_at=0.3))
    assert not out.exists()
    assert not list(tmp_path.glob("*.part"))


# -- Shanting: nothing located yet -----------------------------------------------------------------
def test_shanting_map_lists_what_is_not_located(shanting):
    text = _text(shanting["pdf"])
    flat = _flat(text)
    assert "山亭区" in text
    assert "区域图" in flat
    assert "280个人口单元尚无坐标" in flat
    assert "站点尚无坐标" in flat
    assert "路网尚未导入" in flat
    assert "审图号" in text
    # the 280 unlocated units are listed by town, not dropped
    assert "未定位或距路网过远的人口单元" in flat
    r = pypdf.PdfReader(str(shanting["pdf"]))
    assert 5 <= len(r.pages) <= 60


# -- English -----------------------------------------------------------------------------------
def test_english_report(andorra, tmp_path):
    out = write_report(andorra["plan"], tmp_path / "en.pdf", lang="en", result=andorra["result"])
    text = _text(out)
    for heading in ("Contents", "1. General provisions", "2. Current situation", "District map",
                    "72-hour basic living supplies", "7. Supply dispatch plan", "Parameters, norms and assumptions"):
        assert heading in text, heading
    assert re.search(r"Page\s*2\s*of", text)
    assert "Legend" in text
    # English names, units and title throughout: no Chinese item unit, no Chinese plan name
    assert not re.search(r"\d\s*[床张顶个]", text)
    first = pypdf.PdfReader(str(out)).pages[0].extract_text()
    assert andorra["result"].plan_name not in first       # the title and running head are English
    assert "Emergency shelter and supplies plan of" in first


# -- scenarios: hazard zone, comparison -----------------------------------------------------------
def _add_flood(plan_path: Path) -> None:
    import shapely

    from planner import models as m
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    p = open_plan(plan_path)
    try:
        inp = load_snapshot(p)
        sh = inp.sites
        k = [i for i in range(len(sh)) if sh.kind[i] == "shelter"][0]
        lon, lat = float(sh.lon[k]), float(sh.lat[k])
        zone = shapely.box(lon - 0.01, lat - 0.008, lon + 0.01, lat + 0.008)
        with p.transaction(user="test", reason="flood scenario") as s:
            sc = m.Scenario(name="洪水", description="河谷洪水", params={})
            s.add(sc)
            s.flush()
            s.add(m.HazardZone(scenario_id=sc.id, name="河谷", effect=m.HazardEffect.block, factor=1.0,
                               closes_sites=True, geometry=zone))
    finally:
        p.dispose()


@pytest.fixture(scope="module")
def flood_plan(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("flood")
    plan = _copy(ANDORRA, tmp)
    _add_flood(plan)
    return plan


def test_scenario_report_with_hazard(flood_plan, tmp_path):
    out = write_report(flood_plan, tmp_path / "flood.pdf", scenario="洪水")
    text = _text(out)
    assert "情景：洪水" in _flat(text)
    assert "灾害影响区" in text
    assert "河谷洪水" in text
    # the closed shelters are named, and left out of the open shelters' totals
    assert "受灾害影响关闭的场所" in _flat(text) and "本情景下不开放的应急避难场所" in _flat(text)


def test_unknown_scenario_is_a_clear_error(tmp_path):
    with pytest.raises(ReportError, match="no scenario"):
        write_report(ANDORRA, tmp_path / "x.pdf", scenario="不存在")


def test_comparison_section_from_dict(andorra, tmp_path):
    """Render the comparison section from a hand-built dict (the compare_results schema)."""
    from planner.report.data import ReportData, read_plan_context
    from planner.report.pdf import build_pdf
    from planner.store import open_plan

    res = andorra["result"]
    c0 = res.checks[0]
    cmp = {
        "scenarios": ["baseline", "洪水"],
        "checks": [{"id": c0["id"], "name_zh": c0["name_zh"], "name_en": c0["name_en"], "unit": c0["unit"],
                    "target": c0["target"], "values": [c0["value"], 0.123], "deltas": [0.0, 0.123 - c0["value"]],
                    "passed": [c0["passed"], False], "status": [c0.get("status"), "fail"]}],
        "towns": [{"code": "AD02", "name": "Canillo", "served": [1000, 400], "unreachable": [0, 600],
                   "delta_served": [0, -600]}],
        "units_newly_uncovered": [[], [{"code": "U1", "name": "测试村", "town": "AD02", "population": 321}]],
        "units_newly_isolated": [[], [{"code": "U2", "name": "孤岛村", "town": "AD02", "population": 55}]],
        "shelters_overflowing": [[], [{"code": "SH-X", "name": "满员广场", "capacity": 100, "assigned": 100}]],
        "items_shortfall_growth": [[], [{"item": "quilt", "name_zh": "棉被", "name_en": "Quilt",
                                         "shortfall_ref": 10, "shortfall": 1510, "delta": 1500}]],
    }
    p = open_plan(andorra["plan"])
    try:
        ctx = read_plan_context(p, None)
        inp = load_snapshot(p)
    finally:
        p.dispose()
    data = ReportData(inp=inp, result=res, comparison=cmp, version="test", **ctx)
    out = build_pdf(data, tmp_path / "cmp.pdf")
    flat = _flat(_text(out))
    for s in ("情景对比", "检查项对比", "分镇街可安置人口", "测试村", "孤岛村", "满员广场", "12.3%",
              "-600", "1,500", "洪水", "个百分点"):
        assert _flat(s) in flat, s
    # scenario − reference in 个百分点, from the printed values; pass/fail as symbols too
    dv = round(12.3 - round(c0["value"] * 100, 1), 1)
    assert f"{dv:+.1f}个百分点" in flat
    assert "✘未达标" in flat
    titles = _outline_titles(pypdf.PdfReader(str(out)).outline)
    assert any("情景对比" in t for t in titles)


def test_comparison_end_to_end(flood_plan, tmp_path):
    from planner.engine.results import typed
    from planner.scenario.runs import run
    from planner.store import open_plan

    out = write_report(flood_plan, tmp_path / "cmp.pdf", compare=["洪水"])
    flat = _flat(_text(out))
    assert "情景对比" in flat and "洪水" in flat
    assert "以“基准情景”为参照" in flat
    # the flood report compared with the baseline still takes the baseline as the reference
    out2 = write_report(flood_plan, tmp_path / "cmp2.pdf", scenario="洪水", compare=["baseline"])
    assert "以“基准情景”为参照" in _flat(_text(out2))
    # the comparison prints both runs' served shares (an import error fails here, never skips)
    plan = open_plan(flood_plan)
    try:
        for scen in (None, "洪水"):
            share = typed(run(plan, scen)[1]).summary.served_share
            assert f"{100 * share:.1f}" in flat
    finally:
        plan.dispose()


# -- CLI -------------------------------------------------------------------------------------------
def test_cli_report(tmp_path, capsys):
    from planner.cli import main

    out = tmp_path / "cli.pdf"
    assert main(["report", str(ANDORRA), "-o", str(out), "--prepared-by", "李四", "--lang", "zh"]) == 0
    assert out.exists() and out.stat().st_size > 50_000
    assert "pages" in capsys.readouterr().out
    assert main(["report", str(ANDORRA), "-o", str(tmp_path / "y.pdf"), "--scenario", "不存在"]) == 2
    assert "不存在" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.esplan"), "-o", str(tmp_path / "z.pdf")]) == 2


# -- fonts -----------------------------------------------------------------------------------------
def test_shipped_font_is_found_and_truetype():
    path, idx = find_cjk_font()
    assert path.is_file() and is_truetype_outline(path, idx)
    import esplan_resources

    assert (esplan_resources.path("fonts", "wqy-microhei.ttc")).is_file()
    assert (esplan_resources.path("fonts", "LICENSE-wqy-microhei.txt")).is_file()


def test_cff_font_is_refused(monkeypatch, tmp_path):
    from planner.report import fonts

    otf = next((p for p in Path("/usr/share/fonts").rglob("*.otf")), None) \
        if Path("/usr/share/fonts").is_dir() else None
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font at all")
    cands = [(bogus, 0)] + ([(otf, 0)] if otf else [])
    monkeypatch.setattr(fonts, "candidates", lambda: cands)
    with pytest.raises(FontNotFound) as err:
        fonts.find_cjk_font()
    msg = str(err.value)
    assert str(bogus) in msg and "ESPLAN_CJK_FONT" in msg


def test_font_env_override(monkeypatch):
    from planner.report import fonts

    path, idx = find_cjk_font()
    monkeypatch.setenv(fonts.FONT_ENV, f"{path}#{idx}")
    assert fonts.candidates()[0] == (path, idx)
    assert fonts.find_cjk_font() == (path, idx)


def test_formatting():
    assert fmt.integer(1234567.4) == "1,234,567"
    assert fmt.pct(0.482409) == "48.2%"
    assert _plain(fmt.money(8500)) == "0.85万元"
    assert _plain(fmt.money(14_280_107.7)) == "1,428.01万元"
    assert fmt.money(14_280_107.7, "en") == "¥14,280,108"
    assert fmt.qty(9.031) == "9.03" and fmt.qty(168749.9) == "168,750" and fmt.qty(None) == "—"
    assert fmt.norm_rate(SupplyLine(key="tent", rate=4, basis="per_n_persons", unit="顶"), "zh") == "每4人1顶"
    tent = SupplyLine(key="tent", rate=4, basis="per_n_persons", unit="顶")
    assert fmt.norm_rate(tent, "en") == "1 per 4 people (tents)"


def test_serif_body_with_sans_for_what_it_lacks(andorra):
    """The body is set in the shipped serif (宋体-like) face; a character it lacks falls back to
    the sans face instead of printing a blank box."""
    from planner.report.data import ReportData
    from planner.report.fonts import SERIF_NAME, missing_glyphs, register_serif_font
    from planner.report.pdf import _Builder

    assert register_serif_font() == SERIF_NAME
    r = pypdf.PdfReader(str(andorra["pdf"]))
    fonts = {str(f.get_object().get("/BaseFont")) for p in r.pages
             for f in ((p.get("/Resources") or {}).get("/Font") or {}).values()}
    assert any("UMingCN" in f for f in fonts) and any("WenQuanYi" in f for f in fonts)
    rare = "㙟"                                  # outside GB 2312: not in the serif subset
    assert missing_glyphs(rare + "✔", SERIF_NAME) == {rare, "✔"}
    b = _Builder(ReportData(inp=None, result=andorra["result"]))
    out = b.fallback(f"村名{rare}<b>达标✔</b>")
    assert out.count('<font face="ESPlanCJK">') == 2 and f">{rare}</font>" in out and ">✔</font>" in out
    assert "<b>达标" in out                      # markup is left alone
