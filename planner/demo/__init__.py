"""Demo plans built reproducibly from the real data in ``../shared/data`` (see its SOURCES.md).

- ``andorra``: 示例路网：安道尔 — the real 2013 OSM road network of Andorra, its real place nodes
  with the official 2010 population, shelters/warehouses/points at real OSM features; stock is
  illustrative (labelled so) and scaled so the plan shows both passes and real shortfalls.
- ``shanting``: 山亭区 — the real registry (11 towns, 280 village units with NBS codes, census
  populations, the district outline, the named shelters); locations left empty where no source
  gives them.

``esplan-cli demo build`` rebuilds them into ``resources/demo``; the built files are shipped.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import esplan_resources

DEMOS: dict[str, str] = {"andorra": "planner.demo.andorra", "shanting": "planner.demo.shanting"}
DEMO_USER = "esplan-demo"


def demo_path(name: str) -> Path:
    if name not in DEMOS:
        raise ValueError(f"unknown demo plan {name!r} (have: {', '.join(DEMOS)})")
    return esplan_resources.path("demo", f"{name}.esplan")


def find_shared(shared: Path | None = None) -> Path:
    """The shared data folder: the argument, $ESPLAN_SHARED, or ../shared beside the repo."""
    cands = [shared] if shared else []
    if os.environ.get("ESPLAN_SHARED"):
        cands.append(Path(os.environ["ESPLAN_SHARED"]))
    repo = Path(__file__).resolve().parents[2]
    cands += [repo.parent / "shared", Path.cwd().parent / "shared", Path.cwd() / "shared"]
    for c in cands:
        if c and (c / "data" / "SOURCES.md").exists():
            return c
    raise FileNotFoundError("shared data folder not found (give --shared DIR or set ESPLAN_SHARED)")


def build_demo(name: str, *, shared: Path | None = None, out: Path | None = None) -> tuple[Path, float]:
    """Build one demo plan; written to a temporary file first, then moved into place."""
    import importlib

    if name not in DEMOS:
        raise ValueError(f"unknown demo plan {name!r}")
    data = find_shared(shared) / "data"
    out = Path(out) if out else demo_path(name)
    out.parent.mkdir(parents=True, exist_ok=True)
    builder: Callable[[Path, Path], Any] = importlib.import_module(DEMOS[name]).build
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_plan = Path(tmp) / out.name
        plan = builder(tmp_plan, data)
        plan.dispose()
        _compact(tmp_plan)
        shutil.move(str(tmp_plan), out)
    return out, time.perf_counter() - t0


def _compact(path: Path) -> None:
    """Checkpoint the WAL and store the file in rollback-journal mode (one self-contained file)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("VACUUM")
    con.close()


def copy_demo_to(name: str, dest: Path) -> Path:
    """Copy a shipped demo plan to a writable place (the GUI's first start uses this)."""
    src = demo_path(name)
    if not src.exists():
        raise FileNotFoundError(f"demo plan {name} is not built: run 'esplan-cli demo build {name}'")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)
    return dest
