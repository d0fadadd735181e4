"""The shipped demo plans' exports import again into a new plan, and that plan exports the very
same files (README: "exports import again unchanged"). Andorra's parish codes (AD02 …) are
accepted because the plan says it is Andorran (plan info extra.country), not because the Chinese
code rule was loosened."""
from __future__ import annotations

import json
import shutil

import pytest

from planner.demo import DEMOS, demo_path
from planner.io.errors import ImportFailed
from planner.io.tables import export_table, import_batch, import_boundary, import_table
from planner.store import create_plan, open_plan

KINDS = ("admin_units", "items", "sites", "demand", "stock")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".geojson"])
@pytest.mark.parametrize("name", sorted(DEMOS))
def test_demo_exports_reimport_identically(tmp_path, name, suffix):
    shipped = demo_path(name)
    src_path = tmp_path / f"{name}.esplan"
    shutil.copy(shipped, src_path)
    src = open_plan(src_path)
    info = src.info()
    country = (info.extra or {}).get("country", "CN")
    out1, out2 = tmp_path / "first", tmp_path / "second"
    out1.mkdir()
    out2.mkdir()
    counts = {k: export_table(src, k, out1 / f"{k}{suffix}") for k in KINDS}
    export_table(src, "boundary", out1 / "boundary.geojson")
    fc = json.loads((out1 / "boundary.geojson").read_text(encoding="utf-8"))
    district = {**fc, "features": [f for f in fc["features"] if f["properties"]["role"] == "district"]}
    (out1 / "district.geojson").write_text(json.dumps(district), encoding="utf-8")

    dst = create_plan(tmp_path / "copy.esplan", name=info.name, country=country)
    if district["features"]:
        import_boundary(dst, out1 / "district.geojson")
    reps = import_batch(dst, [(k, out1 / f"{k}{suffix}") for k in KINDS])
    assert {r.kind: r.inserted for r in reps} == counts
    for k in KINDS:
        export_table(dst, k, out2 / f"{k}{suffix}")
        if suffix != ".xlsx":   # an XLSX holds its own timestamps: compared by content below
            assert (out2 / f"{k}{suffix}").read_bytes() == (out1 / f"{k}{suffix}").read_bytes(), k
        else:
            from openpyxl import load_workbook

            a = list(load_workbook(out1 / f"{k}{suffix}").active.values)
            b = list(load_workbook(out2 / f"{k}{suffix}").active.values)
            assert a == b, k
    # and importing the same files again never doubles anything
    if counts["stock"]:
        with pytest.raises(ImportFailed, match="already"):
            import_table(dst, "stock", out1 / f"stock{suffix}")
    again = import_batch(dst, [(k, out1 / f"{k}{suffix}") for k in KINDS], mode="upsert")
    assert all(r.inserted == 0 and r.updated == 0 for r in again)
    src.dispose()
    dst.dispose()


def test_chinese_plan_still_refuses_foreign_codes(tmp_path):
    p = create_plan(tmp_path / "cn.esplan", name="cn")
    path = tmp_path / "towns.csv"
    path.write_text("code,name\nAD07,Andorra la Vella\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="6, 9 or 12 digits"):
        import_table(p, "towns", path)
    ad = create_plan(tmp_path / "ad.esplan", name="ad", country="AD")
    assert import_table(ad, "towns", path).inserted == 1
    path.write_text("code,name\nAD 07!,x\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"\(AD\)"):
        import_table(ad, "towns", path)
    p.dispose()
    ad.dispose()
