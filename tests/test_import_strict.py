"""Imports that never store the wrong thing (issue 13): stock-lot identity and import modes,
number grammar, strict CSV, encodings, GeoJSON values, dates, codes, whole pieces, bounded
resources, boundary validation, OSM coordinates and shrinking networks, formula-safe exports,
database failures named as the plan's."""
# ruff: noqa: F811 - the fixtures `plan` and `files` come from test_import_tables (imported below)
from __future__ import annotations

import csv
import datetime as dt
import json
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select
from test_import_tables import box_geojson, files, plan, write_csv, write_xlsx  # the plan fixture's helpers too  # noqa: F401 - fixtures

from planner import models as m
from planner.cli import main
from planner.io import tables
from planner.io.errors import ImportFailed
from planner.io.tables import export_table, import_boundary, import_table
from planner.store import create_plan

STOCK = ["site_code", "item_code", "quantity", "batch"]


def lots(p) -> list[tuple[str, str, str | None, float]]:
    with p.session() as s:
        q = (select(m.Site.code, m.SupplyItem.code, m.StockLot.batch, m.StockLot.quantity)
             .join(m.Site, m.StockLot.site_id == m.Site.id).join(m.SupplyItem, m.StockLot.item_id == m.SupplyItem.id)
             .order_by(m.Site.code, m.SupplyItem.code, m.StockLot.batch))
        return [tuple(r) for r in s.execute(q)]


def refused(p, kind, path, row, fld, match, **kw) -> ImportFailed:
    before = p.counts()
    with pytest.raises(ImportFailed) as ei:
        import_table(p, kind, path, **kw)
    assert p.counts() == before, "a refused import wrote something"
    hits = [x for x in ei.value.problems if x.row == row and x.field == fld]
    assert hits, f"no problem at row {row} field {fld}: {ei.value}"
    assert any(__import__("re").search(match, x.message) for x in hits), str(ei.value)
    return ei.value


# -- 1. stock-lot identity and modes ------------------------------------------------------------------
def test_reimporting_stock_never_doubles(plan, files):
    path = write_csv(files / "s.csv", STOCK, [["SH01", "TENT", 10, "K1"], ["SH01", "RICE", 5, None]])
    import_table(plan, "stock", path)
    before = lots(plan)
    err = refused(plan, "stock", path, 2, "batch", "already in the plan")
    assert len(err.problems) == 2 and lots(plan) == before
    assert main(["import", str(plan.location), "stock", str(path)]) == 2


def test_duplicate_unbatched_lots_in_one_file_refused(plan, files):
    path = write_csv(files / "s.csv", STOCK, [["SH01", "TENT", 1, None], ["SH01", "TENT", 2, ""]])
    refused(plan, "stock", path, 3, "batch", "already appear in row 2")


def test_upsert_updates_the_unbatched_lot(plan, files):
    path = write_csv(files / "s.csv", STOCK, [["WH01", "WATER", 7000, None]])
    rep = import_table(plan, "stock", path, mode="upsert")
    assert (rep.inserted, rep.updated) == (0, 1)
    assert ("WH01", "WATER", None, 7000.0) in lots(plan)


def test_replace_mode_replaces_the_stock_of_the_sites_in_the_file(plan, files):
    path = write_csv(files / "s.csv", STOCK, [["WH01", "TENT", 3, "NEW"]])
    rep = import_table(plan, "stock", path, mode="replace")
    assert rep.inserted == 1 and "3 lot(s) removed" in rep.notes[-1]
    assert lots(plan) == [("WH01", "TENT", "NEW", 3.0)]
    with pytest.raises(ValueError, match="stock only"):
        import_table(plan, "sites", files / "x.csv", mode="replace")


