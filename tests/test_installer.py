"""Smoke tests of the frozen release build (installer/): run only with ESPLAN_TEST_FROZEN=1.

Building takes minutes, so CI builds first and then runs this module as a separate step:

    python installer/build.py --fast
    ESPLAN_TEST_FROZEN=1 python -m pytest tests/test_installer.py

With the variable set, a missing build output is a failure (not a skip). ESPLAN_DIST points to
another output folder (default: dist/).
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.environ.get("ESPLAN_TEST_FROZEN") != "1",
                                reason="frozen build tests: set ESPLAN_TEST_FROZEN=1 after python installer/build.py")

sys.path.insert(0, str(ROOT / "installer"))
import smoke  # noqa: E402

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
DIST = Path(os.environ.get("ESPLAN_DIST", ROOT / "dist"))
BUNDLE = DIST / "esplan"
LINUX = sys.platform.startswith("linux")
EXE = ".exe" if os.name == "nt" else ""


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"build output missing: {path} — run `python installer/build.py` first "
                    f"(ESPLAN_TEST_FROZEN=1 is set, so this is a failure, not a skip)", pytrace=False)
    return path


def _deb() -> Path:
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    return _need(DIST / f"esplan_{VERSION}_{arch}.deb")


def test_bundle_has_both_programs():
    for prog in ("esplan", "esplan-cli"):
        _need(BUNDLE / f"{prog}{EXE}")
    _need(BUNDLE / "_internal")


def test_bundle_smoke():
    _need(BUNDLE / f"esplan-cli{EXE}")
    gui, cli = smoke.programs_in(BUNDLE)
    smoke.smoke_programs(gui, cli, label="bundle (pytest)")


def test_cli_exit_codes_frozen(tmp_path):
    """check exits 0/1 on a plan, 2 on a missing one (the documented contract), frozen too."""
    cli = _need(BUNDLE / f"esplan-cli{EXE}")
    env = smoke._env(tmp_path / "home")
    res = subprocess.run([str(cli), "check", str(tmp_path / "nope.esplan")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stdout + res.stderr


@pytest.mark.skipif(not LINUX, reason="Linux packages")
def test_targz_layout():
    import tarfile

    tgz = _need(DIST / f"esplan-{VERSION}-linux-{platform.machine()}.tar.gz")
    with tarfile.open(tgz) as tf:
        names = set(tf.getnames())
    top = f"esplan-{VERSION}"
    for n in ("esplan", "esplan-cli", "_internal", "share/esplan.desktop", "share/esplan.svg",
              "share/esplan.png", "share/esplan-mime.xml", "install-desktop-entry.sh", "README.txt"):
        assert f"{top}/{n}" in names, n


@pytest.mark.skipif(not LINUX, reason="Linux packages")
def test_deb_control():
    deb = _deb()
    out = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True).stdout
    assert "Package: esplan" in out and f"Version: {VERSION}" in out
    assert "Architecture: amd64" in out or platform.machine() != "x86_64"
    for dep in ("libc6 (>=", "libgl1", "libegl1", "libxkbcommon0", "libfontconfig1", "libdbus-1-3",
                "libxcb-cursor0"):
        assert dep in out, dep
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    for path in ("./opt/esplan/esplan", "./opt/esplan/esplan-cli", "./usr/bin/esplan -> ../../opt/esplan/esplan",
                 "./usr/bin/esplan-cli -> ../../opt/esplan/esplan-cli",
                 "./usr/share/applications/esplan.desktop", "./usr/share/mime/packages/esplan.xml",
                 "./usr/share/icons/hicolor/scalable/apps/esplan.svg"):
        assert path in listing, path
    assert all("root/root" in line for line in listing.splitlines() if line.strip()), "files not owned by root"


@pytest.mark.skipif(not LINUX, reason="Linux packages")
def test_deb_installs_into_clean_root_and_runs_offline():
    smoke.smoke_deb(_deb())

