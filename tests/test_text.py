"""The one text catalogue (planner.text, resources/i18n/texts.json)."""
from __future__ import annotations

import json
import re
import shutil
import string
from pathlib import Path

import pytest

import esplan_resources
from planner import text as tx
from planner.engine.texts import finding_text

REPO = Path(__file__).resolve().parents[1]
PREFIXES = ("check", "finding", "reason", "enum", "cli", "report", "figure", "basis", "recommend", "doc",
            "document", "import")

#: keys whose two languages legitimately use different arguments (the text says more in one)
ONE_SIDED = {
    # the Chinese sentence names the district; the English one does not
    "report.the_plan_is_checked_against_the",
    # Chinese: 步行/车行 in words; English: the mode code in brackets
    "report.coverage_uses_network_travel_times_and",
    # English only: the vulnerable people's walking speed
    "check.vulnerable_served_within_threshold",
}


def _fields(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.fixture
def restore_language():
    before = tx.language()
    yield
    tx.set_language(before)


def test_catalogue_is_shipped_and_complete():
    assert Path(esplan_resources.path("i18n", "texts.json")).is_file()
    cat = tx.catalogue()
    assert len(cat) > 300
    for key, entry in cat.items():
        assert key.split(".")[0] in PREFIXES, key
        assert set(entry) == {"zh", "en"}, key
        assert isinstance(entry["zh"], str) and isinstance(entry["en"], str), key
        if key not in ONE_SIDED:
            assert _fields(entry["zh"]) == _fields(entry["en"]), key
    # the file is kept sorted, one key a line group, so diffs stay readable
    raw = json.loads((REPO / "resources" / "i18n" / "texts.json").read_text(encoding="utf-8"))
    assert list(raw) == sorted(raw)


def test_every_key_used_in_the_code_exists():
    cat = tx.catalogue()
    alt = "|".join(PREFIXES)
    literal = re.compile(r"""["']((?:""" + alt + r""")\.[A-Za-z0-9_.]+)["']""")
    dynamic = re.compile(r"""f["']((?:""" + alt + r""")\.[A-Za-z0-9_.]*)\{""")
    used, prefixes = set(), set()
    for path in list((REPO / "planner").rglob("*.py")) + list((REPO / "desktop").rglob("*.py")):
        src = path.read_text(encoding="utf-8")
        used |= {m for m in literal.findall(src) if not m.endswith(".")}
        prefixes |= set(dynamic.findall(src))
    assert len(used) > 300
    missing = sorted(k for k in used if k not in cat and not any(c.startswith(k + ".") for c in cat))
    assert not missing, missing
    for p in prefixes:
        assert any(k.startswith(p) for k in cat), p


def test_text_formats_and_raises():
    assert tx.text("cli.export.wrote", "en", file="a.csv") == "Wrote a.csv"
    assert tx.text("cli.export.wrote", "zh", file="a.csv") == "已写出 a.csv"
    with pytest.raises(KeyError):
        tx.text("report.no_such_key", "en")
    with pytest.raises(KeyError):
        tx.text("cli.export.wrote", "en")        # its {file} is missing
    with pytest.raises(KeyError):
        tx.text("cli.export.wrote", "en", name="a.csv")


def test_label():
    assert tx.label("status", "built", "zh") == "已建"
    assert tx.label("status", "built", "en") == "built"
    assert tx.label("status", None, "en") == "—"
    assert tx.label("status", "on_the_moon", "en") == "on_the_moon"


def test_language_in_force(restore_language):
    assert tx.set_language("zh") == "zh"
    assert tx.text("cli.info.none") == "无"
    assert tx.set_language("en") == "en"
    assert tx.text("cli.info.none") == "none"
    assert tx.set_language("fr") == "en"


@pytest.fixture(scope="module")
def demo_results(tmp_path_factory):
    from planner.engine.run import run_plan
    from planner.scenario.runs import load_snapshot
    from planner.store import open_plan

    out = {}
    for name in ("andorra", "shanting"):
        src = Path(esplan_resources.path("demo", f"{name}.esplan"))
        if not src.is_file():
            continue
        dst = tmp_path_factory.mktemp("texts") / src.name
        shutil.copy(src, dst)
        plan = open_plan(str(dst))
        try:
            out[name] = json.loads(run_plan(load_snapshot(plan, None)).to_json())
        finally:
            plan.dispose()
    if not out:
        pytest.skip("no demo plans")
    return out


def test_findings_are_rendered_from_code_and_args(demo_results):
    n = 0
    for result in demo_results.values():
        for f in result["findings"]:
            assert f["code"], f
            for lang in ("zh", "en"):
                assert f[lang] == finding_text(f["code"], f["args"], lang)
            n += 1
        for c in result["checks"]:
            key = "check.supply" if c["id"].startswith("supply_") else f"check.{c['id']}"
            assert key in tx.catalogue()
    assert n > 5


def test_cli_help_in_chinese(capsys, restore_language):
    from planner.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--lang", "zh", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "新建空白规划" in out and "退出码" in out
    with pytest.raises(SystemExit):
        main(["--lang", "en", "--help"])
    out = capsys.readouterr().out
    assert "create an empty plan" in out and not re.search(r"[\u4e00-\u9fff]{3}", out.split("(")[0])