def test_database_refuses_a_second_lot_with_the_same_identity(new_plan):
    with new_plan.transaction() as s:
        site = m.Site(code="W", kind=m.SiteKind.warehouse, name="w")
        item = m.SupplyItem(code="I", name_zh="i", unit="件", category=m.ItemCategory.living)
        s.add_all([site, item])
        s.flush()
        s.add(m.StockLot(site_id=site.id, item_id=item.id, quantity=1))
    for batch in (None, "B"):
        if batch:
            with new_plan.transaction() as s:
                s.add(m.StockLot(site_id=1, item_id=1, quantity=1, batch=batch))
        with pytest.raises(Exception, match="(?i)unique|duplicate"), new_plan.transaction() as s:
            s.add(m.StockLot(site_id=1, item_id=1, quantity=2, batch=batch))


def test_two_identical_imports_at_once_store_one_set(new_plan, tmp_path):
    """Both validate against the same empty stock; the unique key lets only one write."""
    p = new_plan
    with p.transaction() as s:
        s.add(m.Site(code="W", kind=m.SiteKind.warehouse, name="w"))
        s.add(m.SupplyItem(code="I", name_zh="i", unit="件", category=m.ItemCategory.living))
    path = write_csv(tmp_path / "s.csv", STOCK, [["W", "I", 5, None], ["W", "I", 6, "B"]])
    ctxs = [tables._load_context(p, "insert", "wgs84", 2000.0) for _ in range(2)]
    validated = [[tables._validate(tables._read(path, "stock"), "stock", c, None)] for c in ctxs]
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results.append(tables._write_all(p, validated[i], ctxs[i], "t", "import"))
        except ImportFailed as exc:
            results.append(exc)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sum(isinstance(r, ImportFailed) for r in results) == 1
    assert p.counts()["stock_lots"] == 2


# -- 2. numbers --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("1,500", 1500.0), ("1，500", 1500.0), ("12,345,678.5", 12345678.5), ("1 500", 1500.0), ("-2.5", -2.5),
    ("１２３", 123.0), ("1e3", 1000.0), (" 7 ", 7.0), (".5", 0.5), ("−3", -3.0),
])
def test_number_grammar_accepts(text, value):
    assert tables._number(text) == value


@pytest.mark.parametrize("text", ["1,5", "1，5", "1,50", "15,00", "1,5000", ",500", "1,500,", "1.500,5", "1,,500",
                                  "12 34", "1_000", "nan", "inf", "0x10", "1.2.3", "", "++1"])
def test_number_grammar_refuses(text):
    with pytest.raises(tables._Bad):
        tables._number(text)


def test_ambiguous_decimal_comma_is_refused_with_row_and_field(plan, files):
    path = write_csv(files / "s.csv", STOCK, [["SH01", "RICE", "1,5", "Z"]])
    refused(plan, "stock", path, 2, "quantity", "ambiguous")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_number_grouped_round_trip(n, frac):
    assert tables._number(f"{n:,}.{frac:02d}") == float(f"{n}.{frac:02d}")
    assert tables._number(f"{n:,}".replace(",", "，")) == float(n)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789,，. -+e", max_size=12))
def test_number_never_strips_a_comma_that_is_not_a_thousands_separator(s):
    try:
        got = tables._number(s)
    except tables._Bad:
        return
    import re
    norm = s.replace("，", ",").strip()
    if "," in norm:   # accepted only as groups of three, and then it is exactly the digits
        assert re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", norm.replace(" ", "")) or " " in norm
        assert got == float(norm.replace(",", "").replace(" ", ""))


# -- 2. CSV --------------------------------------------------------------------------------------------
def test_unclosed_quote_is_refused(plan, files):
    path = files / "d.csv"
    path.write_text('code,name,population\nV1,"东村,100\nV2,西村,200\nV3,南村,300\n', encoding="utf-8")
    refused(plan, "demand", path, 2, None, "never closed")


def test_quote_that_swallows_rows_up_to_a_later_quote_is_refused(plan, files):
    path = files / "d.csv"
    path.write_text('code,name,population\nV1,"东村,100\nV2,西村,200\nV3,"南村",300\n', encoding="utf-8")
    with pytest.raises(ImportFailed, match="quote"):
        import_table(plan, "demand", path)


