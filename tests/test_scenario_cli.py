"""esplan-cli check / compare with scenarios: "baseline" means the plan itself everywhere, and
every label shows the threshold in force in its own scenario."""
from __future__ import annotations

import json

import pytest
from engine_fixtures import build_db_plan


@pytest.fixture
def tiny_plan(tmp_path):
    plan = build_db_plan(tmp_path / "tiny.esplan")
    loc = plan.location
    plan.dispose()
    return loc


def _checks(out: str) -> list[dict]:
    return [{k: c[k] for k in ("id", "name_zh", "name_en", "value", "target", "status")}
            for c in json.loads(out)["checks"]]


def test_check_accepts_the_baseline_as_a_scenario(tiny_plan, capsys):
    from planner.cli import main

    code = main(["check", tiny_plan, "--json"])
    plain = capsys.readouterr().out
    assert main(["check", tiny_plan, "--scenario", "baseline", "--json"]) == code
    named = capsys.readouterr().out
    assert json.loads(named)["scenario"] == "baseline"
    assert _checks(named) == _checks(plain)
    # the text output as well, and an unknown scenario is still an error
    assert main(["check", tiny_plan, "-s", "baseline", "--lang", "en"]) == code
    assert "scenario: baseline" in capsys.readouterr().out
    assert main(["check", tiny_plan, "--scenario", "no such scenario"]) == 2


def test_compare_labels_use_each_scenarios_threshold(tiny_plan, capsys):
    """A 5-minute scenario next to the 15-minute baseline: its column is labelled 5 min, not the
    reference's 15 (name, target and the towns' heading)."""
    from planner.cli import main

    assert main(["scenario", tiny_plan, "create", "五分钟"]) == 0
    assert main(["scenario", tiny_plan, "set-param", "五分钟", "threshold_min=5"]) == 0
    capsys.readouterr()
    main(["compare", tiny_plan, "baseline", "五分钟", "--json"])
    cmp = json.loads(capsys.readouterr().out)
    assert cmp["thresholds"] == [15.0, 5.0]
    served = next(c for c in cmp["checks"] if c["id"] == "served_within_threshold")
    assert served["names_en"][0].startswith("15-minute circle") and served["names_en"][0].endswith("within 15 min")
    assert served["names_en"][1].startswith("5-minute circle") and served["names_en"][1].endswith("within 5 min")
    assert served["name_en"] == " / ".join(served["names_en"])
    assert served["names_zh"][1].startswith("5分钟避难圈")
    mean = next(c for c in cmp["checks"] if c["id"] == "mean_time_min")
    assert mean["targets"] == [15.0, 5.0] and mean["name_en"] == mean["names_en"][0]  # no threshold in its name

    main(["compare", tiny_plan, "baseline", "五分钟", "--lang", "en"])
    out = capsys.readouterr().out
    row = next(ln for ln in out.splitlines() if ln.startswith("15-minute circle"))
    assert "/ 5-minute circle: share of sheltering demand given a place within 5 min" in row
    assert " 15 / 5 min " in next(ln for ln in out.splitlines() if ln.startswith("Mean time"))
    assert "Served within 15 / 5 min, by town" in out
    main(["compare", tiny_plan, "五分钟", "--lang", "zh"])   # one scenario alone: only its own labels
    out = capsys.readouterr().out
    assert "5分钟避难圈：5分钟内可安置的避难需求比例" in out and "15分钟" not in out
    assert "各乡镇 5 分钟内可安置人数" in out
