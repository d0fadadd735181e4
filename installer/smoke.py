#!/usr/bin/env python3
"""Smoke test of a frozen esplan build (and, on Linux, of its .deb installed into a scratch root).

    python installer/smoke.py [dist/esplan] [--deb dist/esplan_<v>_amd64.deb]

For the bundle folder (or an installed copy), checks that:
  * ``esplan-cli --version`` prints the version of pyproject.toml (package metadata is bundled),
  * ``esplan-cli --self-test`` passes (every bundled library and data file works),
  * ``esplan-cli info`` / ``check`` run on a copy of the shipped Andorra demo plan
    (check exits 0 or 1 — both mean the engine ran; 2 is a failure),
  * ``esplan-cli new`` creates a plan (Alembic migrations run from the bundled scripts),
  * the GUI starts offscreen (QT_QPA_PLATFORM=offscreen, ``--quit-after 3``) on the demo copy,
    and on first start without a plan (copies the demo into a scratch HOME), exiting 0 in time,
  * on Linux with xvfb-run installed, the GUI also starts on a real X server (xcb plugin and the
    system libraries the .deb depends on; ESPLAN_SMOKE_XVFB=0 skips it),
  * the Qt plugins a desktop needs are in the bundle.
With ``--deb`` (Linux, dpkg) the package is installed with dpkg into a scratch root (own admin
dir, maintainer scripts run chrootless), its files are checked, the same tests run against
<root>/usr/bin/esplan*, and it is removed again. All commands run without network
(inside ``unshare -n`` when the system allows it). Exit status 0 when everything passed.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
WINDOWS = os.name == "nt"
EXE = ".exe" if WINDOWS else ""
GUI_TIMEOUT = float(os.environ.get("ESPLAN_SMOKE_GUI_TIMEOUT", "90"))


class SmokeFailure(AssertionError):
    pass


def _no_network_prefix() -> list[str]:
    """``unshare -n`` (empty network namespace) when available and allowed, else nothing."""
    if WINDOWS or os.environ.get("ESPLAN_SMOKE_NETWORK") == "1" or not shutil.which("unshare"):
        return []
    try:
        ok = subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        ok = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10).returncode == 0
        return ["unshare", "-rn"] if ok else []
    return ["unshare", "-n"]


NO_NET = _no_network_prefix()


def run(cmd: list[str], *, env: dict | None = None, timeout: float = 300, ok=(0,), cwd=None,
        label: str | None = None) -> subprocess.CompletedProcess:
    label = label or " ".join(Path(cmd[0]).name if i == 0 else str(c) for i, c in enumerate(cmd))
    t0 = time.perf_counter()
    try:
        res = subprocess.run(NO_NET + [str(c) for c in cmd], capture_output=True, text=True, env=env,
                             timeout=timeout, cwd=cwd, encoding="utf-8", errors="replace")
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(f"{label}: no exit within {timeout:.0f} s\n{exc.stdout or ''}{exc.stderr or ''}") from exc
    dt = time.perf_counter() - t0
    if res.returncode not in ok:
        raise SmokeFailure(f"{label}: exit {res.returncode} (expected {ok})\n--- stdout\n{res.stdout[-4000:]}"
                           f"\n--- stderr\n{res.stderr[-4000:]}")
    print(f"  ok  {label}  (exit {res.returncode}, {dt:.1f} s)", flush=True)
    return res


def _env(home: Path) -> dict:
    """A clean environment: scratch HOME/XDG dirs, offscreen Qt, Chinese locale not required."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "QT_", "VIRTUAL_ENV", "ESPLAN_", "XDG_"))}
    env.update({"HOME": str(home), "USERPROFILE": str(home), "APPDATA": str(home / "AppData"),
                "LOCALAPPDATA": str(home / "AppData" / "Local"), "XDG_DATA_HOME": str(home / ".local/share"),
                "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache"),
                "XDG_RUNTIME_DIR": str(home / "run"), "QT_QPA_PLATFORM": "offscreen"})
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    (home / "run").mkdir(parents=True, exist_ok=True)
    (home / "run").chmod(0o700)
    return env


def find_internal(gui: Path) -> Path:
    return gui.resolve().parent / "_internal"