def test_multiline_cell_without_commas_is_fine(plan, files):
    path = files / "d.csv"
    path.write_text('code,name,population\nV1,"东村\n(旧称)",100\n', encoding="utf-8")
    assert import_table(plan, "demand", path).inserted == 1


def test_ragged_row_is_refused_not_cut(plan, files):
    path = files / "sites.csv"
    path.write_text("code,kind,name,address,lon,lat\nX1,shelter,学校,山城街道,1号,117.46,35.08\n"
                    "X2,shelter,广场,山城街道,117.46,35.08,,\n", encoding="utf-8")
    err = refused(plan, "sites", path, 2, None, "7 cells but the header only 6")
    assert len(err.problems) == 1          # trailing empty cells (row 3) are no shift


def test_text_after_closing_quote_is_refused(plan, files):
    path = files / "d.csv"
    path.write_text('code,name\nV1,"东"村\n', encoding="utf-8")
    refused(plan, "demand", path, 2, None, "after a closing quote")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(alphabet='ab,"\n 1', max_size=6), min_size=2, max_size=2), max_size=5))
def test_csv_reader_never_changes_what_a_correct_writer_wrote(tmp_path_factory, rows):
    """Whatever the cells hold, a file written by a correct CSV writer either reads back exactly
    (cells with line breaks *and* commas are refused as a possible open quote) or is refused."""
    import io
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["code", "name"])
    w.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    sh = tables._Sheet(str(path), "csv")
    got = tables._read_csv(path, tables.TEMPLATES["demand"], None, sh)
    if sh.problems:
        assert any("\n" in c and "," in c for r in rows for c in r)
    else:
        assert got[1:] == [r for r in rows if r != []] or got[1:] == rows


def test_cell_over_the_limit_is_refused(plan, files):
    path = files / "d.csv"
    path.write_text("code,name\nV1," + "长" * 40000 + "\n", encoding="utf-8")
    refused(plan, "demand", path, 2, "name", "at most 32,767")
    path.write_text('code,name\nV1,"' + "x" * 200_000 + '"\n', encoding="utf-8")    # past csv's own limit
    refused(plan, "demand", path, 2, None, "larger than 128 KiB")


# -- 2. encodings ---------------------------------------------------------------------------------------
def test_windows_1252_is_refused_not_garbled(tmp_path, files):
    p = create_plan(tmp_path / "a.esplan", name="a")
    path = files / "towns.csv"
    path.write_bytes("code,name\n370406001,Aixàs Plaça\n370406002,Encamp Església\n".encode("cp1252"))
    assert "鄐" in path.read_bytes().decode("gb18030") or path.read_bytes().decode("gb18030")  # decodes, garbled
    with pytest.raises(ImportFailed, match="GB18030 or Windows-1252.*--encoding"):
        import_table(p, "towns", path)
    assert p.counts()["admin_units"] == 0
    import_table(p, "towns", path, encoding="cp1252")
    with p.session() as s:
        assert sorted(s.scalars(select(m.AdminUnit.name))) == ["Aixàs Plaça", "Encamp Església"]
    assert main(["import", str(p.location), "towns", str(path), "--encoding", "nope"]) == 2
    p.dispose()


def test_gb18030_that_validates_is_read(plan, files):
    path = write_csv(files / "d.csv", ["编码", "名称", "人口"], [["V9", "北庄村", 1500]], encoding="gb18030")
    assert import_table(plan, "demand", path).inserted == 1


# -- 2. GeoJSON, dates, codes, pieces ---------------------------------------------------------------------
def _fc(path: Path, feats: list[str]) -> Path:
    path.write_text('{"type": "FeatureCollection", "features": [' + ",".join(feats) + "]}", encoding="utf-8")
    return path


