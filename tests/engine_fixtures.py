"""Engine test fixtures: tiny hand-built networks whose every number is worked out by hand.

Positions are given in metres in UTM zone 50N (EPSG:32650, central meridian 117°E, near
山亭区) and converted to lon/lat, so the engine (which picks the same UTM zone from the data)
measures snap distances exactly in those metres. Edge lengths are given explicitly.

The "tiny district" (walk 1 m/s, threshold 15 min = 900 s; drive: residential 20 km/h × 0.6 =
12 km/h = 10/3 m/s, motorway 100 × 0.6 = 60 km/h = 50/3 m/s)::

    n7 (0,-600)
     │ residential 600 m, both ways (a road that a hazard can cut: see CUT_N7)
    n0 ── n1 ── n2 ── n3 ── n4 ── n5 ─────── track 3000 m ─────── n6 (5000,0)
    (0,0) (400)  (800) (1200) (1600) (2000)
     └──────── motorway 2000 m, oneway n5 → n0 (driving only; not walkable) ───┘
    consecutive n0…n5: residential, 400 m each (walk 400 s, drive 120 s)

Snapping keeps to the main strongly connected component of each mode (graph.py), so a oneway
dead end would not capture a site; ``ONEWAY_SPUR`` below is such a case.

Sites: S1 shelter short at n0, indoor 200 m² + outdoor 1000 m² → 100 + 500 = 600 places
(indoor 100); S2 shelter emergency 50 m north of n3, stated capacity 300, no indoor;
S3 planned shelter at n5 (stated 150); S4 closed shelter at n1 (stated 1000);
W1 warehouse at n5; R1 reserve point at n6 (n6 is on a track: 3000 m from the nearest drivable
node → off the driving network); R2 closed reserve point at n2; R3 reserve point at n7
(town T2).

Demand units (population): U1 500 at n1; U2 400 at n2; U3 200 100 m north of n4;
U4 100 at n6; U5 50 without coordinates; U6 70 at (0, 2000) (2000 m from n0: off network);
U7 30 at n7 (town T2).
"""
from __future__ import annotations

import copy

import numpy as np
import pyproj

from planner.engine.snapshot import RoadTable, make_input
from planner.norms import shipped_profile

X0, Y0 = 500000.0, 3900000.0  # UTM 50N: 117°E, ≈ 35.2°N
_INV = pyproj.Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = _INV.transform(X0 + x, Y0 + y)
    return float(lon), float(lat)


def lonlat_arrays(xy) -> tuple[np.ndarray, np.ndarray]:
    xy = np.asarray(xy, dtype=float)
    lon, lat = _INV.transform(X0 + xy[:, 0], Y0 + xy[:, 1])
    return np.asarray(lon), np.asarray(lat)


def roads_from_xy(node_xy, edges) -> RoadTable:
    """edges: (u, v, highway, oneway, length_m or None=euclidean)."""
    node_xy = np.asarray(node_xy, dtype=float)
    lon, lat = lonlat_arrays(node_xy)
    u = [e[0] for e in edges]
    v = [e[1] for e in edges]
    length = [e[4] if len(e) > 4 and e[4] is not None else float(np.hypot(*(node_xy[e[0]] - node_xy[e[1]])))
              for e in edges]
    return RoadTable.from_arrays(lon, lat, u, v, [e[2] for e in edges], [e[3] for e in edges], length)


NODES = [(0, 0), (400, 0), (800, 0), (1200, 0), (1600, 0), (2000, 0), (5000, 0), (0, -600)]
EDGES = [(0, 1, "residential", False), (1, 2, "residential", False), (2, 3, "residential", False),
         (3, 4, "residential", False), (4, 5, "residential", False), (5, 6, "track", False, 3000.0),
         (5, 0, "motorway", True, 2000.0), (7, 0, "residential", False, 600.0)]


def cut_n7():
    """A hazard zone that blocks the n0–n7 road (20 m × 20 m around (0, -300))."""
    import shapely

    from planner.engine.snapshot import Hazard

    poly = shapely.Polygon([lonlat(-10, -310), lonlat(10, -310), lonlat(10, -290), lonlat(-10, -290)])
    return Hazard("n0–n7 road cut", "block", 1.0, False, poly)


def site(code, kind, x=None, y=None, **kw):
    d = {"code": code, "name": kw.pop("name", code), "kind": kind}
    if x is not None:
        d["lon"], d["lat"] = lonlat(x, y)
    d.update(kw)
    return d


def unit(code, pop, x=None, y=None, **kw):
    d = {"code": code, "name": code, "population": pop, "town": kw.pop("town", "T1")}
    if x is not None:
        d["lon"], d["lat"] = lonlat(x, y)
    d.update(kw)
    return d


