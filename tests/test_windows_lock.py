"""The Windows build's wheel lock covers the project's dependencies (no build needed to check)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_windows_lock_pins_every_runtime_dependency():
    """installer/build_windows.py installs the locked wheels with --no-deps: a dependency added to
    pyproject.toml but not to installer/windows/requirements-win.lock would be missing on Windows."""
    spec = importlib.util.spec_from_file_location("build_windows", ROOT / "installer" / "build_windows.py")
    assert spec is not None and spec.loader is not None
    bw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bw)
    bw.check_lock_covers_dependencies()                 # exits naming what is missing otherwise