def test_geojson_nan_coordinates_refused(plan, files):
    path = _fc(files / "d.geojson", ['{"type": "Feature", "properties": {"code": "V1", "name": "x"}, '
                                     '"geometry": {"type": "Point", "coordinates": [NaN, NaN]}}'])
    with pytest.raises(ImportFailed, match="NaN"):
        import_table(plan, "demand", path)
    path = _fc(files / "e.geojson", ['{"type": "Feature", "properties": {"code": "V1", "name": "x"}, '
                                     '"geometry": {"type": "Point", "coordinates": ["117.4", 35]}}'])
    refused(plan, "demand", path, 0, "geometry", "finite numbers")


def test_geojson_object_in_a_text_field_refused(plan, files):
    path = _fc(files / "d.geojson", ['{"type": "Feature", "properties": {"code": "V1", "name": {"zh": "东村"}}, '
                                     '"geometry": null}'])
    refused(plan, "demand", path, 0, "name", "not a JSON object")


def test_excel_date_cell_in_a_code_column_refused(plan, files):
    path = write_xlsx(files / "d.xlsx", ["code", "name"], [[dt.datetime(2025, 3, 12), "东村"]])
    refused(plan, "demand", path, 2, "code", "not a date")


@pytest.mark.parametrize("value", ["2027-12-31 左右", "2027-12-31abc", "约2027-12-31", "2027/12/31 前"])
def test_date_must_fill_the_cell(plan, files, value):
    path = write_csv(files / "s.csv", STOCK + ["expiry_date"], [["SH01", "RICE", 1, "D1", value]])
    refused(plan, "stock", path, 2, "expiry_date", "nothing else")


def test_date_with_a_time_of_day_is_a_date(plan, files):
    path = write_csv(files / "s.csv", STOCK + ["expiry_date"], [["SH01", "RICE", 1, "D1", "2027-12-31 00:00:00"]])
    import_table(plan, "stock", path)


def test_invisible_characters_do_not_make_a_new_code(plan, files):
    path = write_csv(files / "s.csv", ["code", "kind", "name"], [["SH01\u200b", "shelter", "x"]])
    refused(plan, "sites", path, 2, "code", "already exists")
    rep = import_table(plan, "sites", path, mode="upsert")
    assert rep.updated == 1 and any("invisible" in n for n in rep.notes)
    nfd = "Cafe\u0301"
    path = write_csv(files / "t.csv", ["code", "kind", "name"], [[nfd, "shelter", "nfd"]])
    import_table(plan, "sites", path)
    with plan.session() as s:
        assert s.scalar(select(m.Site.code).where(m.Site.name == "nfd")) == "Caf\u00e9"


def test_fractional_whole_pieces_refused(plan, files):
    path = write_csv(files / "s.csv", STOCK, [["SH01", "TENT", 2.5, "P1"]])
    refused(plan, "stock", path, 2, "quantity", "whole pieces")
    path = write_csv(files / "s.csv", STOCK, [["SH01", "RICE", 2.5, "P1"]])     # kg: fine
    import_table(plan, "stock", path)