TINY_SITES = [
    site("S1", "shelter", 0, 0, shelter_class="short", indoor_area=200.0, outdoor_area=1000.0, town="T1"),
    site("S2", "shelter", 1200, 50, shelter_class="emergency", stated_capacity=300, town="T1"),
    site("S3", "shelter", 2000, 0, shelter_class="short", status="planned", stated_capacity=150, town="T1"),
    site("S4", "shelter", 400, 0, shelter_class="short", status="closed", stated_capacity=1000, town="T1"),
    site("W1", "warehouse", 2000, 0, tier="district", town="T1"),
    site("R1", "reserve_point", 5000, 0, tier="village", town="T1"),
    site("R2", "reserve_point", 800, 0, tier="town", status="closed", town="T1"),
    site("R3", "reserve_point", 0, -600, tier="village", town="T2"),
]
TINY_UNITS = [
    unit("U1", 500, 400, 0), unit("U2", 400, 800, 0), unit("U3", 200, 1600, 100),
    unit("U4", 100, 5000, 0), unit("U5", 50), unit("U6", 70, 0, 2000), unit("U7", 30, 0, -600, town="T2"),
]
TINY_ITEMS = [
    {"code": "WATER", "name_zh": "瓶装水", "unit": "L", "norm_key": "drinking_water", "unit_price": 2.0},
    {"code": "QUILT", "name_zh": "棉被", "unit": "床", "norm_key": "quilt", "unit_price": 100.0},
    {"code": "TENT", "name_zh": "帐篷", "unit": "顶", "norm_key": "tent_12m2", "unit_price": 1500.0},
    {"code": "ROPE", "name_zh": "绳索", "unit": "根", "norm_key": None},
]


def _lot(i, site_code, item_code, qty, **kw):
    sites = [s["code"] for s in TINY_SITES]
    items = [it["code"] for it in TINY_ITEMS]
    return {"id": i, "site_id": sites.index(site_code) + 1, "item_id": items.index(item_code) + 1,
            "quantity": qty, **kw}


# event date 2026-06-01, deadline 6 h
TINY_LOTS = [
    _lot(1, "W1", "WATER", 5000, expiry="2027-01-01"),                 # usable
    _lot(2, "W1", "WATER", 2000, expiry="2026-05-01"),                 # expired
    _lot(3, "W1", "QUILT", 600, mode="agreement", lead_time_h=4.0),    # usable, ready after 4 h
    _lot(4, "W1", "QUILT", 300, mode="agreement", lead_time_h=8.0),    # agreement too slow
    _lot(5, "R1", "TENT", 100),                                        # R1 off the driving network
    _lot(6, "R2", "TENT", 50),                                         # site closed
    _lot(7, "W1", "TENT", 120),                                        # usable
    _lot(8, "W1", "ROPE", 10),                                         # no norm
    _lot(9, "W1", "QUILT", 50, mode="agreement", lead_time_h=5.99),    # 5.99 h + 120 s > 6 h: too far
    _lot(10, "R3", "WATER", 300, expiry="2026-06-01"),                 # usable on its expiry date
    _lot(11, "R3", "QUILT", 40),
    _lot(12, "R3", "TENT", 10),
]


def tiny_norms(keys=("drinking_water", "quilt", "tent_12m2")) -> dict:
    prof = copy.deepcopy(shipped_profile("cn_standard"))
    prof["supplies"]["items"] = {k: v for k, v in prof["supplies"]["items"].items() if k in keys}
    # the tiny district's hand-worked times walk at 1 m/s (the shipped profile: 0.83 m/s)
    prof["coverage"]["walk_speed_mps"] = {"value": 1.0, "src": "test fixture", "conf": "A"}
    return prof


def tiny_input(*, sites=None, units=None, lots=None, items=None, norms=None, edges=None, hazards=(),
               **params):
    base = {"supply_population": 1000, "event_date": "2026-06-01", "walk_speed_mps": 1.0,
            "threshold_min": 15, "first_batch_deadline_h": 6, "post_disaster_speed_factor": 0.6}
    base.update(params)
    ids = lambda rows: [{"id": k + 1, **r} for k, r in enumerate(rows)]  # noqa: E731
    return make_input(
        sites=ids(TINY_SITES if sites is None else sites),
        items=ids(TINY_ITEMS if items is None else items),
        lots=TINY_LOTS if lots is None else lots,
        demand=ids(TINY_UNITS if units is None else units),
        roads=roads_from_xy(NODES, EDGES if edges is None else edges),
        norms=norms if norms is not None else tiny_norms(), params=base, hazards=hazards)


