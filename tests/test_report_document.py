"""The printed plan read as a bureau chief and a typesetter would (issue 12's acceptance test).

Three real reports — Andorra (baseline), Andorra under a valley flood compared with the
baseline, and Shanting (a district with its registers but no coordinates, roads or populations
yet) — are written and their extracted text is checked: the standard's terms are there; no
developer text leaks into the Chinese document; no line starts with closing punctuation or ends
with an opening bracket; the key figures are the run's figures; nothing unknown prints as 0.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest

from planner.engine.results import typed
from planner.report import fmt, write_report
from planner.report.typeset import break_ok, strip_joiners
from planner.scenario.runs import run

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
ANDORRA = DEMO / "andorra.esplan"
SHANTING = DEMO / "shanting.esplan"

#: the terms of the 编制指南 and the supplies plans a bureau files
TERMS = ("应急避难场所", "受灾人口", "转移安置", "实物储备", "协议储备", "储备库", "前置储备点", "避难需求",
         "保障人口", "规划人口", "编制依据", "规划期限", "保障措施")
#: program words that must never reach the Chinese document
DEVELOPER = ("PlanInfo", "engine default", "no source", "not found", "unset", "npm ", "PyPI", "plan:",
             "override:", "norms cn_standard", "None", "NaN", "cabr-fire", "凭记忆", "unknown", "target_population",
             "supply_population", "the seed", " pp", "min）", " min")
CLOSING = "，。、；：？！）》」』】"
OPENING = "（《「『【"
# four lower-case English words in a row: a sentence of the program, not a (Catalan) place name
ENGLISH_RUN = re.compile(r"\b[a-z]{2,}(?: [a-z]{2,}){3,}\b")


def _pages(pdf: Path) -> list[str]:
    return [p.extract_text() or "" for p in pypdf.PdfReader(str(pdf)).pages]


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _flood(plan: Path) -> None:
    from planner.demo.andorra import add_valley_flood
    from planner.store import open_plan

    p = open_plan(plan)
    try:
        add_valley_flood(p)
    finally:
        p.dispose()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("document")
    a = tmp / "andorra.esplan"
    shutil.copyfile(ANDORRA, a)
    _flood(a)
    s = tmp / "shanting.esplan"
    shutil.copyfile(SHANTING, s)
    from planner.report.pdf import build_pdf

    out, layout = {}, {}
    for key, plan, kw in (("andorra", a, {}), ("flood", a, {"scenario": "洪水", "compare": ["baseline"]}),
                          ("shanting", s, {})):
        out[key] = write_report(plan, tmp / f"{key}.pdf", **kw)
        layout[key] = build_pdf.last_layout
    from planner.store import open_plan

    results = {}
    for key, plan, scen in (("andorra", a, None), ("flood", a, "洪水"), ("shanting", s, None)):
        p = open_plan(plan)
        try:
            results[key] = typed(run(p, scen)[1])
        finally:
            p.dispose()
    return {k: (out[k], results[k], layout[k]) for k in out}


@pytest.mark.parametrize("key", ["andorra", "flood", "shanting"])
def test_standard_terms_and_no_developer_text(reports, key):
    pdf, _r, _l = reports[key]
    pages = _pages(pdf)
    text = "\n".join(pages)
    flat = _flat(text)
    for term in TERMS:
        assert term in flat, term
    # the inputs hash and the program's name are in the last appendix only, never in running text
    body = "\n".join(pages[:-1])
    assert "esplan " not in body.replace("esplan-cli", "")
    for phrase in DEVELOPER:
        assert phrase not in text, phrase
    runs = [m.group(0) for m in ENGLISH_RUN.finditer(text)]
    assert not runs, runs[:5]
    assert "\u2060" not in text          # word joiners are never printed


@pytest.mark.parametrize("key", ["andorra", "flood", "shanting"])
def test_line_breaking(reports, key):
    pdf, _r, _l = reports[key]
    bad = []
    for n, page in enumerate(_pages(pdf), 1):
        for line in page.split("\n"):
            s = line.strip()
            if not s:
                continue
            if s[0] in CLOSING:
                bad.append((n, "starts", s[:30]))
            if s[-1] in OPENING:
                bad.append((n, "ends", s[-30:]))
    assert not bad, bad[:10]


def test_break_rules():
    assert break_ok("床", "（")                        # a break before an opening bracket is fine
    assert not break_ok("（", "张")                    # never after it
    assert not break_ok("标", "；")                    # never before closing punctuation
    assert not break_ok("N", "-") and not break_ok("-", "0")   # codes stay whole
    assert not break_ok("5", "\u00a0")
    assert break_ok(" ", "E") and break_ok("人", "口")


def _key_figures_table(flat: str) -> str:
    start = flat.index("表2-1主要指标")
    return flat[start:flat.index("（三）", start)]


@pytest.mark.parametrize("key", ["andorra", "flood"])
def test_key_figures_are_the_runs(reports, key):
    pdf, r, _l = reports[key]
    table = _key_figures_table(_flat("\n".join(_pages(pdf))))
    s = r.summary
    plain = strip_joiners
    for v in (plain(fmt.people(s.served)) + f"（{fmt.pct(s.served_share)}）", plain(fmt.people(s.over_capacity)),
              plain(fmt.people(s.unreachable)), f"{s.open_shelters}处", plain(fmt.people(s.supply_population)),
              fmt.pct(s.allocation_shipped_share), f"{s.supply_items_short}类",
              plain(fmt.money(s.supply_shortfall_cost)),
              f"{s.isolated_units}个（{plain(fmt.people(s.isolated_population))}）"):
        assert v in table, (v, table)


def test_flood_shelters_total_counts_open_shelters_only(reports):
    pdf, r, _l = reports["flood"]
    flat = _flat("\n".join(_pages(pdf)))
    closed = [sh for sh in r.shelters if not sh.open]
    assert closed, "the flood closes shelters"
    start = flat.index("开放场所合计")
    assert fmt.integer(r.summary.shelter_capacity) in flat[start:start + 80]
    assert "本情景下不开放的应急避难场所" in flat
    # the comparison takes the baseline as reference: 洪水 − 基准, in 个百分点
    assert "以“基准情景”为参照" in flat and "个百分点" in flat


def test_unknown_is_never_zero(reports):
    pdf, r, _l = reports["shanting"]
    flat = _flat("\n".join(_pages(pdf)))
    table = _key_figures_table(flat)
    assert r.summary.units_unknown and not r.summary.population
    for zero in ("0人", "0元", "0.00万元", "0个（0人）"):
        assert zero not in table.replace("300,000人", ""), zero
    assert table.count("数据缺失") >= 4
    # a check's basis: a sum of nothing known is "—", not 0
    assert "避难需求人口0人" not in flat and "避难需求人口—人" in flat
    assert "数据缺失（尚未导入路网）" in table
    assert "本情景下没有被道路隔断的人口单元" not in flat
    assert "道路隔断无法评估" in flat
    # the bureau's own list of villages easily cut off is printed, judged as unknown, not as reachable
    assert "易失联村庄" in flat


def test_rounding_never_invents_an_unmet_quantity(reports):
    for key in ("andorra", "flood"):
        pdf, _r, _l = reports[key]
        text = "\n".join(_pages(pdf))
        assert not re.search(r"(?:^|\n)0(?:\.0+)?\n(?:\S{0,3}\n)?▼未满足", text), key


@pytest.mark.parametrize("key", ["andorra", "flood", "shanting"])
def test_no_page_half_blank_but_before_a_chapter(reports, key):
    pdf, _r, (fill, chapters) = reports[key]
    last = max(fill)
    assert len(pypdf.PdfReader(str(pdf)).pages) == last
    sparse = [(p, round(v, 2)) for p, v in sorted(fill.items())
              if v < 0.5 and p not in (1, last) and p + 1 not in chapters]
    assert not sparse, sparse


def test_a_new_empty_plan_prints_unknown_not_zero(tmp_path):
    """A plan just created (no units, no figures set): 保障人口 is unknown, never "0人"."""
    from planner.store import create_plan

    loc = tmp_path / "empty.esplan"
    create_plan(loc, name="空白规划", district_name="某区", district_code="370406").dispose()
    pdf = write_report(loc, tmp_path / "empty.pdf")
    first = _flat(_pages(pdf)[0])
    assert "保障人口数据缺失" in first and "保障人口0人" not in first
    assert "保障人口0人" not in _flat("\n".join(_pages(pdf)))
