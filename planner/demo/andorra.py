"""示例路网：安道尔 (Andorra demo plan) — real OSM network and places, official population.

Real (© OpenStreetMap contributors, ODbL 1.0; SOURCES.md):
- the road network of ``networks/andorra_2013_graphhopper.osm.pbf`` clipped to Andorra's
  boundary relation (r9407); the seven parishes (admin_level 7) as town-level units;
- demand units = the OSM place nodes (town/village/hamlet/…) with the official 2010 population
  per statistical *població* (``andorra/poblacions_population_2010.csv``).
- shelters, warehouses and reserve points sit on real OSM features (parks, pitches, parking
  areas, the school, the town hall, the industrial estate, the parish seats' place nodes).

Matching rules for population (written down, tested in tests/test_demo.py):
1. names are compared after normalisation: NFKD accents removed, lower case, ’ → ', spaces folded;
2. the població "Escaldes-Engordany" is the parish seat and matches the town node "les Escaldes";
   the village node "Engordany" (part of the same població) gets no separate figure;
3. where two place nodes carry the same name (l’Aldosa de Canillo) the figure goes to the node with
   the lower OSM id; the other keeps no figure;
4. place nodes with no official figure (hamlets, ski stations, neighbourhoods) are kept as demand
   units with population unknown (counted within their població);
5. poblacions with no place node in the 2013 extract (Incles, El Pas de la Casa, L'Aldosa de la
   Massana) are kept as demand units with their population and **no location** (shown as
   "not yet located", never dropped).

Assumptions (demo only, labelled in the plan): effective area = OSM polygon area × a factor by
feature type; indoor areas of the school and town hall; unit prices; stock levels (scaled from the
72-hour requirement of the units' population so the plan shows both passes and shortfalls, with
some expired and some slow agreement lots). The plan figures are left unset: 规划人口 and 保障人口
are the units' population (85,015), as their stated defaults say.
"""
from __future__ import annotations

import csv
import datetime as dt
import logging
import math
import unicodedata
from pathlib import Path
from typing import Any

import osmium
import shapely
from shapely.geometry import Point

from planner import models as m
from planner.demo import DEMO_USER
from planner.engine.supply import item_required
from planner.geo import geod, geodesic_area_m2
from planner.norms import shipped_profile
from planner.plan_figures import read_figures
from planner.store import create_plan

log = logging.getLogger(__name__)

PBF = ("networks", "andorra_2013_graphhopper.osm.pbf")
ATTRIBUTION = ("路网与地名：© OpenStreetMap contributors，ODbL 1.0（andorra.osm.pbf，2013年5月28日）；"
               "人口：安道尔统计局（Departament d'Estadística d'Andorra）2010年各居民点人口")
DEMO_NOTE = "示例数据（假设值），非实测 / demo value (assumption), not surveyed"
PARISH_CODES = {  # ISO 3166-2:AD
    "Canillo": "AD02", "Encamp": "AD03", "La Massana": "AD04", "Ordino": "AD05",
    "Sant Julià de Lòria": "AD06", "Andorra la Vella": "AD07", "Escaldes-Engordany": "AD08",
}

# effective-area factor of the OSM polygon, shelter class (assumptions, demo only)
OUTDOOR = {"park": (0.5, m.ShelterClass.short), "pitch": (0.9, m.ShelterClass.short),
           "parking": (0.8, m.ShelterClass.emergency)}
INDOOR_ASSUMED_M2 = {"school": 1200.0, "townhall": 400.0}
PRICES = {"drinking_water": 2.0, "food_ration": 25.0, "quilt": 150.0, "folding_bed": 120.0,
          "tent_12m2": 1800.0, "toilet": 3000.0, "soap": 20.0, "lamp": 60.0}
# stock on hand as a multiple of the 72-h requirement (illustrative: some pass, some fall short)
STOCK_LEVEL = {"drinking_water": 1.25, "food_ration": 0.85, "quilt": 1.1, "folding_bed": 0.7,
               "tent_12m2": 0.5, "toilet": 1.2, "soap": 2.0, "lamp": 0.9}
SHELF_LIFE = {"drinking_water": 730, "food_ration": 365, "soap": 1095}


