"""The maps of the printed plan (planner.report.maps), read back from the reportlab drawings.

What is checked is what a reader sees: no label overprints another, the unit states differ in
grey, every colour keeps one meaning, the service area is one dissolved path, isolated units
and closed sites are marked with a legend entry (and the legend has entries only for what is
drawn), Shanting's outline loses its spike with a note, a scenario map marks the units less
served than in the baseline.
"""
from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely
from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Group,
    Line,
    Path as RPath,
    Polygon,
    String,
    mmult,
    transformPoint,
)
from reportlab.pdfbase.pdfmetrics import stringWidth

from planner import text as tx
from planner.engine import run_plan
from planner.engine.results import typed
from planner.report import maps
from planner.report.data import ReportData, read_plan_context
from planner.report.fonts import register_cjk_font
from planner.scenario.runs import load_snapshot
from planner.store import open_plan

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
IDENT = (1, 0, 0, 1, 0, 0)
FLOOD = "洪水"


# -- fixtures -----------------------------------------------------------------------------------
def _add_valley_flood(plan: Path) -> None:
    """A flood zone along the Valira valley through Andorra la Vella and Escaldes (closes sites)."""
    from planner import models as m

    line = shapely.LineString([(1.488, 42.468), (1.497, 42.490), (1.505, 42.497), (1.515, 42.503),
                               (1.522, 42.5055), (1.530, 42.507), (1.537, 42.510), (1.545, 42.513),
                               (1.56, 42.522)])
    p = open_plan(plan)
    try:
        with p.transaction(user="test", reason="flood scenario") as s:
            sc = m.Scenario(name=FLOOD, description="河谷洪水", params={})
            s.add(sc)
            s.flush()
            s.add(m.HazardZone(scenario_id=sc.id, name="河谷", effect=m.HazardEffect.block, factor=1.0,
                               closes_sites=True, geometry=line.buffer(0.0022)))
    finally:
        p.dispose()


def _data(plan: Path, scenario: str | None = None, lang: str = "zh") -> ReportData:
    p = open_plan(plan)
    try:
        inp = load_snapshot(p, scenario)
        return ReportData(inp=inp, result=run_plan(inp), lang=lang, **read_plan_context(p, scenario))
    finally:
        p.dispose()


@pytest.fixture(scope="module")
def font() -> str:
    return register_cjk_font()