def check_bundle_files(internal: Path) -> None:
    plugins = internal / "PySide6" / ("plugins" if WINDOWS else "Qt/plugins")
    if WINDOWS:
        need = ["platforms/qwindows.dll", "platforms/qoffscreen.dll", "imageformats/qsvg.dll",
                "imageformats/qjpeg.dll"]
        if not any((plugins / "styles" / n).exists() for n in ("qmodernwindowsstyle.dll", "qwindowsvistastyle.dll")):
            need.append("styles/qmodernwindowsstyle.dll (or qwindowsvistastyle.dll)")
    else:
        need = ["platforms/libqxcb.so", "platforms/libqoffscreen.so", "platforms/libqwayland.so",
                "imageformats/libqsvg.so", "imageformats/libqjpeg.so",
                "platforminputcontexts/libibusplatforminputcontextplugin.so",
                "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
                "xcbglintegrations/libqxcb-glx-integration.so"]
    missing = [n for n in need if not (plugins / n).exists()]
    res = internal / "esplan_resources"
    for rel in ["norms/cn_standard.json", "norms/sphere.json", "demo/andorra.esplan", "demo/shanting.esplan"]:
        if not (res / rel).is_file():
            missing.append(f"esplan_resources/{rel}")
    src_res = ROOT / "resources"
    for sub in ("i18n", "fonts"):   # whatever the source tree ships must be bundled
        for f in (src_res / sub).rglob("*") if (src_res / sub).is_dir() else []:
            if f.is_file() and f.suffix in (".qm", ".json", ".ttf", ".ttc", ".otf") and \
                    not (res / f.relative_to(src_res)).is_file():
                missing.append(f"esplan_resources/{f.relative_to(src_res).as_posix()}")
    mig = internal / "planner" / "migrations"
    for rel in ["env.py", "script.py.mako"]:
        if not (mig / rel).is_file():
            missing.append(f"planner/migrations/{rel}")
    if not list((mig / "versions").glob("0001_*.py")):
        missing.append("planner/migrations/versions/0001_*.py")
    if not list(internal.glob("esplan-*.dist-info")):
        missing.append("esplan-*.dist-info")
    if not list((internal / "pyproj").rglob("proj.db")):
        missing.append("pyproj/**/proj.db")
    if missing:
        raise SmokeFailure("missing from the bundle: " + ", ".join(missing))
    print(f"  ok  bundle files (Qt plugins, resources, migrations, metadata, proj.db) in {internal}")


def smoke_programs(gui: Path, cli: Path, *, label: str) -> None:
    """The command-line and GUI checks against one copy of the programs."""
    network = f"isolated ({' '.join(NO_NET)})" if NO_NET else "not isolated"
    print(f"smoke test: {label}  ({gui.parent})  network: {network}")
    for p in (gui, cli):
        if not p.exists():
            raise SmokeFailure(f"{p} does not exist — build first: python installer/build.py")
    internal = find_internal(gui)
    check_bundle_files(internal)
    with tempfile.TemporaryDirectory(prefix="esplan-smoke-") as d:
        tmp = Path(d)
        env = _env(tmp / "home")
        res = run([cli, "--version"], env=env)
        if VERSION not in res.stdout + res.stderr:
            raise SmokeFailure(f"esplan-cli --version printed {res.stdout!r}, expected {VERSION}")
        run([cli, "--self-test"], env=env, timeout=300)
        demo = tmp / "演示 plan.esplan"     # non-ASCII name with a space, as users have
        shutil.copy2(internal / "esplan_resources" / "demo" / "andorra.esplan", demo)
        res = run([cli, "info", demo], env=env)
        if "Andorra" not in res.stdout and "安道尔" not in res.stdout:
            raise SmokeFailure(f"esplan-cli info: unexpected output\n{res.stdout}")
        run([cli, "check", demo], env=env, ok=(0, 1), timeout=300)
        new = tmp / "new.esplan"
        run([cli, "new", new, "--name", "冒烟测试"], env=env)
        run([cli, "info", new], env=env)
        t0 = time.perf_counter()
        run([gui, demo, "--quit-after", "3"], env=env, timeout=GUI_TIMEOUT,
            label=f"{gui.name} (offscreen) DEMO --quit-after 3")
        if time.perf_counter() - t0 < 2.5:
            raise SmokeFailure("the GUI returned before --quit-after 3 elapsed: did it start at all?")
        run([gui, "--quit-after", "2"], env=env, timeout=GUI_TIMEOUT,
            label=f"{gui.name} (offscreen, first start, no plan) --quit-after 2")
        copies = list((tmp / "home").rglob("*.esplan"))
        if not copies:
            raise SmokeFailure("first start did not copy the demo plan into the user's data folder")
        xvfb = shutil.which("xvfb-run")
        if not WINDOWS and xvfb and os.environ.get("ESPLAN_SMOKE_XVFB", "1") != "0":
            # the real X11 path (xcb plugin + the system libraries the .deb depends on)
            xenv = {**env, "QT_QPA_PLATFORM": "xcb"}
            run([xvfb, "-a", "-s", "-screen 0 1280x800x24", gui, demo, "--quit-after", "3"], env=xenv,
                timeout=GUI_TIMEOUT, label=f"{gui.name} (X11 on Xvfb, xcb plugin) DEMO --quit-after 3")
        else:
            print("  --  X11 check skipped (no xvfb-run)")


