"""The shared small utilities: planner.geo, planner.progress, planner.textfmt, io.dispatch,
engine.supply.item_required (hand-worked values)."""
from __future__ import annotations

import math

import pytest
import shapely

from planner.engine.supply import item_required, required_qty
from planner.geo import area_km2, from_metric, geodesic_area_m2, to_metric, utm_epsg, utm_zone
from planner.progress import Cancelled, Span, Stepper, check_cancel, tell
from planner.textfmt import DASH, delta, num, pct, value


# -- geo ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("lon", "zone"), [(0.0, 31), (5.999, 31), (6.0, 32), (-0.0001, 30), (-180.0, 1),
                                           (179.999, 60), (180.0, 1), (117.0, 50), (-3.0, 30)])
def test_utm_zone_edges_go_east(lon, zone):
    assert utm_zone(lon) == zone


@pytest.mark.parametrize(("lon", "lat", "epsg"), [(0.0, 0.0, 32631), (0.0, -0.0, 32631), (5.999, 45.0, 32631),
                                                  (6.0, 45.0, 32632), (-0.0001, -0.0001, 32730),
                                                  (117.0, 35.0, 32650), (151.2, -33.9, 32756)])
def test_utm_epsg_hemisphere(lon, lat, epsg):
    assert utm_epsg(lon, lat) == epsg


