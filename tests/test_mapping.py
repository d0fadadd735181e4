"""Column mapping for table imports (planner.io.mapping) and the new plan built from a district's
files (planner.io.newplan): the Qt-free core of the new-plan wizard."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from planner import models as m
from planner.io.errors import ImportFailed
from planner.io.mapping import (
    MappingRefused,
    header_signature,
    import_columns,
    peek_table,
    propose_mapping,
    resolve_mapping,
)
from planner.io.newplan import NewPlanSpec, TableFile, build_new_plan, district_code_problem
from planner.io.tables import import_table
from planner.progress import Cancelled
from planner.store import create_plan, open_plan

SHANTING = Path(__file__).resolve().parents[2] / "shared" / "data" / "shanting"
if not SHANTING.is_dir():
    SHANTING = Path("/work/shared/data/shanting")
needs_shanting = pytest.mark.skipif(not SHANTING.is_dir(), reason="../shared/data/shanting not present")


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_osm_grid(path: Path, lon0: float, lat0: float, n: int = 4, step: float = 0.01) -> Path:
    """A small OSM XML road grid of ``n`` × ``n`` nodes from (lon0, lat0): named residential
    streets east–west, a named tertiary road north–south."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="esplan-test">']
    nid = 0
    ids: dict[tuple[int, int], int] = {}
    for i in range(n):
        for j in range(n):
            nid += 1
            ids[i, j] = nid
            lines.append(f'  <node id="{nid}" version="1" lat="{lat0 + i * step:.6f}" lon="{lon0 + j * step:.6f}"/>')
    wid = 100
    for i in range(n):
        wid += 1
        nds = "".join(f'<nd ref="{ids[i, j]}"/>' for j in range(n))
        lines.append(f'  <way id="{wid}" version="1">{nds}<tag k="highway" v="residential"/>'
                     f'<tag k="name" v="东西路{i + 1}"/></way>')
    for j in range(n):
        wid += 1
        nds = "".join(f'<nd ref="{ids[i, j]}"/>' for i in range(n))
        lines.append(f'  <way id="{wid}" version="1">{nds}<tag k="highway" v="tertiary"/>'
                     f'<tag k="name" v="南北路{j + 1}"/></way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- proposing ------------------------------------------------------------------------------------
def test_exact_names_case_and_spaces_insensitive():
    p = propose_mapping("demand", [" Code ", "NAME", "town_code*", "Population（人）"])
    assert p.mapping["code"] == "Code" and p.how["code"] == "exact"
    assert p.mapping["name"] == "NAME"
    assert p.mapping["town_code"] == "town_code*"
    assert p.mapping["population"] == "Population（人）"


def test_chinese_aliases():
    p = propose_mapping("demand", ["编码", "名称", "经度", "纬度", "人口", "所属乡镇"])
    assert {k: p.mapping[k] for k in ("code", "name", "lon", "lat", "population", "town_code")} == {
        "code": "编码", "name": "名称", "lon": "经度", "lat": "纬度", "population": "人口", "town_code": "所属乡镇"}
    assert {p.how[k] for k in ("code", "name", "lon", "lat", "population", "town_code")} == {"alias"}
    # 代码 is a name of code too; 常住人口数 has 人口 in it (a similar name, to confirm)
    p = propose_mapping("towns", ["代码", "乡镇名称", "常住人口数"])
    assert (p.mapping["code"], p.mapping["name"]) == ("代码", "乡镇名称")
    assert (p.mapping["population"], p.how["population"]) == ("常住人口数", "similar")


def test_similar_names_and_sources_are_not_values():
    p = propose_mapping("towns", ["code", "name", "seat_lat", "seat_lon", "pop_2010_source"])
    assert (p.mapping["lat"], p.how["lat"]) == ("seat_lat", "similar")
    assert p.mapping["lon"] == "seat_lon"
    # a column naming where a value comes from is not the value
    assert p.mapping["population"] is None and p.how["population"] == "none"
    assert "pop_2010_source" in p.unused_columns


def test_ambiguous_is_asked_never_guessed():
    p = propose_mapping("towns", ["code", "name", "pop_2000_census_mapped", "pop_2010_census"])
    assert p.how["population"] == "ambiguous" and p.mapping["population"] is None
    assert p.candidates["population"] == ["pop_2000_census_mapped", "pop_2010_census"]
    with pytest.raises(MappingRefused) as e:
        resolve_mapping(p, file="towns.csv")
    [prob] = e.value.problems
    assert prob.field == "population" and "pop_2000_census_mapped" in prob.message
    assert "pop_2010_census" in prob.message and prob.file == "towns.csv"
    # the user's choice decides (or "no column")
    assert resolve_mapping(p, {"population": "pop_2000_census_mapped"})["population"] == "pop_2000_census_mapped"
    assert "population" not in resolve_mapping(p, {"population": None})
    # two alias columns of one field are ambiguous too
    p = propose_mapping("demand", ["编码", "代码", "名称"])
    assert p.how["code"] == "ambiguous" and p.candidates["code"] == ["编码", "代码"]


def test_missing_required_field_is_refused_by_name():
    p = propose_mapping("sites", ["编号", "名字"])           # no kind column
    with pytest.raises(MappingRefused) as e:
        resolve_mapping(p, file="sites.csv")
    fields = [q.field for q in e.value.problems]
    assert fields == ["kind"]
    assert "kind" in str(e.value) and "sites.csv" in str(e.value)
    # a required field the user unmapped is refused too
    p = propose_mapping("demand", ["code", "name"])
    with pytest.raises(MappingRefused) as e:
        resolve_mapping(p, {"name": None})
    assert [q.field for q in e.value.problems] == ["name"]


def test_one_column_for_two_fields_and_unknown_columns_refused():
    p = propose_mapping("demand", ["code", "name", "x"])
    with pytest.raises(MappingRefused) as e:
        resolve_mapping(p, {"name": "code"})
    assert [q.field for q in e.value.problems] == ["name"]
    with pytest.raises(MappingRefused) as e:
        resolve_mapping(p, {"population": "人口"})
    assert e.value.problems[0].field == "population"
    with pytest.raises(ValueError):
        resolve_mapping(p, {"no_such_field": "code"})


def test_signature_identifies_the_layout():
    assert header_signature(["Code", "名称 "]) == header_signature(["code", "名称"])
    assert header_signature(["code", "name"]) != header_signature(["name", "code"])


def test_import_reads_through_the_mapping_only(tmp_path):
    """The mapping decides: a column the user left unmapped is not imported even if its name is a
    template alias; the chosen one is."""
    f = write_csv(tmp_path / "towns.csv", ["代码", "名称", "人口", "pop_2000"],
                  [["370406101", "店子镇", "111", "29688"]])
    plan = create_plan(tmp_path / "p.esplan", name="t", district_code="370406")
    p = propose_mapping("towns", peek_table(f)[0])
    assert p.mapping["population"] == "人口"
    mapping = resolve_mapping(p, {"population": "pop_2000"})
    import_table(plan, "towns", f, columns=import_columns(mapping, p.header))
    with plan.session() as s:
        town = s.scalars(select(m.AdminUnit)).one()
        assert (town.code, town.name, town.population) == ("370406101", "店子镇", 29688)
    plan.dispose()


def test_peek_table(tmp_path):
    f = write_csv(tmp_path / "a.csv", ["code", "name", ""], [["1", "a"], ["2", "b"], [], ["3", "c"]])
    header, rows = peek_table(f, rows=2)
    assert header == ["code", "name"] and rows == [["1", "a"], ["2", "b"]]
    with pytest.raises(ImportFailed):
        peek_table(tmp_path / "none.csv")


# -- the new plan ---------------------------------------------------------------------------------
def test_district_code():
    assert district_code_problem("370406") is None
    for bad in ("37040", "3704061", "37040a", "990406", "370400", ""):
        assert district_code_problem(bad), bad


def _towns_mapping(path: Path) -> dict[str, str]:
    header, _ = peek_table(path)
    p = propose_mapping("towns", header)
    return import_columns(resolve_mapping(p, {"population": "pop_2000_census_mapped"}), header)


@needs_shanting
def test_new_plan_from_the_shanting_registry(tmp_path):
    osm = write_osm_grid(tmp_path / "grid.osm", 117.44, 35.08)
    spec = NewPlanSpec(path=str(tmp_path / "shanting.esplan"), name="山亭区 2026", district_code="370406",
                       district_name="山亭区", boundary=str(SHANTING / "district_boundary.geojson"), osm=str(osm),
                       tables=[TableFile("demand", str(SHANTING / "villages_2023.csv")),
                               TableFile("towns", str(SHANTING / "towns_2023.csv"),
                                         _towns_mapping(SHANTING / "towns_2023.csv"))])
    reports = build_new_plan(spec)
    assert [r.kind for r in reports][:2] == ["boundary", "osm road network"]
    plan = open_plan(spec.path)
    c = plan.counts()
    assert c["admin_units"] == 11 and c["demand_units"] == 280 and c["road_edges"] > 0
    with plan.session() as s:
        assert s.scalars(select(m.Boundary)).one().code == "370406"
        town = s.scalars(select(m.AdminUnit).where(m.AdminUnit.code == "370406001")).one()
        assert town.population == 78618 and town.lat == pytest.approx(35.07528)
    plan.dispose()


@needs_shanting
def test_a_failing_step_leaves_no_plan_file(tmp_path):
    bad = write_csv(tmp_path / "villages.csv", ["code", "name", "population"],
                    [["370406001001", "双山居委会", "12"], ["370406001002", "东山亭居委会", "-5"]])
    spec = NewPlanSpec(path=str(tmp_path / "x.esplan"), name="x", district_code="370406",
                       boundary=str(SHANTING / "district_boundary.geojson"),
                       tables=[TableFile("demand", str(bad))])
    with pytest.raises(ImportFailed) as e:
        build_new_plan(spec)
    [p] = e.value.problems
    assert (Path(p.file).name, p.row, p.field) == ("villages.csv", 3, "population")
    assert not any(tmp_path.glob("x.esplan*"))
    # kept when the user asks for it
    spec.keep_on_failure = True
    with pytest.raises(ImportFailed):
        build_new_plan(spec)
    assert (tmp_path / "x.esplan").exists()
    # an existing file is never overwritten
    with pytest.raises(Exception, match="already exists|已存在"):
        build_new_plan(spec)


def test_cancel_leaves_no_plan_file(tmp_path):
    class Stop:     # cancelled once the plan file is made
        calls = 0

        def set_progress(self, f, msg):
            pass

        def is_cancelled(self):
            self.calls += 1
            return self.calls > 1

    spec = NewPlanSpec(path=str(tmp_path / "c.esplan"), name="c", district_code="370406")
    with pytest.raises(Cancelled):
        build_new_plan(spec, Stop())
    assert not any(tmp_path.glob("c.esplan*"))


# -- an import as one undoable step (planner.registry) ---------------------------------------------
def test_an_import_reverted_and_redone_exactly(tmp_path):
    from planner import registry

    plan = create_plan(tmp_path / "u.esplan", name="u", district_code="370406")
    sites = write_csv(tmp_path / "sites.csv", ["code", "kind", "name"], [["W1", "仓库", "仓库一"]])
    items = write_csv(tmp_path / "items.csv", ["code", "name_zh", "unit"], [["WATER", "饮用水", "L"]])
    import_table(plan, "sites", sites)
    import_table(plan, "items", items)
    lots = write_csv(tmp_path / "lots.csv", ["site_code", "item_code", "quantity", "batch"],
                     [["W1", "WATER", "100", "A"], ["W1", "WATER", "50", "B"]])
    import_table(plan, "stock", lots)
    original = registry.snapshot(plan, "stock_lot")
    # replace: the site's two lots go, one new lot comes
    new = write_csv(tmp_path / "new.csv", ["site_code", "item_code", "quantity", "batch"], [["W1", "WATER", "7", "C"]])
    import_table(plan, "stock", new, mode="replace")
    ch = registry.changes_between("stock_lot", original, after := registry.snapshot(plan, "stock_lot"))
    # (SQLite may give the new lot a deleted lot's id: then that id reads as updated)
    assert len(ch.inserted) + len(ch.updated) == 1 and len(ch.deleted) + len(ch.updated) == 2
    inverse = registry.revert_changes(plan, [ch])
    back = registry.snapshot(plan, "stock_lot")
    assert {k: {c: v for c, v in r.items() if c != "version"} for k, r in back.items()} == \
        {k: {c: v for c, v in r.items() if c != "version"} for k, r in original.items()}   # same ids, same values
    registry.revert_changes(plan, inverse)                                                    # redo
    assert {r["batch"]: r["quantity"] for r in registry.snapshot(plan, "stock_lot").values()} == {"C": 7}
    assert set(registry.snapshot(plan, "stock_lot")) == set(after)
    plan.dispose()


def test_undoing_an_import_refuses_rows_changed_since(tmp_path):
    from planner import registry
    from planner.store import EditConflict

    plan = create_plan(tmp_path / "c.esplan", name="c", district_code="370406")
    f = write_csv(tmp_path / "towns.csv", ["code", "name", "population"],
                  [["370406101", "店子镇", "100"], ["370406102", "西集镇", "200"]])
    before = registry.snapshot(plan, "admin_unit")
    import_table(plan, "towns", f)
    ch = registry.changes_between("admin_unit", before, registry.snapshot(plan, "admin_unit"))
    pk = next(pk for pk, r in registry.snapshot(plan, "admin_unit").items() if r["code"] == "370406102")
    registry.update(plan, "admin_unit", pk, {"population": 250})     # a colleague's edit since
    with pytest.raises(EditConflict):
        registry.revert_changes(plan, [ch])
    assert len(registry.snapshot(plan, "admin_unit")) == 2          # nothing was undone half-way
    plan.dispose()
