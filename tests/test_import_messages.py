"""Import problems speak the language in force (texts.json ``import.*``): the CLI's ``--lang``, the
GUI's language. The same bad file is refused with the same file, row and field in both."""
from __future__ import annotations

import re

import pytest
import test_import_tables as base

from planner import text as tx
from planner.cli import main
from planner.io.errors import ImportFailed, ImportProblem
from planner.io.tables import import_table

plan, files, write_csv = base.plan, base.files, base.write_csv   # the fixtures and a helper
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    tx.set_language("en")


def _bad_stock(files):
    return write_csv(files / "s.csv", ["site_code", "item_code", "quantity", "batch"],
                     [["SH01", "RICE", "1,5", "Z"]])


def test_cli_refuses_the_same_bad_import_in_chinese_and_english(plan, files, capsys):
    path = _bad_stock(files)
    before = plan.counts()
    assert main(["--lang", "zh", "import", str(plan.location), "stock", str(path)]) == 2
    zh = capsys.readouterr().err
    assert main(["--lang", "en", "import", str(plan.location), "stock", str(path)]) == 2
    en = capsys.readouterr().err
    assert plan.counts() == before
    assert "导入被拒绝，未写入任何内容（1 个问题）" in zh, zh
    assert "s.csv 第 2 行 字段“quantity”：数字有歧义" in zh, zh
    assert "（数值：'1,5'）" in zh, zh
    assert not re.search(r"\b(ambiguous|import refused|row|field|value)\b", zh), zh
    assert "import refused, nothing was written (1 problem):" in en, en
    assert "s.csv row 2 field 'quantity': ambiguous number" in en, en
    assert "(value: '1,5')" in en and not CJK.search(en), en


def test_import_problem_text_follows_the_language(plan, files):
    path = _bad_stock(files)
    for lang in ("zh", "en"):
        tx.set_language(lang)
        with pytest.raises(ImportFailed) as ei:
            import_table(plan, "stock", path)
        (p,) = ei.value.problems
        assert (p.row, p.field, p.value) == (2, "quantity", "1,5")
        if lang == "zh":
            assert str(p).startswith("s.csv 第 2 行 字段“quantity”：数字有歧义："), str(p)
            assert str(p).endswith("（数值：'1,5'）"), str(p)
        else:
            assert str(p).startswith("s.csv row 2 field 'quantity': ambiguous number: "), str(p)
    # a problem without row or field names the file only
    tx.set_language("zh")
    assert str(ImportProblem("/x/a.csv", None, None, tx.text("import.file.not_found"))) == "a.csv：找不到文件"


def test_many_kinds_of_problem_are_chinese(plan, files):
    """Missing columns, bad values, unknown codes, duplicates: every message is Chinese."""
    tx.set_language("zh")
    bad_sites = write_csv(files / "sites.csv", ["code", "name", "kind", "capacity", "lon", "lat", "town_code"], [
        ["X1", "甲", "shelter", "-5", "117.5", "35.1", "999999999"],
        ["X1", "乙", "nonsense", "abc", "117.5", "", ""],
        ["X3", "丙", "shelter", "3", "200", "35.1", ""],
    ])
    missing = write_csv(files / "stock.csv", ["site_code", "mode"], [["SH01", "physical"]])
    for path, kind in ((bad_sites, "sites"), (missing, "stock"), (files / "nope.csv", "sites")):
        with pytest.raises(ImportFailed) as ei:
            import_table(plan, kind, path)
        assert str(ei.value).startswith("导入被拒绝，未写入任何内容")
        assert len(ei.value.problems) >= 1
        for p in ei.value.problems:
            assert CJK.search(p.message), p.message
            assert not re.search(r"\b(the|is|must|expected|unknown)\b", p.message), p.message


def test_every_import_text_has_a_chinese_wording():
    keys = [k for k in tx.catalogue() if k.startswith("import.")]
    assert len(keys) > 80
    for k in keys:
        zh, en = tx.catalogue()[k]["zh"], tx.catalogue()[k]["en"]
        assert zh != en, k
        if re.search(r"[A-Za-z]{3}", re.sub(r"\{[^}]*\}", "", en)):
            assert CJK.search(zh), k


def test_the_import_report_follows_the_language(plan, files):
    path = write_csv(files / "s2.csv", ["site_code", "item_code", "quantity", "batch"],
                     [["SH01", "RICE", "15", "NEW-LOT"]])
    tx.set_language("zh")
    rep = import_table(plan, "stock", path)
    assert str(rep).startswith("s2.csv：库存：新增 1 条，更新 0 条，跳过 0 条，用时 "), str(rep)
    tx.set_language("en")
    assert str(rep).startswith("s2.csv: stock: 1 inserted, 0 updated, 0 skipped in "), str(rep)


def test_osm_import_progress_speaks_the_language(tmp_path):
    """What the progress bar says during an OSM import follows the language too."""
    from test_import_osm import NETWORKS

    from planner.io.osm import import_osm
    from planner.store import create_plan

    if NETWORKS is None:
        pytest.skip("the real OSM extracts (../shared/data/networks) are not here")
    said: list[str] = []

    class Progress:
        def set_progress(self, fraction, message):
            said.append(message)

        def is_cancelled(self):
            return False

    tx.set_language("zh")
    p = create_plan(tmp_path / "p.esplan", name="p", country="AD")
    try:
        import_osm(p, NETWORKS / "finland_test_pyrosm.osm.pbf", boundary=None, progress=Progress())
    finally:
        p.dispose()
    assert said and all(CJK.search(m) for m in said), said
    assert any("正在读取" in m for m in said) and said[-1] == "完成"


def test_library_errors_are_explained_in_chinese(plan, files):
    """What a library says (the JSON decoder, openpyxl on a damaged workbook, GEOS, osmium) is
    told in Chinese, with the position where there is one — not the library's English."""
    import json as _json

    from planner.io.dispatch import import_file
    from planner.io.tables import import_boundary

    tx.set_language("zh")
    bad_json = files / "b.geojson"
    bad_json.write_text('{"type": "FeatureCollection", "features": [\n {"type": "Feature" "x": 1}]}',
                        encoding="utf-8")
    bow = files / "bow.geojson"
    bow.write_text(_json.dumps({"type": "Polygon", "coordinates": [[
        [117.2, 34.9], [117.8, 35.3], [117.8, 34.9], [117.2, 35.3], [117.2, 34.9]]]}), encoding="utf-8")
    xlsx = files / "sites.xlsx"
    xlsx.write_bytes(b"PK\x03\x04 not really a workbook")
    osm = files / "roads.osm.pbf"
    osm.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    cases = [
        (lambda: import_boundary(plan, bad_json), "JSON 语法错误：第 2 行第 21 列，缺少逗号"),
        (lambda: import_boundary(plan, bow), "边界自相交（位置：经度 117.500000，纬度 35.100000）"),
        (lambda: import_table(plan, "sites", xlsx), "不是有效的 XLSX 文件"),
        (lambda: import_file(plan, "osm", osm), "不是可读的 OpenStreetMap 数据"),
    ]
    for run, want in cases:
        with pytest.raises(ImportFailed) as ei:
            run()
        text = str(ei.value)
        assert want in text, text
        # no sentence of the library's English outside the bracketed detail
        outside = re.sub(r"（程序库报告：[^）]*）|（[^）]*）", "", text)
        assert not re.search(r"\b(Expecting|delimiter|Self-intersection|zip file|File is not)\b", outside), text
