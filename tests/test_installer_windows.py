"""The Windows setup.exe and portable zip under wine (installer/windows/wine_smoke.py).

Run only with ESPLAN_TEST_WINE=1, after building them (minutes, so CI does it as its own step):

    python installer/build_windows.py --fast
    ESPLAN_TEST_WINE=1 python -m pytest tests/test_installer_windows.py

With the variable set, a missing build output is a failure, not a skip. ESPLAN_DIST points to
another output folder (default: dist/).
"""
from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.environ.get("ESPLAN_TEST_WINE") != "1",
                                reason="Windows build under wine: set ESPLAN_TEST_WINE=1 after "
                                       "python installer/build_windows.py")
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
DIST = Path(os.environ.get("ESPLAN_DIST", ROOT / "dist"))
SETUP = DIST / f"esplan-{VERSION}-setup.exe"
ZIP = DIST / f"esplan-{VERSION}-windows-x64.zip"


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"build output missing: {path} — run `python installer/build_windows.py` first "
                    f"(ESPLAN_TEST_WINE=1 is set, so this is a failure, not a skip)", pytrace=False)
    return path


def test_checksums_beside_outputs():
    import hashlib

    for out in (_need(SETUP), _need(ZIP)):
        side = _need(out.with_name(out.name + ".sha256")).read_text(encoding="utf-8").split()
        assert side == [hashlib.sha256(out.read_bytes()).hexdigest(), out.name]


def test_setup_is_64_bit_nsis():
    data = _need(SETUP).read_bytes()[:4096]
    pe = int.from_bytes(data[0x3C:0x40], "little")
    assert data[pe:pe + 4] == b"PE\0\0" and data[pe + 4:pe + 6] == b"\x64\x86", "not an x86-64 PE"


def test_zip_layout():
    import zipfile

    with zipfile.ZipFile(_need(ZIP)) as zf:
        names = set(zf.namelist())
    top = f"esplan-{VERSION}/"
    for n in ("esplan.exe", "esplan-cli.exe", "Python/python.exe", "Python/python311._pth", "pkgs/planner/cli.py",
              "pkgs/esplan_resources/demo/andorra.esplan", "pkgs/esplan_selftest.py", "README.txt", "LICENSE.txt"):
        assert top + n in names, n


def test_install_run_uninstall_under_wine():
    """Its log (shown with -s, or on failure): times, sizes, the self-test output."""
    sys.path.insert(0, str(ROOT / "installer" / "windows"))
    import wine_smoke

    assert wine_smoke.main([str(_need(SETUP)), "--zip", str(_need(ZIP))]) == 0, "see the log above"