def norm_name(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.replace("’", "'"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.lower().split())


class _Features:
    """Boundaries and the OSM features the demo sites stand on."""

    def __init__(self) -> None:
        self.country: Any = None   # shapely (Multi)Polygon once read
        self.parishes: dict[str, Any] = {}
        self.features: list[dict[str, Any]] = []
        self.notes: list[str] = []


COUNTRY_REL = 9407
PARISH_RELS = {2804753: "Andorra la Vella", 2804754: "Canillo", 2804755: "Encamp", 2804756:
               "Escaldes-Engordany", 2804757: "La Massana", 2804758: "Ordino", 2804759: "Sant Julià de Lòria"}


def read_features(pbf: Path) -> _Features:
    h = _Features()
    wkb = osmium.geom.WKBFactory()
    rel_members: dict[int, list[int]] = {}
    for o in osmium.FileProcessor(str(pbf)).with_areas():
        t = o.tags
        if isinstance(o, osmium.osm.Relation):
            if o.id == COUNTRY_REL or o.id in PARISH_RELS:
                rel_members[o.id] = [mm.ref for mm in o.members if mm.type == "w" and mm.role != "inner"]
            continue
        if isinstance(o, osmium.osm.Area):
            ref = ("w" if o.from_way() else "r") + str(o.orig_id())
            if not o.from_way() and o.orig_id() in PARISH_RELS:
                h.parishes[PARISH_RELS[o.orig_id()]] = shapely.from_wkb(wkb.create_multipolygon(o))
                continue
            kind = t.get("leisure") if t.get("leisure") in ("park", "pitch") else None
            kind = kind or ("parking" if t.get("amenity") == "parking" else None)
            kind = kind or ("industrial" if t.get("landuse") == "industrial" else None)
            if kind:
                try:
                    geom = shapely.from_wkb(wkb.create_multipolygon(o))
                except Exception:
                    log.debug("OSM area %s: broken multipolygon, left out of the demo", ref, exc_info=True)
                    continue
                h.features.append({"kind": kind, "geom": geom, "name": t.get("name"), "ref": ref})
        elif isinstance(o, osmium.osm.Node) and t.get("amenity") in ("school", "townhall"):
            h.features.append({"kind": t.get("amenity"), "geom": Point(o.lon, o.lat),
                               "name": t.get("name"), "ref": f"n{o.id}"})
    missing = [r for r in [COUNTRY_REL, *PARISH_RELS] if r == COUNTRY_REL or PARISH_RELS[r] not in h.parishes]
    rings = _close_rings(pbf, {r: rel_members.get(r, []) for r in missing})
    for rid, (poly, gap) in rings.items():
        note = (f"OSM 边界关系 {rid} 在2013年数据中缺少约{gap / 1000:.1f}千米边线，以直线补闭"
                f"（面积{geodesic_area_m2(poly) / 1e6:.1f}平方千米）")
        h.notes.append(note)
        if rid == COUNTRY_REL:
            h.country = poly
        else:
            h.parishes[PARISH_RELS[rid]] = poly
    if h.country is None:
        raise ValueError(f"{pbf}: Andorra boundary relation not found")
    return h


def _close_rings(pbf: Path, members: dict[int, list[int]]) -> dict[int, tuple[Any, float]]:
    """Outline of relations osmium cannot assemble (member ways cut off by the extract)."""
    from shapely.geometry import LineString, Polygon
    from shapely.ops import linemerge, unary_union

    wanted = {w for ws in members.values() for w in ws}
    lines: dict[int, LineString] = {}
    for o in osmium.FileProcessor(str(pbf), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if isinstance(o, osmium.osm.Way) and o.id in wanted:
            lines[o.id] = LineString([(n.lon, n.lat) for n in o.nodes])
    out: dict[int, tuple[Any, float]] = {}
    for rid, ws in members.items():
        got = [lines[w] for w in ws if w in lines]
        if not got:
            continue
        merged = linemerge(unary_union(got))
        if merged.geom_type != "LineString":
            continue
        (x0, y0), (x1, y1) = merged.coords[0], merged.coords[-1]
        gap = geod().inv(x0, y0, x1, y1)[2]
        poly = Polygon(list(merged.coords))
        if poly.is_valid:
            out[rid] = (poly, gap)
    return out


def build(path: Path, data: Path):
    from planner.io.basemap import import_basemap
    from planner.io.osm import import_osm

    pbf = data.joinpath(*PBF)
    feats = read_features(pbf)
    plan = create_plan(path, name="示例路网：安道尔", district_name="Andorra（示例）",
                       district_code=None, user=DEMO_USER)
    with plan.transaction(user=DEMO_USER, reason="demo plan attributes") as s:
        info = s.query(m.PlanInfo).one()
        info.attribution = ATTRIBUTION
        info.description = ("示例路网：安道尔。真实OSM路网与地名、官方人口；避难场所、仓库与储备点位于真实OSM要素，"
                            "有效面积、库存与单价为示例假设值。")
        # country: the parishes' codes are ISO 3166-2:AD (AD02 …), not 统计用区划代码 — imports of
        # this plan's exports check them as Andorran codes
        info.extra = {"demo": True, "assumptions": DEMO_NOTE, "country": "AD"}
        s.add(m.Boundary(name="Andorra", code="AD", role="district", geometry=feats.country,
                         source="OSM 国界关系 9407（admin_level 2），ODbL 许可。" + "；".join(
                             n for n in feats.notes if str(COUNTRY_REL) in n), authoritative=False))
        for name, geom in sorted(feats.parishes.items()):
            s.add(m.Boundary(name=name, code=PARISH_CODES[name], role="town", geometry=geom,
                             source="OSM 行政区关系（admin_level 7），ODbL 许可"))
    import_osm(plan, pbf, boundary=feats.country)
    import_basemap(plan, pbf, boundary=feats.country)   # water, rivers, built-up areas, buildings
    pops = _demand(plan, data, feats)
    # the plan figures stay unset: 规划人口 and 保障人口 are the units' population (85,015), the
    # sheltering share everyone, the event date the day of the run — each stated as a default
    _sites_and_stock(plan, feats, pops)
    return plan


def _parish_of(lon: float, lat: float, parishes: dict[str, Any]) -> str | None:
    p = Point(lon, lat)
    for name, geom in parishes.items():
        if geom.covers(p):
            return PARISH_CODES[name]
    return None


def _demand(plan, data: Path, feats: _Features) -> dict[str | None, int]:
    official = list(csv.DictReader((data / "andorra" / "poblacions_population_2010.csv")
                                   .open(encoding="utf-8")))
    places = list(csv.DictReader((data / "networks" / "andorra_2013_places.csv").open(encoding="utf-8")))
    places.sort(key=lambda r: int(r["osm_node_id"]))
    alias = {norm_name("Escaldes-Engordany"): norm_name("les Escaldes")}
    by_name = {alias.get(norm_name(r["poblacio"]), norm_name(r["poblacio"])): r for r in official}
    used: set[str] = set()
    parish_pop: dict[str | None, int] = {}   # None: a place in no parish boundary
    with plan.transaction(user=DEMO_USER, reason="demo: places and official population") as s:
        for r in places:
            key = norm_name(r["name"])
            lon, lat = float(r["lon"]), float(r["lat"])
            if not feats.country.covers(Point(lon, lat)):
                continue  # a French/Spanish place in the extract's border area
            off = by_name.get(key) if key not in used else None
            town = _parish_of(lon, lat, feats.parishes)
            if off is not None:
                used.add(key)
                pop, psrc = int(off["population_2010"]), "Departament d'Estadística d'Andorra 2010"
                town = PARISH_CODES.get(off["parish"], town)
            else:
                pop, psrc = None, "no separate official figure (counted within its població)"
            s.add(m.DemandUnit(code=f"AD-n{r['osm_node_id']}", name=r["name"],
                               kind={"town": "community"}.get(r["place"], "village"),
                               town_code=town, population=pop, population_source=psrc,
                               lon=lon, lat=lat, location_source=f"OSM node {r['osm_node_id']} ({r['place']})"))
            if pop:
                parish_pop[town] = parish_pop.get(town, 0) + pop
        for key, off in by_name.items():
            if key in used:
                continue
            code = PARISH_CODES[off["parish"]]
            pop = int(off["population_2010"])
            s.add(m.DemandUnit(code=f"AD-{norm_name(off['poblacio']).replace(' ', '-')}",
                               name=off["poblacio"], kind="village", town_code=code, population=pop,
                               population_source="Departament d'Estadística d'Andorra 2010",
                               location_source="no place node in the 2013 OSM extract (待定位)"))
            parish_pop[code] = parish_pop.get(code, 0) + pop
        for name, code in PARISH_CODES.items():
            c = feats.parishes[name].centroid if name in feats.parishes else None
            s.add(m.AdminUnit(code=code, name=name, level="town", parent_code="AD",
                              population=parish_pop.get(code),
                              population_source="sum of the parish's 2010 poblacions (derived)",
                              lon=c.x if c else None, lat=c.y if c else None,
                              location_source="centroid of the OSM parish boundary" if c else None))
    return parish_pop


def _sites_and_stock(plan, feats: _Features, parish_pop: dict[str | None, int]) -> None:
    prof = shipped_profile("cn_standard")
    inside = [f for f in feats.features if feats.country.covers(f["geom"].representative_point())]
    sites: list[m.Site] = []
    n_by_kind: dict[str, int] = {}

    def code(prefix: str) -> str:
        n_by_kind[prefix] = n_by_kind.get(prefix, 0) + 1
        return f"{prefix}-{n_by_kind[prefix]:02d}"

    def where(f) -> tuple[float, float, str | None]:
        p = f["geom"].representative_point()
        return p.x, p.y, _parish_of(p.x, p.y, feats.parishes)

    # an unnamed OSM place is named by its parish and kind ("Encamp 停车场 3号"), never by its
    # OSM id: the id stays in location_source and source
    parish_name = {c: n for n, c in PARISH_CODES.items()}
    n_unnamed: dict[tuple[str | None, str], int] = {}

    def unnamed(town: str | None, kind_zh: str) -> str:
        k = (town, kind_zh)
        n_unnamed[k] = n_unnamed.get(k, 0) + 1
        return f"{parish_name.get(town or '', '')} {kind_zh} {n_unnamed[k]}号".strip()

    for f in sorted(inside, key=lambda f: f["ref"]):
        lon, lat, town = where(f)
        label = f["name"]
        if f["kind"] in OUTDOOR:
            area = geodesic_area_m2(f["geom"])
            factor, klass = OUTDOOR[f["kind"]]
            if f["kind"] == "parking" and area < 2500:
                continue  # small car parks are not used as shelters
            kind_zh = {"park": "公园", "pitch": "运动场", "parking": "停车场"}[f["kind"]]
            sites.append(m.Site(code=code("SH"), kind=m.SiteKind.shelter,
                                name=label or unnamed(town, kind_zh), shelter_class=klass,
                                grade="村级" if area < 5000 else "乡镇级", outdoor_area_m2=round(area * factor),
                                indoor_area_m2=0.0, town_code=town, lon=lon, lat=lat,
                                location_source=f"OSM {f['ref']} ({f['kind']})",
                                source=f"OSM {f['ref']}; effective area = polygon {area:.0f} m² × {factor} "
                                       f"({DEMO_NOTE})", facilities=["open space"]))
        elif f["kind"] in INDOOR_ASSUMED_M2:
            sites.append(m.Site(code=code("SH"), kind=m.SiteKind.shelter,
                                name=label or {"school": "学校", "townhall": "市政厅"}[f["kind"]],
                                shelter_class=m.ShelterClass.short, grade="乡镇级",
                                indoor_area_m2=INDOOR_ASSUMED_M2[f["kind"]], outdoor_area_m2=0.0,
                                town_code=town, lon=lon, lat=lat, location_source=f"OSM {f['ref']}",
                                source=f"OSM {f['ref']}; indoor effective area {DEMO_NOTE}",
                                facilities=["indoor", "water", "power"]))
        elif f["kind"] == "industrial":
            sites.append(m.Site(code=code("WH"), kind=m.SiteKind.warehouse, tier=m.PointTier.district,
                                name=f"中心应急物资储备仓库（{parish_name.get(town or '', '')}工业区）",
                                storage_area_m2=1500.0,
                                notes=f"sited on the OSM industrial area {label or f['ref']}",
                                town_code=town, lon=lon, lat=lat, location_source=f"OSM {f['ref']}",
                                source=f"OSM {f['ref']} (landuse=industrial); storage area {DEMO_NOTE}"))
    # reserve points at the parish seats (town tier) and in remote villages (village tier)
    with plan.session() as s:
        units = {u.name: u for u in s.query(m.DemandUnit) if u.lon is not None}
    seats = ["Andorra la Vella", "les Escaldes", "Encamp", "Canillo", "Ordino", "La Massana",
             "Sant Julià de Lòria"]
    remote = ["Soldeu", "Arinsal", "el Serrat", "Ransol"]
    for tier, names in ((m.PointTier.town, seats), (m.PointTier.village, remote)):
        for nm in names:
            u = units.get(nm)
            if u is None:
                continue
            prefix = "RP-T" if tier is m.PointTier.town else "RP-V"
            sites.append(m.Site(code=code(prefix), kind=m.SiteKind.reserve_point, tier=tier,
                                name=f"{nm} {'镇级物资储备站' if tier is m.PointTier.town else '村级储备点'}",
                                storage_area_m2=200.0 if tier is m.PointTier.town else 40.0,
                                town_code=u.town_code, lon=u.lon, lat=u.lat,
                                location_source=f"{u.location_source} (place node)",
                                source=f"sited at the OSM place node; {DEMO_NOTE}"))
    items = prof["supplies"]["items"]
    # stock is sized on 保障人口 as the plan states it (unset here: its default, the units' population)
    people = read_figures(plan)["supply_population"].effective
    with plan.transaction(user=DEMO_USER, reason="demo: sites, catalogue and stock") as s:
        for site in sites:
            s.add(site)
        cat: dict[str, m.SupplyItem] = {}
        for key, it in items.items():
            cat[key] = m.SupplyItem(code=key.upper(), name_zh=it["name_zh"], name_en=it["name_en"],
                                    unit=it["unit"], category=m.ItemCategory.living, norm_key=key,
                                    unit_price=PRICES[key], shelf_life_days=SHELF_LIFE.get(key),
                                    notes=f"unit price {DEMO_NOTE}")
            s.add(cat[key])
        s.flush()
        wh = [x for x in sites if x.kind is m.SiteKind.warehouse]
        towns = [x for x in sites if x.tier is m.PointTier.town]
        villages = [x for x in sites if x.tier is m.PointTier.village]
        fresh = dt.date(2027, 12, 31)
        for key, it in items.items():
            need = item_required(it, people, 3)
            total = need * STOCK_LEVEL[key]
            unit_int = it["unit"] not in ("L", "kg")
            q = (lambda x: float(math.floor(x))) if unit_int else (lambda x: round(x, 1))
            shares = [(wh, 0.5), (towns, 0.4), (villages, 0.1)]
            for group, share in shares:
                for site in group:
                    s.add(m.StockLot(site_id=site.id, item_id=cat[key].id, quantity=q(total * share / len(group)),
                                     mode=m.StockMode.physical, batch="2025-A",
                                     expiry_date=fresh if key in SHELF_LIFE else None,
                                     notes=DEMO_NOTE))
            if key in ("drinking_water", "food_ration") and wh:
                # an expired lot (counted as unusable) and agreement stock: one fast, one too slow
                s.add(m.StockLot(site_id=wh[0].id, item_id=cat[key].id, quantity=q(need * 0.15),
                                 mode=m.StockMode.physical, batch="2023-OLD",
                                 expiry_date=dt.date(2025, 6, 30), notes=DEMO_NOTE))
                # each lot has its own identity (site + item + batch): the agreements are named
                s.add(m.StockLot(site_id=wh[0].id, item_id=cat[key].id, quantity=q(need * 0.2),
                                 mode=m.StockMode.agreement, lead_time_h=4, supplier="协议供应商甲（示例）",
                                 batch="协议甲", notes=DEMO_NOTE))
                s.add(m.StockLot(site_id=wh[0].id, item_id=cat[key].id, quantity=q(need * 0.3),
                                 mode=m.StockMode.agreement, lead_time_h=24, supplier="协议供应商乙（示例）",
                                 batch="协议乙", notes=DEMO_NOTE))


def add_valley_flood(plan: Any, name: str = "洪水", description: str = "大河谷沿岸洪水淹没") -> None:
    """A what-if flood along the Gran Valira valley (Sant Julià – Andorra la Vella – Escaldes):
    a 0.0025° band that cuts the roads and closes the sites inside. The test of the printed plan
    and its benchmark use it; it is not part of the shipped demo."""
    line = shapely.LineString([(1.500, 42.494), (1.515, 42.503), (1.528, 42.508), (1.540, 42.510), (1.552, 42.518)])
    with plan.transaction(user=DEMO_USER, reason=f"scenario {name}") as s:
        sc = m.Scenario(name=name, description=description, params={})
        s.add(sc)
        s.flush()
        s.add(m.HazardZone(scenario_id=sc.id, name="河谷淹没区", effect=m.HazardEffect.block, factor=1.0,
                           closes_sites=True, geometry=line.buffer(0.0025)))