def _cell_area_km2(lat1: float, lat2: float, dlon: float) -> float:
    """Exact area of a lon/lat cell on the WGS84 ellipsoid (authalic formula)."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    e = math.sqrt(e2)
    b2 = a * a * (1 - e2)

    def q(phi: float) -> float:
        s = math.sin(math.radians(phi))
        return s / (1 - e2 * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    return math.radians(dlon) * b2 / 2 * (q(lat2) - q(lat1)) / 1e6


def test_area_of_a_one_degree_cell_near_the_equator():
    cell = shapely.box(2.5, 0.0, 3.5, 1.0)  # centred on zone 31's central meridian (3° E)
    exact = _cell_area_km2(0.0, 1.0, 1.0)
    assert exact == pytest.approx(12308.8, abs=1.0)
    assert area_km2(cell) == pytest.approx(exact, rel=1e-3)
    # the polygon's top edge is a geodesic, not the parallel at 1° N: it bulges north by a few m
    assert geodesic_area_m2(cell) / 1e6 == pytest.approx(exact, rel=1e-4)
    holed = cell.difference(shapely.box(2.9, 0.4, 3.1, 0.6))
    assert geodesic_area_m2(holed) / 1e6 == pytest.approx(exact * (1 - 0.04), rel=1e-3)
    assert geodesic_area_m2(shapely.Point(3, 0)) == 0.0


def test_to_metric_round_trip():
    x, y = to_metric((3.0, 0.0), 32631)
    assert x == pytest.approx(500000.0) and y == pytest.approx(0.0, abs=1e-6)
    lon, lat = from_metric((x, y), 32631)
    assert (lon, lat) == pytest.approx((3.0, 0.0))
    line = to_metric(shapely.LineString([(3.0, 0.0), (3.0, 1.0)]))
    assert line.length == pytest.approx(110574 * 0.9996, rel=1e-3)


# -- progress ----------------------------------------------------------------------------------
class _P:
    def __init__(self, cancel_after: int = 10**9):
        self.seen: list[tuple[float, str]] = []
        self.n, self.after = 0, cancel_after

    def set_progress(self, fraction: float, message: str) -> None:
        self.seen.append((fraction, message))

    def is_cancelled(self) -> bool:
        self.n += 1
        return self.n > self.after


def test_span_maps_and_clamps():
    p = _P()
    s = Span(p, 0.2, 0.6)
    s.set_progress(0.5, "half")
    s.set_progress(2.0, "over")
    s.set_progress(-1.0, "under")
    assert p.seen == [(pytest.approx(0.4), "half"), (pytest.approx(0.6), "over"), (pytest.approx(0.2), "under")]
    inner = Span(s, 0.5, 1.0)  # spans nest: 0.5 of [0.5, 1] of [0.2, 0.6] → 0.5
    inner.set_progress(0.0, "x")
    assert p.seen[-1][0] == pytest.approx(0.4)
    assert not Span(None, 0, 1).is_cancelled()
    Span(None, 0, 1).set_progress(0.5, "nobody listens")


def test_one_cancel_exception():
    assert issubclass(Cancelled, InterruptedError)
    check_cancel(None)
    tell(None, 0.5, "x")
    with pytest.raises(Cancelled):
        check_cancel(_P(cancel_after=0))
    with pytest.raises(Cancelled):
        tell(_P(cancel_after=0), 0.5, "x")
    st = Stepper(_P(cancel_after=1))
    st.step(0.0, 0.5, "first")
    with pytest.raises(Cancelled):
        st(0.5, "second")
    from planner.engine import Cancelled as EngineCancelled
    from planner.engine.progress import Cancelled as ProgressCancelled

    assert EngineCancelled is Cancelled and ProgressCancelled is Cancelled


def test_io_raises_cancelled(tmp_path):
    from planner.io.dispatch import import_file
    from planner.store import create_plan

    roads = tmp_path / "roads.geojson"
    roads.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                     '"properties": {"highway": "primary"}, "geometry": {"type": "LineString", '
                     '"coordinates": [[1.5, 42.5], [1.51, 42.5]]}}]}', encoding="utf-8")
    plan = create_plan(tmp_path / "p.esplan", name="t")
    try:
        before = plan.counts()
        with pytest.raises(Cancelled):
            import_file(plan, "roads-geojson", roads, clip=False, progress=_P(cancel_after=0))
        assert plan.counts() == before
        p = _P()
        rep = import_file(plan, "roads-geojson", roads, clip=False, progress=p)
        assert rep.inserted >= 1 and p.seen[0][0] == 0.0 and p.seen[-1][0] == 1.0
        with pytest.raises(ValueError):
            import_file(plan, "nonsense", roads)
    finally:
        plan.dispose()


# -- textfmt -----------------------------------------------------------------------------------
def test_formatting_unknown_is_a_dash_never_zero():
    for unknown in (None, float("nan"), float("inf"), "n/a"):
        assert num(unknown) == DASH
        assert pct(unknown) == DASH
        assert value(unknown, "min") == DASH
        assert delta(unknown) == ""
    assert value(None, "min", fixed=1, unknown="∞ min") == "∞ min"
    assert num(0) == "0" and num(0.0) == "0"
    assert num(41012.4) == "41,012" and num(12.345) == "12.35" and num(True) == "True"
    assert num(4.567, 3, 10.0) == "4.57" and num(1234.5, 3, 10.0) == "1,234"
    assert pct(0.482409) == "48.2%" and pct(0.482409, 1, " ") == "48.2 %" and pct(0.5, 0) == "50%"
    assert value(0.9, "share") == "90.0 %" and value(12.5, "min") == "12.5 min"
    assert value(12.5, "min", fixed=1) == "12.5 min"
    assert delta(1234.0) == " (+1,234)" and delta(-0.5) == " (-0.5)" and delta(0.025, "share") == " (+2.5 pp)"
    assert delta(0) == ""


# -- required quantity -------------------------------------------------------------------------
def test_required_quantity():
    assert item_required({"basis": "per_person_per_day", "rate": "3"}, 1000, 3) == 9000
    assert item_required({"basis": "per_person", "rate": 1}, 1000, 3) == 1000
    assert item_required({"basis": "per_n_persons", "rate": 4}, 30000, 3) == 7500
    assert item_required({"basis": "per_n_persons", "rate": 4}, 30001, 3) == 7501
    assert required_qty("per_person", 1.0, 0, 3) == 0.0
    with pytest.raises(ValueError):
        item_required({"basis": "per_hour", "rate": 1}, 10, 3)
