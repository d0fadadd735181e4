"""Checked rules: the core (planner/) never imports Qt or the GUI; packaging lists every package."""
from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "desktop", "shiboken6")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_planner_sources_import_no_qt():
    bad = [(p.relative_to(REPO), n) for p in (REPO / "planner").rglob("*.py") for n in _imports(p)
           if n.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_importing_every_planner_module_loads_no_qt():
    mods = sorted(".".join(p.relative_to(REPO).with_suffix("").parts)
                  for p in (REPO / "planner").rglob("*.py")
                  if p.name not in ("__main__.py", "env.py") and "versions" not in p.parts)
    code = ("import importlib, sys\n"
            f"for m in {[m.removesuffix('.__init__') for m in mods]!r}: importlib.import_module(m)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'desktop')]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr


def test_pyproject_lists_every_package():
    cfg = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(cfg["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for top in ("planner", "desktop")
             for p in (REPO / top).rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert "esplan_resources" in listed and cfg["package-dir"]["esplan_resources"] == "resources"