def grid_roads(nx_: int, ny_: int, spacing: float = 100.0, seed: int = 0, jitter: float = 20.0,
               drop: float = 0.1, diag: float = 0.3):
    """A perturbed grid (synthetic): node_xy, edges list (u, v, highway, oneway, length)."""
    rng = np.random.default_rng(seed)
    xs, ys = np.meshgrid(np.arange(nx_) * spacing, np.arange(ny_) * spacing)
    xy = np.column_stack([xs.ravel(), ys.ravel()]) + rng.normal(0, jitter, (nx_ * ny_, 2))
    idx = np.arange(nx_ * ny_).reshape(ny_, nx_)
    edges = []
    for (a, b) in [(idx[:, :-1].ravel(), idx[:, 1:].ravel()), (idx[:-1, :].ravel(), idx[1:, :].ravel())]:
        for u, v in zip(a, b, strict=True):
            if rng.random() < drop:
                continue
            row = u // nx_
            col = u % nx_
            hw = "primary" if row % 10 == 0 or col % 10 == 0 else "residential"
            edges.append((int(u), int(v), hw, bool(rng.random() < 0.05),
                          float(np.hypot(*(xy[u] - xy[v])) * rng.uniform(1.0, 1.15))))
    a, b = idx[:-1, :-1].ravel(), idx[1:, 1:].ravel()
    for u, v in zip(a, b, strict=True):
        if rng.random() < diag:
            edges.append((int(u), int(v), "footway", False, float(np.hypot(*(xy[u] - xy[v])))))
    return xy, edges


def build_db_plan(path, *, sites=None, units=None, items=None, lots=None, nodes=None, edges=None,
                  norms=None, target_population=1000, scenarios=()):
    """Write a tiny district into a real plan database (SQLite file) and return the Plan.

    Rows are added in list order so their ids are 1, 2, … like :func:`tiny_input`.
    ``scenarios``: (name, params, hazards=[(name, effect, factor, shapely polygon WGS84)]).
    """
    import datetime as dt

    from sqlalchemy import select

    from planner import models as m
    from planner.store import create_plan

    sites = TINY_SITES if sites is None else sites
    units = TINY_UNITS if units is None else units
    items = TINY_ITEMS if items is None else items
    lots = TINY_LOTS if lots is None else lots
    nodes = NODES if nodes is None else nodes
    edges = EDGES if edges is None else edges
    roads = roads_from_xy(nodes, edges)
    plan = create_plan(path, name="引擎测试", district_name="测试区", overwrite=True)
    with plan.transaction(user="pytest", reason="engine fixture") as s:
        info = s.scalars(select(m.PlanInfo)).first()
        info.target_population = target_population
        info.default_norms = "tiny"
        prof = norms if norms is not None else tiny_norms()
        prof = {**prof, "name": "tiny"}
        s.add(m.NormsProfile(name="tiny", kind="custom", data=prof))
        for k in range(roads.n_nodes):
            s.add(m.RoadNode(id=1000 + k, lon=float(roads.node_lon[k]), lat=float(roads.node_lat[k])))
        s.flush()
        for k in range(roads.n_edges):
            s.add(m.RoadEdge(u=1000 + int(roads.edge_u[k]), v=1000 + int(roads.edge_v[k]),
                             highway=str(roads.highway[k]), oneway=bool(roads.oneway[k]),
                             length_m=float(roads.length_m[k])))
        for r in sites:
            s.add(m.Site(code=r["code"], name=r.get("name", r["code"]), kind=m.SiteKind(r["kind"]),
                         status=m.SiteStatus(r.get("status", "built")),
                         tier=m.PointTier(r["tier"]) if r.get("tier") else None,
                         shelter_class=m.ShelterClass(r["shelter_class"]) if r.get("shelter_class") else None,
                         indoor_area_m2=r.get("indoor_area"), outdoor_area_m2=r.get("outdoor_area"),
                         stated_capacity=r.get("stated_capacity"), lon=r.get("lon"), lat=r.get("lat"),
                         town_code=r.get("town")))
            s.flush()
        for r in items:
            s.add(m.SupplyItem(code=r["code"], name_zh=r["name_zh"], unit=r["unit"], norm_key=r.get("norm_key"),
                               unit_price=r.get("unit_price")))
            s.flush()
        for n, r in enumerate(lots, start=1):
            # each lot its own identity (site + item + batch): the hand-built inputs may hold
            # several lots of one item at one site
            s.add(m.StockLot(site_id=r["site_id"], item_id=r["item_id"], quantity=r["quantity"],
                             batch=r.get("batch") or f"L{n}", mode=m.StockMode(r.get("mode", "physical")),
                             expiry_date=dt.date.fromisoformat(r["expiry"]) if r.get("expiry") else None,
                             lead_time_h=r.get("lead_time_h")))
            s.flush()
        for r in units:
            s.add(m.DemandUnit(code=r["code"], name=r["name"], town_code=r.get("town"),
                               population=r.get("population"), lon=r.get("lon"), lat=r.get("lat")))
            s.flush()
        for sc in scenarios:
            name, params = sc[0], sc[1]
            scen = m.Scenario(name=name, params=params)
            for hz in (sc[2] if len(sc) > 2 else []):
                scen.hazards.append(m.HazardZone(name=hz[0], effect=m.HazardEffect(hz[1]), factor=hz[2],
                                                 geometry=hz[3]))
            s.add(scen)
    return plan