@pytest.fixture(scope="module")
def andorra(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("maps")
    plan = tmp / "andorra.esplan"
    shutil.copyfile(DEMO / "andorra.esplan", plan)
    _add_valley_flood(plan)
    return {"base": _data(plan), "flood": _data(plan, FLOOD)}


@pytest.fixture(scope="module")
def shanting() -> ReportData:
    return _data(DEMO / "shanting.esplan")


# -- reading a drawing back ---------------------------------------------------------------------
def _walk(node, t=IDENT):
    """(shape, transform) of every leaf of a drawing."""
    if isinstance(node, Group):
        nt = mmult(t, node.transform) if getattr(node, "transform", None) else t
        for c in node.contents:
            yield from _walk(c, nt)
    else:
        yield node, t


def _label_boxes(d: Drawing) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The box every String of the drawing covers (descender to cap height), page coordinates."""
    out = []
    for s, t in _walk(d):
        if not isinstance(s, String) or not s.text:
            continue
        w = stringWidth(s.text, s.fontName, s.fontSize)
        x0 = s.x - w / 2 if s.textAnchor == "middle" else s.x - w if s.textAnchor == "end" else s.x
        (ax, ay), (bx, by) = transformPoint(t, (x0, s.y - 0.2 * s.fontSize)), \
            transformPoint(t, (x0 + w, s.y + 0.8 * s.fontSize))
        out.append((s.text, (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))))
    return out


def _overlaps(boxes) -> list[tuple[str, str]]:
    eps = 0.05
    bad = []
    for (s1, a), (s2, b) in itertools.combinations(boxes, 2):
        if a[0] < b[2] - eps and b[0] < a[2] - eps and a[1] < b[3] - eps and b[1] < a[3] - eps:
            bad.append((s1, s2))
    return bad


def _texts(d: Drawing) -> set[str]:
    return {s.text for s, _ in _walk(d) if isinstance(s, String)}


# -- labels ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["base", "flood"])
def test_detail_map_labels_do_not_overprint(andorra, font, which):
    data = andorra[which]
    box = maps.detail_extent(data)
    assert box is not None
    m = maps.district_map(data, font, max_height=200 * maps.mm, min_height=120 * maps.mm, extent=box,
                          legend=False, site_labels=True)
    boxes = _label_boxes(m.drawing)
    assert not _overlaps(boxes)
    # the crowded Escaldes cluster is labelled (by code, or by a number with a key)
    labelled = {s for s, _ in boxes} | {c for _, c, _ in m.callouts}
    assert {"SH-08", "SH-09", "SH-10", "SH-11", "SH-12", "SH-19", "SH-33"} <= labelled
    # every placed label lies inside the drawing
    for s, (x0, y0, x1, y1) in m.labels:
        assert x0 >= 0 and x1 <= m.drawing.width and y0 >= 0 and y1 <= m.drawing.height, s


def test_crowded_labels_fall_back_to_numbers_and_never_overlap(andorra, font):
    """All 65 site codes on the whole-district map at 1:200,000: some get numbers and a key."""
    data = andorra["base"]
    m = maps.district_map(data, font, site_labels=True)
    assert not _overlaps(_label_boxes(m.drawing))
    texts = {s for s, _ in m.labels}
    codes = {str(c) for c in data.inp.sites.code}
    by_number = {c for _, c, _ in m.callouts}
    not_placed = " ".join(m.notes)
    for c in codes:
        assert c in texts or c in by_number or c in not_placed, c
    assert [n for n, _, _ in m.callouts] == list(range(1, len(m.callouts) + 1))
    assert all(str(n) in texts for n, _, _ in m.callouts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_main_maps_text_does_not_overprint(andorra, shanting, font, lang):
    for data in (andorra["base"], andorra["flood"], shanting):
        data.lang = lang
        try:
            box = maps.detail_extent(data)
            m = maps.district_map(data, font, mark_box=box, mark_label="详图" if lang == "zh" else "Detail")
            assert not _overlaps(_label_boxes(m.drawing))
        finally:
            data.lang = "zh"


# -- symbology ------------------------------------------------------------------------------------
def _grey(c) -> float:
    return 0.299 * c.red + 0.587 * c.green + 0.114 * c.blue


def test_unit_states_differ_in_lightness_and_pattern():
    greys = {s: _grey(c) for s, c in maps._STATE_FILL.items()}
    for a, b in itertools.combinations(greys, 2):
        assert abs(greys[a] - greys[b]) >= 0.2, (a, b, greys)
    # over capacity also hatched, off-network also a dashed rim: not told apart by colour alone
    over = maps._unit_symbol(0, 0, 6, [(1, "over")])
    assert any(isinstance(s, RPath) for s, _ in _walk(over))
    off = maps._unit_symbol(0, 0, 6, [(1, "offnet")])
    assert any(isinstance(s, Circle) and s.strokeDashArray for s, _ in _walk(off))


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler) not installed")
def test_unit_states_are_distinct_greys_when_printed_grey(tmp_path, font):
    """Render the four states large, print them through pdftoppm -gray, compare mean greys."""
    from reportlab.graphics import renderPDF

    d = Drawing(400, 100)
    for k, s in enumerate(maps.UNIT_STATES):
        d.add(maps._unit_symbol(50 + k * 100, 50, 40, [(1, s)]))
    pdf = tmp_path / "states.pdf"
    renderPDF.drawToFile(d, str(pdf))
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-singlefile", str(pdf), str(tmp_path / "g")], check=True)
    raw = (tmp_path / "g.pgm").read_bytes()
    parts = raw.split(maxsplit=4)
    w, h = int(parts[1]), int(parts[2])
    img = np.frombuffer(parts[4][-w * h:], dtype=np.uint8).reshape(h, w) / 255.0
    top = h - 100                                         # the drawing sits at the page's top left
    means = [float(img[top + 30:top + 70, 30 + k * 100:70 + k * 100].mean()) for k in range(4)]
    for a, b in itertools.combinations(range(4), 2):
        assert abs(means[a] - means[b]) >= 0.12, means


def _colours(node) -> set[str]:
    out = set()
    for s, _ in _walk(node):
        for attr in ("fillColor", "strokeColor"):
            c = getattr(s, attr, None)
            if c is not None:
                out.add(c.hexval())
    return out


def test_one_meaning_per_colour():
    white, black = "0xffffff", "0x000000"
    unreach = maps.UNREACH.hexval()
    closed = site = maps.site_symbol("shelter", None, "long", "closed", 0, 0)
    assert _colours(closed) <= {white, black}                       # closed: hollow, black cross
    assert len([s for s, _ in _walk(closed) if isinstance(s, Line)]) == 2
    for kind, tier, cls in [("shelter", None, "long"), ("shelter", None, "emergency"), ("warehouse", None, None),
                            ("reserve_point", "town", None), ("reserve_point", "village", None)]:
        site = maps.site_symbol(kind, tier, cls, "built", 0, 0)
        assert unreach not in _colours(site) and maps.HAZARD.hexval() not in _colours(site)
    hazard = {maps.HAZARD.hexval(), maps.HAZARD_FILL.hexval()}
    states = {c.hexval() for c in maps._STATE_FILL.values()}
    assert not hazard & states and unreach not in hazard


# -- layers ---------------------------------------------------------------------------------------
def _service_paths(d: Drawing) -> list[RPath]:
    return [s for s, _ in _walk(d) if isinstance(s, RPath) and s.fillColor is not None
            and s.fillColor.hexval() == maps.SERVICE.hexval()]


def test_service_areas_are_one_dissolved_path(andorra, font):
    data = andorra["base"]
    m = maps.district_map(data, font, extent=maps.detail_extent(data), legend=False)
    paths = _service_paths(m.drawing)
    assert len(paths) == 1
    p = paths[0]
    assert p.fillMode == 0                                     # even-odd: holes stay holes
    rings = p.operators.count(0)
    n_areas = len(typed(data.result).service_areas)
    union = maps._service_union(typed(data.result).service_areas)
    n_rings = sum(1 + len(g.interiors) for g in getattr(union, "geoms", [union]))
    assert rings <= n_rings < n_areas                          # not one ring per (triangle) polygon
    # two overlapping squares become one ring
    sq = {"a": shapely.geometry.mapping(shapely.box(0, 0, 2, 2)),
          "b": shapely.geometry.mapping(shapely.box(1, 1, 3, 3))}
    assert maps._service_union(sq).geom_type == "Polygon"


def test_flood_map_marks_isolated_and_closed_with_legend(andorra, font):
    base, flood = andorra["base"], andorra["flood"]
    zh = lambda k: tx.text(k, "zh")  # noqa: E731
    mb = maps.district_map(base, font)
    mf = maps.district_map(flood, font)
    tb, tf = _texts(mb.drawing), _texts(mf.drawing)
    for key in ("report.map.isolated_unit", "report.map.closed_site", "report.map.hazard_zone"):
        assert zh(key) in tf and zh(key) not in tb, key
    iso = {u.code for u in typed(flood.result).isolation if u.status == "isolated"}
    assert iso
    rings = [s for s, _ in _walk(mf.drawing) if isinstance(s, Circle) and s.strokeDashArray == [1.6, 1.0]
             and s.strokeColor == maps.MARK]
    assert len(rings) == len(iso) + 1                          # + the legend's sample
    closed = {s.code for s in typed(flood.result).shelters if s.closed}
    assert closed
    crosses = [s for s, _ in _walk(mf.drawing) if isinstance(s, Line) and s.strokeColor == maps.CLOSED_LINE
               and s.strokeWidth == 1.0]
    n_closed = sum(1 for k in range(len(flood.inp.sites)) if maps._val(flood.inp.sites.status[k]) == "closed")
    assert len(crosses) == 2 * (n_closed + 1)                  # every closed site (and the legend) crossed
    # the hazard zone is hatched in its own colour; nothing else uses it
    hatch = [s for s, _ in _walk(mf.drawing) if isinstance(s, RPath) and s.strokeColor == maps.HAZARD
             and s.fillColor is None]
    assert hatch
    assert not [s for s, _ in _walk(mb.drawing) if getattr(s, "strokeColor", None) == maps.HAZARD]
    # the zone is named on the map, in its colour
    assert [s for s, _ in _walk(mf.drawing) if isinstance(s, String) and s.text == "河谷"
            and s.fillColor == maps.HAZARD]


def test_legend_lists_only_what_is_drawn(andorra, shanting, font):
    zh = lambda k: tx.text(k, "zh")  # noqa: E731
    tb = _texts(maps.district_map(andorra["base"], font).drawing)
    assert zh("report.map.fixed_shelter") in tb and zh("report.map.closed_site") not in tb
    assert zh("report.map.planned_hollow_symbol") not in tb
    ts = _texts(maps.district_map(shanting, font).drawing)
    for key in ("report.map.fixed_shelter", "report.map.reserve_warehouse", "report.map.planned_hollow_symbol",
                "report.map.reachable_but_shelters_full", "report.map.sites"):
        assert zh(key) not in ts, key
    assert zh("report.map.district_boundary") in ts and zh("report.map.no_road_network_yet") in ts


def test_shanting_outline_spike_left_out_and_said(shanting, font):
    m = maps.district_map(shanting, font)
    assert any("尖刺" in n and "117.6230" in n for n in m.notes)
    # the drawn outline has no vertex at the spike's tip
    tip = shapely.Point(117.623023, 34.910529)
    district = [b.geometry for b in shanting.boundaries if b.role == "district"][0]
    cleaned, removed = maps._despike(district)
    assert len(removed) == 1 and tip.distance(shapely.Point(removed[0])) < 1e-6
    assert tip.distance(cleaned.boundary) > 0.003
    assert cleaned.area == pytest.approx(district.area, rel=0.002)
    # what is missing is said in the frame itself, not only below it
    assert any(t.startswith("本图未绘出") for t in _texts(m.drawing))


def test_despike_keeps_honest_outlines(andorra):
    sq = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0.5, 1), (0.52, 1.4), (0.48, 1), (0, 1)])   # a real wide notch
    out, removed = maps._despike(sq)
    assert not removed and out.equals(sq)
    spike = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0.501, 1), (0.5, 1.3), (0.499, 1), (0, 1)])
    out, removed = maps._despike(spike)
    assert removed == [(0.5, 1.3)] and out.area == pytest.approx(1.0, abs=1e-3)
    for b in andorra["base"].boundaries:
        if b.role == "district":
            assert not maps._despike(b.geometry)[1], b.name


def test_scenario_map_against_the_baseline(andorra, font):
    base, flood = andorra["base"], andorra["flood"]
    m = maps.district_map(flood, font, compare_result=base.result)
    expected = set()
    for u in typed(flood.result).units:
        b = typed(base.result).unit(u.code)
        if b is not None and (b.served or 0) - (u.served or 0) >= max(1.0, 0.005 * (u.population or 0)):
            expected.add(u.code)
    assert expected and set(m.newly_uncovered) == expected
    texts = _texts(m.drawing)
    assert tx.text("report.map.newly_uncovered", "zh") in texts
    assert tx.text("report.map.baseline_service_area", "zh") in texts
    dashed = [s for s, _ in _walk(m.drawing) if isinstance(s, RPath) and s.fillColor is None
              and s.strokeColor == maps.SERVICE and s.strokeDashArray]
    assert dashed
    # without a baseline: no box, no reference outline
    plain = maps.district_map(flood, font)
    assert not plain.newly_uncovered
    assert tx.text("report.map.newly_uncovered", "zh") not in _texts(plain.drawing)


def test_flagged_village_gets_a_pennant_and_a_legend_entry(andorra, font):
    data = andorra["base"]
    du = data.inp.demand
    k = next(i for i in range(len(du)) if np.isfinite(float(du.lon[i])))
    before = du.flags[k]
    label = tx.text("report.map.flagged_unit", "zh")
    assert label not in _texts(maps.district_map(data, font).drawing)
    try:
        du.flags[k] = ("易失联",)
        m = maps.district_map(data, font)
    finally:
        du.flags[k] = before
    assert label in _texts(m.drawing)
    pennants = [s for s, _ in _walk(m.drawing) if isinstance(s, Polygon) and s.fillColor == maps.MARK
                and len(s.points) == 6 and s.strokeWidth == 0.3]
    assert len(pennants) == 2                                  # the unit's and the legend's


def test_paired_maps_show_the_scenario_beside_the_baseline(andorra, font):
    base, flood = andorra["base"], andorra["flood"]
    for lang in ("en", "zh"):
        base.lang = flood.lang = lang
        try:
            assert not _overlaps(_label_boxes(maps.paired_maps(base, flood, font).drawing)), lang
        finally:
            base.lang = flood.lang = "zh"
    pm = maps.paired_maps(base, flood, font)
    texts = _texts(pm.drawing)
    assert tx.text("report.map.pair_baseline", "zh") in texts
    assert tx.text("report.map.pair_scenario", "zh", scenario=FLOOD) in texts
    assert not _overlaps(_label_boxes(pm.drawing))
    # one legend for both halves: the baseline's entries and the scenario's
    heading = tx.text("report.map.legend", "zh")
    legends = [s for s, _ in _walk(pm.drawing) if isinstance(s, String) and s.text == heading]
    assert len(legends) == 1
    for key in ("report.map.closed_site", "report.map.hazard_zone", "report.map.newly_uncovered",
                "report.map.fixed_shelter"):
        assert tx.text(key, "zh") in texts, key
    assert pm.newly_uncovered == maps.district_map(flood, font, compare_result=base.result).newly_uncovered
    assert pm.notes == maps.district_map(flood, font).notes
    # two frames side by side, same height, inside the drawing
    frames = [(s, t) for s, t in _walk(pm.drawing) if type(s).__name__ == "Rect" and s.strokeColor is not None
              and s.strokeWidth == 0.8 and s.width > 100]
    assert len(frames) == 2
    (a, ta), (b, tb) = frames
    assert a.height == b.height and ta[4] + a.width < tb[4] and tb[4] + b.width <= pm.drawing.width


def test_compare_maps_for_the_window_are_the_printed_figure(tmp_path):
    """The compare dialog's maps: the reference's beside each scenario's, as SVG, with the CJK font
    named as the window knows it."""
    from planner.demo import copy_demo_to
    from planner.demo.andorra import add_valley_flood
    from planner.report.compare_maps import paired_map_svgs
    from planner.report.fonts import register_cjk_font
    from planner.scenario.compare import compare_runs
    from planner.store import open_plan

    p = tmp_path / "a.esplan"
    copy_demo_to("andorra", p)
    plan = open_plan(p)
    add_valley_flood(plan)
    runs = compare_runs(plan, [None, "洪水"])
    assert [r.scenario for _i, r in runs] == ["baseline", "洪水"]
    maps = paired_map_svgs(plan, runs, "zh", font_family="Viewer CJK")
    assert len(maps) == 1 and maps[0]["scenario"] == "洪水"
    svg = maps[0]["svg"]
    assert '<svg fill="none" ' in svg and "洪水" in svg     # unfilled shapes are not black
    assert "font-family: 'Viewer CJK';" in svg and f"font-family: {register_cjk_font()};" not in svg
    assert paired_map_svgs(plan, runs[:1], "zh") == []                 # nothing to compare
    plan.dispose()
