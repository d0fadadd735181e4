"""The SYNTHETIC benchmark district (``synthetic.py``) as a plan file the window opens.

    python benchmarks/synthetic_plan.py [--side 316] [--out PATH]

The roads go through the real OpenStreetMap import (an ``.osm`` file of the synthetic grid: one
way per edge, ``highway`` tags as the grid's); sites, villages, towns, the supply catalogue (the
plan's norms profile) and stock are written as the demo builder writes them. 316 × 316 = 99,856
nodes, 5,000 villages, 300 shelters, 40 sources. Cached by size in the temporary folder; not
real data.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import district, grid_network, river_hazard  # noqa: E402


def write_osm(path: Path, side: int, seed: int = 1) -> tuple[int, int]:
    """The grid as OSM XML: a node per grid point, a way per edge."""
    _xy, roads = grid_network(side, seed=seed)
    lon, lat = roads.node_lon, roads.node_lat
    u, v, hw = roads.edge_u, roads.edge_v, roads.highway
    oneway = roads.oneway
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="esplan synthetic">\n')
        fh.writelines(f'<node id="{k + 1}" version="1" lat="{lat[k]:.7f}" lon="{lon[k]:.7f}"/>\n'
                      for k in range(len(lon)))
        for e in range(len(u)):
            ow = '<tag k="oneway" v="yes"/>' if oneway[e] else ""
            fh.write(f'<way id="{e + 1}" version="1"><nd ref="{u[e] + 1}"/><nd ref="{v[e] + 1}"/>'
                     f'<tag k="highway" v="{hw[e]}"/>{ow}</way>\n')
        fh.write("</osm>\n")
    return len(lon), len(u)


def add_stock(s: Any, items: dict[str, Any], sources: list[Any], rng: np.random.Generator, total: float) -> None:
    """The profile's ``items`` as supply items, each stocked at every one of ``sources`` (flushed
    Site rows) in one SYNTHETIC lot: Dirichlet shares of ``total``, rounded, expiring 2028-12-31."""
    from planner import models as m

    for key, it in items.items():
        item = m.SupplyItem(code=key.upper(), name_zh=it["name_zh"], name_en=it["name_en"], unit=it["unit"],
                            category=m.ItemCategory.living, norm_key=key, unit_price=10.0)
        s.add(item)
        s.flush()
        for k, share in enumerate(rng.dirichlet(np.ones(len(sources))) * total):
            s.add(m.StockLot(site_id=sources[k].id, item_id=item.id, quantity=float(round(share)),
                             mode=m.StockMode.physical, batch="SYN", expiry_date=dt.date(2028, 12, 31)))


def build(out: Path, side: int = 316) -> Path:
    """Write the plan (nothing is reused: ``out`` is replaced)."""
    from planner import models as m
    from planner.io.dispatch import import_file
    from planner.norms import shipped_profile
    from planner.store import create_plan

    inp = district(side=side)
    out.unlink(missing_ok=True)
    plan = create_plan(out, name="合成测试区（SYNTHETIC）", district_code="999999")
    try:
        osm = out.with_suffix(".osm")
        write_osm(osm, side)
        import_file(plan, "osm", osm)
        osm.unlink()
        prof = shipped_profile("cn_standard")
        items = prof["supplies"]["items"]
        rng = np.random.default_rng(7)
        with plan.transaction(user="benchmark", reason="SYNTHETIC district") as s:
            for t in inp.towns.records():
                s.add(m.AdminUnit(code=t["code"], name=t["name"], level="town", population=t["population"]))
            for r in inp.demand.records():
                s.add(m.DemandUnit(code=r["code"], name=r["name"], kind="village", town_code=r["town"],
                                   population=int(r["population"]), lon=r["lon"], lat=r["lat"],
                                   location_source="SYNTHETIC"))
            sources = []
            for r in inp.sites.records():
                kind = m.SiteKind(r["kind"])
                site = m.Site(code=r["code"], name=r["name"], kind=kind, lon=r["lon"], lat=r["lat"],
                              town_code=r.get("town"), status=m.SiteStatus.built, source="SYNTHETIC")
                if kind is m.SiteKind.shelter:
                    site.shelter_class = m.ShelterClass(r["shelter_class"])
                    site.stated_capacity = r["stated_capacity"]
                    site.indoor_area_m2 = r["indoor_area"]
                else:
                    site.tier = m.PointTier.district if kind is m.SiteKind.warehouse else m.PointTier.town
                    sources.append(site)
                s.add(site)
            s.flush()
            add_stock(s, items, sources, rng, 1e6)
            sc = m.Scenario(name="洪水", description="SYNTHETIC river band", params={})
            s.add(sc)
            s.flush()
            hz = river_hazard(side)
            s.add(m.HazardZone(scenario_id=sc.id, name="合成河道", effect=m.HazardEffect.block, factor=1.0,
                               closes_sites=True, geometry=hz.geometry))
    finally:
        plan.dispose()
    return out


def cached(side: int = 316) -> Path:
    """The plan of this size, built once per machine (temporary folder)."""
    path = Path(tempfile.gettempdir()) / f"esplan-synthetic-{side}.esplan"
    if not path.exists():
        tmp = path.with_suffix(".part.esplan")
        build(tmp, side)
        tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--side", type=int, default=316)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    t = time.perf_counter()
    path = build(Path(a.out), a.side) if a.out else cached(a.side)
    print(f"{path} ({time.perf_counter() - t:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
