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
