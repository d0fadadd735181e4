"""Start-up stays light: a check of a plan at the newest schema loads neither Alembic nor
scipy.optimize (the optimiser is a fallback of the engine's flows), the GUI's main window loads
neither, and the plain reading of the migrations' revision graph agrees with Alembic's.

(Speed itself is measured by benchmarks/bench_startup.py, never timed here.)"""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from planner import migrations

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("alembic", "scipy.optimize", "planner.scenario.recommend")


def _loaded_after(code: str, tmp_path: Path) -> list[str]:
    probe = code + textwrap.dedent(f"""
        import sys
        print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic' or m.startswith({HEAVY[1:]!r})))
        """)
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                       env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr[-3000:]
    return eval(r.stdout.strip().splitlines()[-1])  # noqa: S307 - our own printout


def test_check_of_a_plan_at_head_loads_neither_alembic_nor_the_optimiser(tmp_path):
    plan = tmp_path / "andorra.esplan"
    shutil.copyfile(REPO / "resources" / "demo" / "andorra.esplan", plan)
    code = ("import contextlib, io\nfrom planner.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()) as out:\n    rc = main(['check', {str(plan)!r}])\n"
            "assert rc in (0, 1) and out.getvalue(), out.getvalue()\n")
    assert _loaded_after(code, tmp_path) == []


def test_an_old_plan_still_loads_alembic_and_is_upgraded(tmp_path):
    """The lazy path must not skip a due migration: a plan at an older revision is upgraded."""
    from test_plan_files import _plan_at  # the existing helper: a plan at an old revision

    path = _plan_at(tmp_path / "old.esplan", "0001")
    code = (f"from planner.store import open_plan\np = open_plan({str(path)!r})\n"
            "print(p.schema_revision()); p.dispose()\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip() == migrations.head_revision()


def test_main_window_with_a_plan_loads_neither_alembic_nor_the_optimiser(tmp_path):
    plan = tmp_path / "andorra.esplan"
    shutil.copyfile(REPO / "resources" / "demo" / "andorra.esplan", plan)
    code = ("from PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
            f"from desktop.mainwindow import MainWindow\nw = MainWindow({str(plan)!r})\n"
            "w.show()\napp.processEvents()\n")
    assert _loaded_after(code, tmp_path) == []


def _alembic_view(location: Path) -> tuple[str, set[str]]:
    from alembic.script import ScriptDirectory

    cfg = migrations.config()
    cfg.set_main_option("script_location", str(location))
    sd = ScriptDirectory.from_config(cfg)
    return sd.get_current_head(), {r.revision for r in sd.walk_revisions()}  # type: ignore[return-value]


def test_revision_graph_agrees_with_alembic(tmp_path, monkeypatch):
    assert migrations.revision_graph() is not None     # the shipped files are read plainly
    assert (migrations.head_revision(), migrations.known_revisions()) == _alembic_view(migrations.HERE)
    d = tmp_path / "migrations"
    shutil.copytree(migrations.HERE, d, ignore=shutil.ignore_patterns("__pycache__"))
    head = migrations.head_revision()
    (d / "versions" / "9999_next.py").write_text(
        f"revision = '9999'\ndown_revision = '{head}'\nbranch_labels = None\ndepends_on = None\n", encoding="utf-8")
    monkeypatch.setattr(migrations, "SCRIPT_LOCATION", d)
    assert migrations.head_revision() == "9999"
    assert (migrations.head_revision(), migrations.known_revisions()) == _alembic_view(d)


@pytest.mark.parametrize("extra", [
    "revision = '9998'\ndown_revision = '0001'\n",                 # a second head (a branch)
    "revision = 'x' + '1'\ndown_revision = '0001'\n",              # not a plain string
    "revision = '9997'\ndown_revision = ('0002', '0003')\n",        # a merge
    "revision = '9996'\ndown_revision = (\n    '0004'\n)\n",         # over several lines
    "revision = '9995'\nrevision = '9994'\ndown_revision = '0004'\n",  # assigned twice
])
def test_revision_graph_leaves_anything_but_a_straight_line_to_alembic(tmp_path, extra):
    d = tmp_path / "migrations"
    shutil.copytree(migrations.HERE, d, ignore=shutil.ignore_patterns("__pycache__"))
    (d / "versions" / "9990_odd.py").write_text(extra, encoding="utf-8")
    assert migrations.revision_graph(d) is None


def test_the_window_imports_the_engine_while_it_idles_after_opening(tmp_path):
    """Not while the window is built and the plan drawn (first paint first), but in the idle time
    after, a module at a time on the GUI thread — so the first run imports nothing on its thread
    (the engine's C extensions held the interpreter lock there and froze the window)."""
    plan = tmp_path / "andorra.esplan"
    shutil.copyfile(REPO / "resources" / "demo" / "andorra.esplan", plan)
    code = textwrap.dedent(f"""
        import sys, time
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from desktop.mainwindow import MainWindow
        w = MainWindow({str(plan)!r})
        w.show()
        during = []
        w.loaded.connect(lambda: during.append('planner.engine.session' in sys.modules))
        end = time.time() + 30
        while w.loading and time.time() < end:
            app.processEvents(); time.sleep(0.002)
        end = time.time() + 30
        while not all(m in sys.modules for m in w.ENGINE_MODULES) and time.time() < end:
            app.processEvents(); time.sleep(0.002)
        print(during, all(m in sys.modules for m in w.ENGINE_MODULES), w.task is None)
        """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "ESPLAN_NO_OPEN": "1"})
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip().splitlines()[-1] == "[False] True True"
