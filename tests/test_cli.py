"""esplan-cli as scripts use it: exit codes, messages, files written."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from planner.cli import build_parser, main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planner.cli", *args], capture_output=True, text=True)


def test_help_for_every_command():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name in sub.choices:
        with pytest.raises(SystemExit) as e:
            main([name, "--help"])
        assert e.value.code == 0


def test_new_info_list(tmp_path, capsys):
    plan = tmp_path / "p.esplan"
    assert main(["new", str(plan), "--name", "测试", "--district-code", "370406"]) == 0
    assert main(["new", str(plan), "--name", "again"]) == 2  # refuses to overwrite
    capsys.readouterr()
    assert main(["info", str(plan), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "测试" and info["counts"]["norms_profiles"] == 2
    assert main(["list", str(plan), "sites", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_errors_exit_2_with_a_message(tmp_path):
    r = run("info", str(tmp_path / "missing.esplan"))
    assert r.returncode == 2 and "not found" in r.stderr
    plan = tmp_path / "p.esplan"
    assert run("new", str(plan), "--name", "x").returncode == 0
    r = run("import", str(plan), "sites", str(tmp_path / "nope.csv"))
    assert r.returncode == 2 and "not found" in r.stderr
    bad = tmp_path / "sites.csv"
    bad.write_text("code,kind,name,lon,lat\nS1,shelter,学校,117.4,35.0\nS2,bunker,掩体,999,35\n", encoding="utf-8")
    r = run("import", str(plan), "sites", str(bad))
    assert r.returncode == 2
    assert "row 3" in r.stderr and "kind" in r.stderr and "lon" in r.stderr
    r = run("list", str(plan), "sites", "--json")
    assert json.loads(r.stdout) == []  # nothing half written
    r = run("bogus-command")
    assert r.returncode == 2


def test_template_import_export_roundtrip(tmp_path):
    plan = tmp_path / "p.esplan"
    assert run("new", str(plan), "--name", "x").returncode == 0
    tpl = tmp_path / "sites_template.xlsx"
    r = run("template", "sites", str(tpl))
    assert r.returncode == 0 and tpl.exists()
    src = tmp_path / "sites.csv"
    src.write_text("code,kind,name,shelter_class,outdoor_area_m2,lon,lat\n"
                   "S1,shelter,实验小学,short,4000,117.45,35.07\n"
                   "W1,warehouse,区储备库,,,117.46,35.08\n", encoding="utf-8")
    r = run("import", str(plan), "sites", str(src))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out.csv"
    assert run("export", str(plan), "sites", str(out)).returncode == 0
    plan2 = tmp_path / "q.esplan"
    assert run("new", str(plan2), "--name", "y").returncode == 0
    assert run("import", str(plan2), "sites", str(out)).returncode == 0
    a = json.loads(run("list", str(plan), "sites", "--json").stdout)
    b = json.loads(run("list", str(plan2), "sites", "--json").stdout)
    assert a == b and len(a) == 2


def test_demo_path():
    r = run("demo", "path", "andorra")
    assert r.returncode == 0 and r.stdout.strip().endswith("andorra.esplan")


def test_verbose_shows_the_steps_on_stderr(tmp_path, capsys):
    """-v: what the program does goes to stderr as log lines; without it only warnings do."""
    import logging
    import shutil

    from planner.cli import main
    from planner.demo import demo_path

    plan = tmp_path / "a.esplan"
    shutil.copy(demo_path("andorra"), plan)
    root = logging.getLogger()
    try:
        assert main(["-v", "check", str(plan)]) in (0, 1)
        err = capsys.readouterr().err
        assert "INFO" in err and "planner." in err
        assert main(["check", str(plan)]) in (0, 1)
        assert "INFO" not in capsys.readouterr().err
    finally:
        for h in [h for h in root.handlers if getattr(h, "_esplan", False)]:
            root.removeHandler(h)
        for name in ("planner", "desktop"):
            logging.getLogger(name).setLevel(logging.NOTSET)