# -- 3. bounded resources -----------------------------------------------------------------------------
def test_xlsx_cell_at_the_last_column_and_row_is_refused_in_bounded_memory(plan, files):
    path = write_xlsx(files / "d.xlsx", ["code", "name"], [["V1", "x"]])
    wb = load_workbook(path)
    wb.active["XFD1048576"] = "far away"
    wb.save(path)
    import resource
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImportFailed, match="row 1,048,576: at most 1,000,000 rows"):
        import_table(plan, "demand", path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000   # kB
    wide = write_xlsx(files / "w.xlsx", ["code", "name"], [["V1", "x"]])
    wb = load_workbook(wide)
    wb.active["XFD3"] = "far right"
    wb.save(wide)
    refused(plan, "demand", wide, 3, None, "column 16384: at most 1000 columns")


def test_xlsx_with_xml_entities_is_refused(plan, files):
    path = write_xlsx(files / "d.xlsx", ["code", "name"], [["V1", "x"]])
    src = zipfile.ZipFile(path)
    out = files / "bomb.xlsx"
    dtd = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                at = data.index(b"<worksheet")
                data = data[:at] + dtd + data[at:]
                assert dtd in data
            z.writestr(item, data)
    with pytest.raises(ImportFailed, match="entities"):
        import_table(plan, "demand", out)


def test_file_size_limit(plan, files, monkeypatch):
    path = write_csv(files / "d.csv", ["code", "name"], [["V1", "x"]])
    monkeypatch.setattr(tables, "MAX_FILE_BYTES", 10)
    with pytest.raises(ImportFailed, match="at most"):
        import_table(plan, "demand", path)


# -- 4. boundary ------------------------------------------------------------------------------------------
def test_self_intersecting_boundary_refused_not_repaired(plan, files):
    bow = files / "bow.geojson"
    bow.write_text(json.dumps({"type": "Polygon", "coordinates": [[
        [117.2, 34.9], [117.8, 35.3], [117.8, 34.9], [117.2, 35.3], [117.2, 34.9]]]}), encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"(?i)not repaired.*the outline crosses itself \(at longitude 117.5"):
        import_boundary(plan, bow, replace=True)


def test_boundary_nan_vertex_refused(plan, files):
    path = files / "nan.geojson"
    path.write_text('{"type": "Polygon", "coordinates": [[[117.2, 34.9], [NaN, 35.3], [117.8, 34.9], '
                    '[117.2, 34.9]]]}', encoding="utf-8")
    with pytest.raises(ImportFailed, match="NaN"):
        import_boundary(plan, path, replace=True)


def test_swapped_boundary_refused(plan, files):
    path = box_geojson(files / "swapped.geojson", 34.898, 117.243, 35.320, 117.739)
    with pytest.raises(ImportFailed):   # lat > 90: not lon/lat at all
        import_boundary(plan, path, replace=True)
    p = create_plan(files.parent / "ad.esplan", name="ad")
    with p.transaction() as s:
        info = s.scalars(select(m.PlanInfo)).one()
        info.extra = {"country": "AD"}
        s.add(m.Site(code="S", kind=m.SiteKind.shelter, name="s", lon=1.52, lat=42.51))
    path = box_geojson(files / "ad.geojson", 42.4, 1.4, 42.7, 1.8)      # Andorra with the axes swapped
    with pytest.raises(ImportFailed, match="swapped"):
        import_boundary(p, path)
    import_boundary(p, box_geojson(files / "ad2.geojson", 1.4, 42.4, 1.8, 42.7))
    p.dispose()


def test_chinese_plan_boundary_outside_china_refused(tmp_path):
    p = create_plan(tmp_path / "c.esplan", name="c")
    with pytest.raises(ImportFailed, match="outside China"):
        import_boundary(p, box_geojson(tmp_path / "b.geojson", 10.0, 50.0, 10.5, 50.5))
    p.dispose()


def test_sites_left_outside_are_listed(plan, files):
    small = box_geojson(files / "small.geojson", 117.60, 35.00, 117.70, 35.10)
    import_table(plan, "sites", write_csv(files / "in.csv", ["code", "kind", "name", "lon", "lat"],
                                          [["IN1", "shelter", "inside", 117.65, 35.05]]))
    rep = import_boundary(plan, small, replace=True)
    note = [n for n in rep.notes if "outside the new boundary" in n]
    assert note and "2 of 3" in note[0] and "site WH01" in note[0] and "site SH01" in note[0]
    assert "IN1" not in note[0]


def test_boundary_far_from_every_site_refused(plan, files):
    far = box_geojson(files / "far.geojson", 110.0, 30.0, 110.5, 30.5)
    with pytest.raises(ImportFailed, match="none of the plan's"):
        import_boundary(plan, far, replace=True)


# -- 5. exports ---------------------------------------------------------------------------------------------
def test_exports_never_hold_a_live_formula(plan, files, tmp_path):
    with plan.transaction() as s:
        site = s.scalars(select(m.Site).where(m.Site.code == "SH01")).one()
        site.name = "=HYPERLINK(\"http://x\",\"click\")"
        site.address = "+86 632"
        site.contact = "@admin"
        site.notes = "-1+2"
    csv_path = tmp_path / "sites.csv"
    export_table(plan, "sites", csv_path)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8-sig")))
    sh = next(r for r in rows if r["code"] == "SH01")
    assert sh["name"].startswith("'=") and sh["address"] == "'+86 632" and sh["contact"] == "'@admin"
    xlsx_path = tmp_path / "sites.xlsx"
    export_table(plan, "sites", xlsx_path)
    with zipfile.ZipFile(xlsx_path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" not in sheet or "<f>" not in sheet
    ws = load_workbook(xlsx_path).active
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    # both import back to exactly what was stored
    for path in (csv_path, xlsx_path):
        dst = create_plan(tmp_path / f"dst{path.suffix}.esplan", name="d")
        import_table(dst, "sites", path)
        with dst.session() as s:
            got = s.scalars(select(m.Site).where(m.Site.code == "SH01")).one()
        assert (got.name, got.address, got.contact, got.notes) == (
            "=HYPERLINK(\"http://x\",\"click\")", "+86 632", "@admin", "-1+2")
        dst.dispose()


# -- 6. database failures are the plan's ----------------------------------------------------------------
def test_locked_plan_is_reported_as_the_plans(plan, files):
    import sqlite3
    path = write_csv(files / "d.csv", ["code", "name"], [["V77", "x"]])
    con = sqlite3.connect(plan.location, timeout=0.1)
    con.execute("BEGIN EXCLUSIVE")
    with plan.engine.connect() as c:
        c.exec_driver_sql("PRAGMA busy_timeout=100")
    plan.engine.dispose()
    from sqlalchemy import event

    event.listen(plan.engine, "connect", lambda dbapi, _r: dbapi.execute("PRAGMA busy_timeout=100"))
    ctx = tables._load_context(plan, "insert", "wgs84", 2000.0)   # read before the lock … written after
    v = [tables._validate(tables._read(path, "demand"), "demand", ctx, None)]
    with pytest.raises(ImportFailed) as ei:
        tables._write_all(plan, v, ctx, "t", "import")
    con.rollback()
    con.close()
    (p,) = ei.value.problems
    assert p.row is None and p.file == plan.display_location and "locked" in p.message
    assert plan.counts()["demand_units"] == 2


def test_osm_node_outside_the_world_refused(tmp_path):
    path = tmp_path / "bad.osm"
    path.write_text("""<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
 <node id="1" lat="35.0" lon="117.0"/><node id="2" lat="95.5" lon="117.01"/><node id="3" lat="35.02" lon="117.02"/>
 <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
</osm>""", encoding="utf-8")
    p = create_plan(tmp_path / "p.esplan", name="p")
    from planner.io.osm import import_osm

    with pytest.raises(ImportFailed, match="node 2.*invalid coordinates"):
        import_osm(p, path, boundary=None)
    assert p.counts()["road_edges"] == 0
    p.dispose()


def _grid_osm(path: Path, n: int) -> Path:
    nodes, ways = [], []
    for i in range(n):
        for j in range(n):
            nodes.append(f'<node id="{i * n + j + 1}" lat="{35 + i * 0.001}" lon="{117 + j * 0.001}"/>')
    w = 1
    for i in range(n):
        refs = "".join(f'<nd ref="{i * n + j + 1}"/>' for j in range(n))
        ways.append(f'<way id="{w}">{refs}<tag k="highway" v="residential"/></way>')
        w += 1
    path.write_text("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">" + "".join(nodes + ways)
                    + "</osm>", encoding="utf-8")
    return path


def test_much_smaller_network_needs_replace(tmp_path, capsys):
    from planner.io.osm import import_osm

    p = create_plan(tmp_path / "p.esplan", name="p")
    import_osm(p, _grid_osm(tmp_path / "big.osm", 12), boundary=None)
    big = p.counts()["road_edges"]
    small = _grid_osm(tmp_path / "small.osm", 3)
    with pytest.raises(ImportFailed, match="would replace the plan's.*--replace"):
        import_osm(p, small, boundary=None)
    assert p.counts()["road_edges"] == big
    assert main(["import", str(p.location), "osm", str(small), "--no-clip"]) == 2
    assert main(["import", str(p.location), "osm", str(small), "--no-clip", "--replace"]) == 0
    assert p.counts()["road_edges"] < big
    p.dispose()


def test_stock_count_query_helper_is_exact(plan):
    with plan.session() as s:
        assert s.scalar(select(func.count()).select_from(m.StockLot)) == len(lots(plan))


def test_registry_names_a_duplicate_lot_identity(new_plan):
    from planner import registry
    from planner.store import PlanError

    with new_plan.transaction() as s:
        s.add(m.Site(code="W", kind=m.SiteKind.warehouse, name="w"))
        s.add(m.SupplyItem(code="I", name_zh="i", unit="件", category=m.ItemCategory.living))
    registry.insert(new_plan, "stock_lot", {"site_id": 1, "item_id": 1, "quantity": 1, "batch": ""})
    with pytest.raises(PlanError, match="its own batch"):
        registry.insert(new_plan, "stock_lot", {"site_id": 1, "item_id": 1, "quantity": 2, "batch": None})
    other = registry.insert(new_plan, "stock_lot", {"site_id": 1, "item_id": 1, "quantity": 2, "batch": "B"})
    with pytest.raises(PlanError, match="its own batch"):
        registry.update(new_plan, "stock_lot", other, {"batch": ""})


def _pbf_blocks(data: bytes) -> list[int]:
    """Offsets where each block of a .pbf ends (BlobHeader length, BlobHeader, Blob)."""
    ends, pos = [], 0
    while pos < len(data):
        hlen = int.from_bytes(data[pos:pos + 4], "big")
        header = data[pos + 4:pos + 4 + hlen]
        i, datasize = 0, None
        while i < len(header):           # protobuf: find field 3 (datasize, varint)
            key = header[i]
            i += 1
            if key & 7 == 2:
                n, shift = 0, 0
                while True:
                    b = header[i]
                    i += 1
                    n |= (b & 0x7F) << shift
                    shift += 7
                    if b < 0x80:
                        break
                i += n
            else:
                n, shift = 0, 0
                while True:
                    b = header[i]
                    i += 1
                    n |= (b & 0x7F) << shift
                    shift += 7
                    if b < 0x80:
                        break
                if key >> 3 == 3:
                    datasize = n
        pos += 4 + hlen + (datasize or 0)
        ends.append(pos)
    return ends


def test_pbf_cut_between_blocks_does_not_replace_the_network(tmp_path, shared):
    from planner.io.osm import import_osm

    src = shared / "data" / "networks" / "andorra_2013_graphhopper.osm.pbf"
    data = src.read_bytes()
    ends = _pbf_blocks(data)
    assert ends[-1] == len(data) and len(ends) > 3
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(data[:ends[len(ends) // 2]])         # a valid file, half the blocks
    mid = tmp_path / "mid.osm.pbf"
    mid.write_bytes(data[:ends[len(ends) // 2] + 100])   # cut inside a block
    p = create_plan(tmp_path / "p.esplan", name="p", country="AD")
    import_osm(p, src, boundary=None)
    full = p.counts()["road_edges"]
    for f in (cut, mid):
        with pytest.raises(ImportFailed):
            import_osm(p, f, boundary=None)
        assert p.counts()["road_edges"] == full
    assert main(["import", str(p.location), "osm", str(mid), "--no-clip", "--replace"]) == 2   # damaged: never
    p.dispose()


def test_readonly_plan_refusal_is_the_plans_not_a_rows(plan, files, tmp_path):
    from planner.io.dispatch import import_file
    from planner.store import open_plan

    path = write_csv(files / "d.csv", ["code", "name"], [["V88", "x"]])
    plan.dispose()
    ro = open_plan(plan.location, readonly=True)
    for kind, f in (("demand", path), ("osm", _grid_osm(tmp_path / "g.osm", 3))):
        with pytest.raises(ImportFailed) as ei:
            import_file(ro, kind, f, clip=False)
        (p,) = ei.value.problems
        assert p.row is None and p.file == ro.display_location and "read-only" in p.message, str(ei.value)
    ro.dispose()


def test_roads_geojson_with_nan_refused(tmp_path):
    from planner.io.roads_geojson import read_road_geojson

    path = tmp_path / "r.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                    '{"highway": "residential", "maxspeed": NaN}, "geometry": {"type": "LineString", '
                    '"coordinates": [[117.0, 35.0], [117.01, 35.0]]}}]}', encoding="utf-8")
    with pytest.raises(ImportFailed, match="NaN is not a number JSON allows"):
        read_road_geojson(path)


def test_xlsx_that_unpacks_to_too_much_is_refused_before_reading(plan, files, monkeypatch):
    path = write_xlsx(files / "d.xlsx", ["code", "name"], [["V1", "x"]])
    bomb = files / "bomb.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item.filename, src.read(item.filename))
        z.writestr("xl/padding.bin", b"\0" * (8 * 2**20))       # 8 MiB of zeros: a few kB packed
    assert bomb.stat().st_size < 100_000
    monkeypatch.setattr(tables, "MAX_UNPACKED_BYTES", 4 * 2**20)
    with pytest.raises(ImportFailed, match="unpacks to 8 MiB"):
        import_table(plan, "demand", bomb)


def test_damaged_files_of_every_kind_never_crash(tmp_path, shared):
    """Truncated and byte-flipped copies of the Andorra demo's exports (every table kind in every
    format, the boundary) and of its .pbf: each import is either refused (ImportFailed, nothing
    written) or done — never another exception (a traceback, exit 1)."""
    import random
    import shutil

    from planner.demo import demo_path
    from planner.io.dispatch import import_file
    from planner.store import open_plan

    rnd = random.Random(13)
    src_path = tmp_path / "src.esplan"
    shutil.copy(demo_path("andorra"), src_path)
    src = open_plan(src_path)
    originals: dict[tuple[str, str], bytes] = {}
    for kind in ("admin_units", "items", "sites", "demand", "stock"):
        for suffix in (".csv", ".xlsx", ".geojson"):
            path = tmp_path / f"{kind}{suffix}"
            export_table(src, kind, path)
            originals[("towns" if kind == "admin_units" else kind, suffix)] = path.read_bytes()
    export_table(src, "boundary", tmp_path / "b.geojson")
    originals[("boundary", ".geojson")] = (tmp_path / "b.geojson").read_bytes()
    originals[("osm", ".osm.pbf")] = (shared / "data/networks/andorra_2013_graphhopper.osm.pbf").read_bytes()
    src.dispose()
    dst = create_plan(tmp_path / "dst.esplan", name="d", country="AD")
    tried = 0
    for (kind, suffix), data in originals.items():
        mutants = [data[:int(len(data) * f)] for f in (0.3, 0.97)]
        for _ in range(4):
            b = bytearray(data)
            for _ in range(rnd.randint(1, 6)):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
            mutants.append(bytes(b))
        for n, mutant in enumerate(mutants):
            path = tmp_path / f"m{n}{suffix}"
            path.write_bytes(mutant)
            tried += 1
            try:
                import_file(dst, kind, path, clip=False)
            except ImportFailed:
                pass
    assert tried == 17 * 6
    dst.dispose()
