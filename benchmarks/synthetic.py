"""SYNTHETIC benchmark district (seeded; not real data).

A perturbed grid road network like reference/perf-anchors.md (100 m spacing, σ 20 m jitter,
random footway diagonals, 10 % of local links dropped, arterials every 10th row/column), placed
in UTM zone 50N near 117°E 35°N; 12 Zipf-weighted towns + scattered villages; shelters placed
population-weighted with lognormal capacities; warehouses and reserve points with stock of
20 supply items (the 8 cn_standard items + 12 synthetic ones).
"""
from __future__ import annotations

import copy

import numpy as np
import pyproj

from planner.engine.snapshot import Hazard, PlanInput, RoadTable, make_input
from planner.norms import shipped_profile

X0, Y0 = 480000.0, 3880000.0
_INV = pyproj.Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)


def to_lonlat(x, y):
    lon, lat = _INV.transform(X0 + np.asarray(x, float), Y0 + np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


def grid_network(side: int = 316, spacing: float = 100.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    n = side * side
    gx, gy = np.meshgrid(np.arange(side) * spacing, np.arange(side) * spacing)
    xy = np.column_stack([gx.ravel(), gy.ravel()]) + rng.normal(0, 20.0, (n, 2))
    idx = np.arange(n).reshape(side, side)
    us, vs, hws = [], [], []
    for a, b in ((idx[:, :-1], idx[:, 1:]), (idx[:-1, :], idx[1:, :])):
        a, b = a.ravel(), b.ravel()
        ra, ca = a // side, a % side
        horizontal = b - a == 1
        arterial = np.where(horizontal, ra % 10 == 0, ca % 10 == 0)
        keep = arterial | (rng.random(len(a)) >= 0.10)
        us.append(a[keep])
        vs.append(b[keep])
        hws.append(np.where(arterial[keep], "primary", "residential"))
    a, b = idx[:-1, :-1].ravel(), idx[1:, 1:].ravel()
    keep = rng.random(len(a)) < 0.68
    us.append(a[keep])
    vs.append(b[keep])
    hws.append(np.full(int(keep.sum()), "footway"))
    u, v = np.concatenate(us), np.concatenate(vs)
    hw = np.concatenate(hws).astype(object)
    length = np.hypot(*(xy[u] - xy[v]).T) * rng.uniform(1.0, 1.15, len(u))
    oneway = (hw == "residential") & (rng.random(len(u)) < 0.03)
    lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
    roads = RoadTable.from_arrays(lon, lat, u, v, hw, oneway, length)
    return xy, roads


def norms_20_items() -> dict:
    prof = copy.deepcopy(shipped_profile("cn_standard"))
    items = prof["supplies"]["items"]
    rng = np.random.default_rng(42)
    for k in range(12):
        basis = ["per_person_per_day", "per_person", "per_n_persons"][k % 3]
        rate = {"per_person_per_day": 0.2, "per_person": 0.5, "per_n_persons": 20.0}[basis] * float(rng.uniform(0.5, 2))
        items[f"synthetic_{k:02d}"] = {"basis": basis, "rate": round(rate, 3), "unit": "件",
                                       "name_zh": f"合成物资{k:02d}", "name_en": f"synthetic item {k:02d}",
                                       "src": "synthetic benchmark item", "conf": "A"}
    return prof


def district(side: int = 316, n_units: int = 5000, n_shelters: int = 300, n_sources: int = 40,
             seed: int = 1) -> PlanInput:
    """The SYNTHETIC district as a PlanInput."""
    rng = np.random.default_rng(seed)
    xy, roads = grid_network(side, seed=seed)
    ext = side * 100.0
    # 12 Zipf-weighted towns + 30 % scattered villages, 500k people
    centres = rng.uniform(0.1 * ext, 0.9 * ext, (12, 2))
    weights = 1.0 / np.arange(1, 13)
    weights /= weights.sum()
    n_town = int(n_units * 0.7)
    town_of = rng.choice(12, n_town, p=weights)
    pts = np.vstack([centres[town_of] + rng.normal(0, 0.04 * ext, (n_town, 2)),
                     rng.uniform(0, ext, (n_units - n_town, 2))])
    pts = np.clip(pts, 0, ext - 100)
    pop = rng.lognormal(0, 0.8, n_units)
    pop = np.maximum(1, np.round(pop / pop.sum() * 500000)).astype(int)
    nearest_centre = np.argmin(np.hypot(*(pts[n_town:, None, :] - centres[None]).transpose(2, 0, 1)), axis=1)
    town_code = np.concatenate([town_of, nearest_centre])
    lon, lat = to_lonlat(pts[:, 0], pts[:, 1])
    units = [dict(id=k + 1, code=f"V{k:05d}", name=f"合成村{k:05d}", town=f"T{town_code[k]:02d}",
                  population=int(pop[k]), lon=float(lon[k]), lat=float(lat[k])) for k in range(n_units)]
    # shelters population-weighted, capacities lognormal, total 80 % of the population
    pick = rng.choice(n_units, n_shelters, p=pop / pop.sum())
    spos = pts[pick] + rng.normal(0, 150, (n_shelters, 2))
    cap = rng.lognormal(0, 0.7, n_shelters)
    cap = np.round(cap / cap.sum() * 0.8 * pop.sum())
    slon, slat = to_lonlat(spos[:, 0], spos[:, 1])
    classes = ["emergency", "short", "medium", "long"]
    sites = []
    for k in range(n_shelters):
        cls = classes[k % 4]
        sites.append(dict(id=len(sites) + 1, code=f"S{k:03d}", name=f"合成避难场所{k:03d}", kind="shelter",
                          shelter_class=cls, stated_capacity=float(cap[k]), indoor_area=float(cap[k] * 0.5),
                          lon=float(slon[k]), lat=float(slat[k]), town=f"T{k % 12:02d}"))
    qpos = rng.uniform(0.05 * ext, 0.95 * ext, (n_sources, 2))
    qlon, qlat = to_lonlat(qpos[:, 0], qpos[:, 1])
    src_ids = []
    for k in range(n_sources):
        kind = "warehouse" if k < n_sources // 4 else "reserve_point"
        sites.append(dict(id=len(sites) + 1, code=f"Q{k:02d}", name=f"合成储备{k:02d}", kind=kind,
                          tier="district" if kind == "warehouse" else "town",
                          lon=float(qlon[k]), lat=float(qlat[k]), town=f"T{k % 12:02d}"))
        src_ids.append(sites[-1]["id"])
    norms = norms_20_items()
    keys = list(norms["supplies"]["items"])
    items = [dict(id=k + 1, code=f"I{k:02d}", name_zh=norms["supplies"]["items"][key]["name_zh"],
                  unit=norms["supplies"]["items"][key].get("unit", "件"), norm_key=key,
                  unit_price=float(rng.uniform(1, 200))) for k, key in enumerate(keys)]
    from planner.engine.supply import required_qty

    people = 300000
    lots = []
    for k, key in enumerate(keys):
        spec = norms["supplies"]["items"][key]
        need = required_qty(spec["basis"], float(spec["rate"]), people, 3)
        share = rng.dirichlet(np.ones(n_sources)) * need * 0.97
        for j, sid in enumerate(src_ids):
            lots.append(dict(id=len(lots) + 1, site_id=sid, item_id=k + 1, quantity=float(np.round(share[j], 1)),
                             mode="agreement" if j % 7 == 0 else "physical",
                             lead_time_h=4.0 if j % 7 == 0 else None,
                             expiry="2025-01-01" if (j + k) % 23 == 0 else "2027-12-31"))
    towns = [dict(code=f"T{k:02d}", name=f"合成镇{k:02d}",
                  population=float(pop[town_code == k].sum())) for k in range(12)]
    return make_input(sites=sites, items=items, lots=lots, demand=units, towns=towns, roads=roads,
                      norms=norms, params={"target_affected": people, "event_date": "2026-06-01"},
                      plan_name="SYNTHETIC benchmark district")


def river_hazard(side: int = 316, width: float = 500.0) -> Hazard:
    """A meandering 500 m band across the whole district (blocks every road it touches)."""
    import shapely

    ext = side * 100.0
    xs = np.linspace(-100, ext + 100, 200)
    ys = ext * 0.5 + ext * 0.12 * np.sin(xs / ext * 2 * np.pi * 1.5)
    lon, lat = to_lonlat(xs, ys)
    line = shapely.LineString(np.column_stack([xs, ys]))
    band = line.buffer(width / 2)
    blon, blat = to_lonlat(*np.asarray(band.exterior.coords).T)
    return Hazard("合成洪水带 (synthetic river band)", "block", 1.0, True,
                  shapely.Polygon(np.column_stack([blon, blat])))


# -- a SYNTHETIC OpenStreetMap extract for the import benchmark ---------------------------------
OSM_CACHE = "/tmp/esplan-synthetic-osm"


def osm_pbf(streets: int = 1100, block: int = 2, spacing: float = 20.0, seed: int = 3,
            cache: str | None = OSM_CACHE) -> str:
    """Write (once; cached under ``cache``) a road-like SYNTHETIC ``.osm.pbf`` and return its path.

    ``streets`` × ``streets`` streets, a junction every ``block`` nodes (the nodes between are
    degree-2 chain nodes, ``spacing`` m apart, jittered σ 2 m): the default 1,100 streets with a
    chain node between junctions → 3.6 M OSM nodes; clipped to :func:`osm_boundary` ≈ 1.0 M graph
    nodes (junctions and way ends) and 2.0 M edges. Each
    street is cut into ways of about 10 blocks; tags vary like a real town (primary every 10th
    street, residential otherwise, a footway or service way now and then, some names, maxspeed,
    oneway, ``oneway=-1``, ``access=private`` + ``foot=yes``, ``motor_vehicle=no``), 8 % of the
    residential ways are left out so the grid has dead ends and T junctions. Candidate sites:
    school nodes and park / school polygons (closed ways), one multipolygon park; an
    ``admin_level=6`` boundary relation around the middle 96 % (:func:`osm_boundary`). Seeded: the same file every time.
    """
    import os

    import osmium

    name = f"grid-{streets}x{block}-{int(spacing)}m-s{seed}.osm.pbf"
    path = os.path.join(cache or ".", name)
    if cache and os.path.exists(path):
        return path
    os.makedirs(cache or ".", exist_ok=True)
    rng = np.random.default_rng(seed)
    length = block * (streets - 1) + 1          # nodes along a street
    # node id of grid position (r, c): streets run along rows r % block == 0 and columns c % block == 0
    nid = np.zeros((length, length), np.int64)
    on_street = np.zeros((length, length), bool)
    on_street[::block, :] = True
    on_street[:, ::block] = True
    nid[on_street] = np.arange(1, int(on_street.sum()) + 1)
    rr, cc = np.nonzero(on_street)
    x = cc * spacing + rng.normal(0, 2.0, len(rr))
    y = rr * spacing + rng.normal(0, 2.0, len(rr))
    lon, lat = to_lonlat(x, y)
    lon = np.round(lon, 7)
    lat = np.round(lat, 7)
    tmp = path[:-len(".osm.pbf")] + ".part.osm.pbf"
    if os.path.exists(tmp):
        os.remove(tmp)
    w = osmium.SimpleWriter(tmp)
    try:
        for i, xo, yo in zip(nid[on_street].tolist(), lon.tolist(), lat.tolist(), strict=True):
            w.add_node(osmium.osm.mutable.Node(id=i, location=(xo, yo)))
        n_nodes = len(rr)
        extra = n_nodes
        # candidate nodes: schools off the streets
        pois: list[tuple[int, float, float, dict[str, str]]] = []
        for k in range(300):
            r, c = rng.integers(0, streets - 1, 2) * block + 2
            extra += 1
            px, py = to_lonlat([c * spacing], [r * spacing])
            pois.append((extra, round(float(px[0]), 7), round(float(py[0]), 7),
                         {"amenity": "school", "name": f"合成学校{k}"}))
        # polygon corners for parks / school grounds (inside blocks)
        polys: list[tuple[list[int], dict[str, str]]] = []
        for k in range(200):
            r, c = rng.integers(0, streets - 1, 2) * block
            corners = [(r + 1, c + 1), (r + 1, c + 4), (r + 4, c + 4), (r + 4, c + 1)]
            ids = []
            for (a, b) in corners:
                extra += 1
                px, py = to_lonlat([b * spacing], [a * spacing])
                pois.append((extra, round(float(px[0]), 7), round(float(py[0]), 7), {}))
                ids.append(extra)
            tags = {"leisure": "park"} if k % 2 else {"amenity": "school", "name": f"合成校园{k}"}
            polys.append((ids + [ids[0]], tags))
        # boundary corners
        lo_, hi_ = 0.02 * (length - 1) * spacing, 0.98 * (length - 1) * spacing
        bx, by = to_lonlat([lo_, hi_, hi_, lo_], [lo_, lo_, hi_, hi_])
        bnodes = []
        for xo, yo in zip(bx.tolist(), by.tolist(), strict=True):
            extra += 1
            pois.append((extra, round(xo, 7), round(yo, 7), {}))
            bnodes.append(extra)
        for i, xo, yo, tags in pois:
            w.add_node(osmium.osm.mutable.Node(id=i, location=(xo, yo), tags=tags))
        way_id = 0
        classes_minor = ["residential"] * 14 + ["service", "footway", "unclassified", "tertiary", "path", "track"]
        for horizontal in (True, False):
            for s in range(streets):
                line = nid[s * block, :] if horizontal else nid[:, s * block]
                major = s % 10 == 0
                for a in range(0, length - 1, 10 * block):
                    seg = line[a:min(a + 10 * block, length - 1) + 1].tolist()
                    hw = "primary" if major else classes_minor[int(rng.integers(len(classes_minor)))]
                    if hw == "residential" and rng.random() < 0.08:
                        continue
                    tags = {"highway": hw}
                    u = rng.random()
                    if major or u < 0.3:
                        tags["name"] = f"合成{'东西' if horizontal else '南北'}路{s}"
                    if major:
                        tags["maxspeed"] = "60"
                    elif u < 0.05:
                        tags["maxspeed"] = "30 mph"
                    if hw == "residential" and 0.3 <= u < 0.33:
                        tags["oneway"] = "yes"
                    elif hw == "residential" and 0.33 <= u < 0.34:
                        tags["oneway"] = "-1"
                    elif hw == "service" and u > 0.9:
                        tags["access"] = "private"
                        tags["foot"] = "yes"
                    elif hw == "tertiary" and u > 0.9:
                        tags["motor_vehicle"] = "no"
                    way_id += 1
                    w.add_way(osmium.osm.mutable.Way(id=way_id, nodes=seg, tags=tags))
        for ids, tags in polys:
            way_id += 1
            w.add_way(osmium.osm.mutable.Way(id=way_id, nodes=ids, tags=tags))
        way_id += 1
        w.add_way(osmium.osm.mutable.Way(id=way_id, nodes=[*bnodes, bnodes[0]], tags={}))
        w.add_relation(osmium.osm.mutable.Relation(
            id=1, members=[("w", way_id, "outer")],
            tags={"type": "boundary", "boundary": "administrative", "admin_level": "6",
                  "name": "合成区 (synthetic district)"}))
    finally:
        w.close()
    os.replace(tmp, path)
    return path


def osm_boundary(streets: int = 1100, block: int = 2, spacing: float = 20.0):
    """The boundary polygon of :func:`osm_pbf` (WGS84 shapely Polygon, the middle 96 %)."""
    import shapely

    length = block * (streets - 1) + 1
    lo_, hi_ = 0.02 * (length - 1) * spacing, 0.98 * (length - 1) * spacing
    bx, by = to_lonlat([lo_, hi_, hi_, lo_], [lo_, lo_, hi_, hi_])
    return shapely.Polygon(np.column_stack([np.round(bx, 7), np.round(by, 7)]))
