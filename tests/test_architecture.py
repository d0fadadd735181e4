"""Checked rules: the core (planner/) never imports Qt or the GUI; the engine never touches
storage; no import cycles among planner's modules; packaging lists every package.

(import-linter checks the same and more — layers, acyclic siblings — with ``lint-imports``; see
[tool.importlinter] in pyproject.toml.)"""
from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "desktop", "shiboken6")
#: what the engine (planner/engine) must not import: it computes, the storage side loads and saves
ENGINE_FORBIDDEN = ("planner.models", "planner.store", "planner.scenario", "planner.report", "planner.cli",
                    "sqlalchemy")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _imported_names(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import anywhere in the file (inside functions too); ``from a import b``
    gives both ``a`` and ``a.b`` (b may be a module: ``from planner import models``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the file's package
                pkg = list(path.relative_to(REPO).with_suffix("").parts)[:-node.level]
                base = ".".join(pkg + ([base] if base else []))
            out.append((node.lineno, base))
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return out


def _is_under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_engine_imports_no_storage():
    """planner/engine computes on a PlanInput; reading the plan and saving runs belong to
    planner.scenario.runs. No engine file may import models, store, scenario, report, cli or
    SQLAlchemy — not even inside a function."""
    bad = [f"{p.relative_to(REPO)}:{line} imports {name}"
           for p in sorted((REPO / "planner" / "engine").rglob("*.py"))
           for line, name in _imported_names(p) if _is_under(name, ENGINE_FORBIDDEN)]
    assert bad == [], "move loading/saving to planner/scenario/runs.py:\n" + "\n".join(bad)


def _planner_graph():
    import grimp  # installed with import-linter (the test extra)

    import planner

    assert Path(planner.__file__).resolve().parent == REPO / "planner", "run pytest from the checkout"
    return grimp.build_graph("planner", cache_dir=None)


def test_engine_reaches_no_storage_indirectly():
    """Not through a third module either (e.g. engine -> norms -> models)."""
    graph = _planner_graph()
    targets = [t for t in ENGINE_FORBIDDEN if t in graph.modules]  # planner's (sqlalchemy: the test above)
    chains = [" -> ".join(c) for src in sorted(m for m in graph.modules if _is_under(m, ("planner.engine",)))
              for dst in targets if (c := graph.find_shortest_chain(importer=src, imported=dst))]
    assert chains == []


def test_no_import_cycles_among_planner_modules():
    """Every import counts (module top, inside functions, a package's __init__): the modules of
    planner form a DAG. scripts/import_cycles.py prints the cycles when this fails."""
    import networkx as nx

    graph = _planner_graph()
    g = nx.DiGraph()
    for m in graph.modules:
        if _is_under(m, ("planner",)):
            g.add_node(m)
            g.add_edges_from((m, i) for i in graph.find_modules_directly_imported_by(m)
                             if _is_under(i, ("planner",)))
    cycles = sorted(sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1)
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


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