def programs_in(folder: Path) -> tuple[Path, Path]:
    return folder / f"esplan{EXE}", folder / f"esplan-cli{EXE}"


def smoke_deb(deb: Path) -> None:
    """Install the .deb with dpkg into a scratch root, test the installed copy, remove it."""
    if not shutil.which("dpkg"):
        raise SmokeFailure("dpkg not found: cannot test the .deb")
    if not deb.is_file():
        raise SmokeFailure(f"{deb} does not exist — build first: python installer/build.py")
    info = subprocess.run(["dpkg-deb", "--field", str(deb), "Package", "Version", "Depends"],
                          capture_output=True, text=True, check=True).stdout
    print(f"smoke test: .deb {deb.name}\n" + "".join(f"      {line}\n" for line in info.splitlines()))
    with tempfile.TemporaryDirectory(prefix="esplan-debroot-") as d:
        root = Path(d) / "root"
        admin = root / "var" / "lib" / "dpkg"
        for sub in ("info", "updates", "triggers"):
            (admin / sub).mkdir(parents=True)
        (admin / "status").touch()
        (admin / "available").touch()
        dpkg = ["dpkg", f"--root={root}", f"--admindir={admin}", f"--log={Path(d) / 'dpkg.log'}",
                "--force-script-chrootless", "--force-depends", "--force-not-root"]
        # --force-depends: the scratch root has no libc6 etc. registered (the host has them)
        res = subprocess.run([*dpkg, "--install", str(deb)], capture_output=True, text=True)
        if res.returncode != 0:
            raise SmokeFailure(f"dpkg --install into {root} failed:\n{res.stdout}\n{res.stderr}")
        print(f"  ok  dpkg --root {root} --install")
        st = subprocess.run([*dpkg, "--status", "esplan"], capture_output=True, text=True).stdout
        if "Status: install ok installed" not in st:
            raise SmokeFailure(f"package not installed:\n{st}")
        need = ["opt/esplan/esplan", "opt/esplan/esplan-cli", "opt/esplan/_internal",
                "usr/share/applications/esplan.desktop", "usr/share/mime/packages/esplan.xml",
                "usr/share/icons/hicolor/scalable/apps/esplan.svg",
                "usr/share/icons/hicolor/256x256/apps/esplan.png", "usr/share/doc/esplan/copyright"]
        missing = [n for n in need if not (root / n).exists()]
        for link in ("usr/bin/esplan", "usr/bin/esplan-cli"):
            p = root / link
            if not p.is_symlink() or not p.resolve().is_file():
                missing.append(f"{link} (symlink into /opt/esplan)")
        if missing:
            raise SmokeFailure("missing after installing the .deb: " + ", ".join(missing))
        if (root / "usr/share/mime/packages/esplan.xml").exists() and shutil.which("update-mime-database"):
            globs = root / "usr/share/mime/globs2"
            if not globs.is_file() or "*.esplan" not in globs.read_text(encoding="utf-8"):
                raise SmokeFailure("postinst did not register *.esplan in the MIME database")
            print("  ok  postinst registered application/x-esplan-plan (*.esplan) in usr/share/mime")
        if shutil.which("desktop-file-validate"):
            run(["desktop-file-validate", root / "usr/share/applications/esplan.desktop"])
        smoke_programs(*programs_in(root / "usr" / "bin"), label=f".deb installed in {root}")
        res = subprocess.run([*dpkg, "--purge", "esplan"], capture_output=True, text=True)
        if res.returncode != 0:
            raise SmokeFailure(f"dpkg --purge failed:\n{res.stdout}\n{res.stderr}")
        left = [p for p in ("opt/esplan", "usr/bin/esplan", "usr/bin/esplan-cli",
                            "usr/share/applications/esplan.desktop") if (root / p).exists() or (root / p).is_symlink()]
        if left:
            raise SmokeFailure(f"left behind after dpkg --purge: {left}")
        print("  ok  dpkg --purge esplan removed everything")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle", nargs="?", type=Path, default=ROOT / "dist" / "esplan",
                    help="the one-folder bundle (default: dist/esplan)")
    ap.add_argument("--deb", type=Path, help="also install this .deb into a scratch root and test it")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    try:
        smoke_programs(*programs_in(a.bundle), label="bundle")
        if a.deb:
            smoke_deb(a.deb)
    except SmokeFailure as exc:
        print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"smoke test passed ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
