#!/usr/bin/env python3
"""Build esplan's release packages for the current operating system, into ``dist/``.

    python installer/build.py            # build everything this OS can build
    python installer/build.py --smoke    # … then run installer/smoke.py on the results
    python installer/build.py --target windows [--smoke] [--fast]
                                         # the Windows setup.exe + portable zip, on Linux or Windows
                                         # (installer/build_windows.py; --smoke on Linux: the
                                         # installer/windows/wine_smoke.py test under wine)

Linux:   PyInstaller one-folder bundle  dist/esplan/
         → dist/esplan-<version>-linux-x86_64.tar.gz  (bundle + menu entry, icon, MIME type)
         → dist/esplan_<version>_amd64.deb            (dpkg-deb; /opt/esplan, /usr/bin links)
Windows: PyInstaller one-folder bundle  dist\\esplan\\
         → dist\\esplan-<version>-windows-x64.zip     (portable copy)
         → dist\\esplan-<version>-setup.exe           (Inno Setup 6: ISCC.exe installer/esplan.iss;
           route B of issue 15, never built in CI — the tested Windows build is --target windows)
macOS:   the bundle only.

Needs the project installed with its build extra in the running Python
(``pip install -e ".[build]"``, i.e. PyInstaller), and on Linux dpkg-deb and objdump (binutils).
Prints the time of every step and the sizes; writes them to dist/build-info.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
NAME, VERSION = PROJECT["name"], PROJECT["version"]
MAINTAINER = os.environ.get("ESPLAN_DEB_MAINTAINER", "esplan developers <esplan@localhost>")
HOMEPAGE = os.environ.get("ESPLAN_HOMEPAGE", "https://localhost/esplan")

# System libraries the bundle expects from the OS (Debian 12 / UOS / Kylin package names).
# Qt's xcb platform plugin (X11) needs the libxcb-* set (https://doc.qt.io/qt-6/linux-requirements.html);
# OpenGL/EGL, fontconfig/freetype, D-Bus and xkbcommon are loaded from the system.
DEB_DEPENDS = [
    "libgl1", "libegl1", "libfontconfig1", "libfreetype6", "libdbus-1-3",
    "libxkbcommon0", "libxkbcommon-x11-0", "libx11-6", "libx11-xcb1", "libxcb1",
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0",
    "libxcb-render-util0", "libxcb-render0", "libxcb-shape0", "libxcb-shm0", "libxcb-sync1",
    "libxcb-xfixes0", "libxcb-xinerama0", "libxcb-xinput0", "libxcb-xkb1", "libglib2.0-0",
]
DEB_RECOMMENDS = ["libwayland-client0", "libwayland-cursor0", "libwayland-egl1",
                  "fonts-wqy-microhei | fonts-noto-cjk", "shared-mime-info", "desktop-file-utils"]


def log(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def du(path: Path) -> int:
    """Bytes used by a file or folder (symlinks not followed)."""
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def human(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


class Steps:
    def __init__(self):
        self.times: dict[str, float] = {}
        self.sizes: dict[str, int] = {}
        self.outputs: dict[str, str] = {}

    def run(self, name: str, fn, *args, **kw):
        log(f"{name} …")
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        self.times[name] = round(time.perf_counter() - t0, 1)
        log(f"{name}: {self.times[name]:.1f} s")
        return out


# -- PyInstaller --------------------------------------------------------------------------------------
def build_bundle(dist: Path, work: Path) -> Path:
    try:
        import PyInstaller.__main__ as pyi  # noqa: F401
    except ImportError:
        sys.exit('PyInstaller is missing: pip install -e ".[build]"  (or: pip install pyinstaller)')
    cmd = [sys.executable, "-m", "PyInstaller", str(HERE / "esplan.spec"), "--noconfirm", "--clean",
           "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work / "pyinstaller")]
    subprocess.run(cmd, check=True, cwd=work)   # not ROOT: keep the source tree's esplan.egg-info off sys.path
    bundle = dist / NAME
    exe = ".exe" if os.name == "nt" else ""
    for prog in (NAME, f"{NAME}-cli"):
        if not (bundle / f"{prog}{exe}").is_file():
            sys.exit(f"PyInstaller did not produce {bundle / (prog + exe)}")
    return bundle


# -- Linux ------------------------------------------------------------------------------------------------
def _add_share(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(HERE / "linux" / "esplan.desktop", dest / "esplan.desktop")
    shutil.copy2(HERE / "linux" / "esplan-mime.xml", dest / "esplan-mime.xml")
    shutil.copy2(HERE / "icons" / "esplan.svg", dest / "esplan.svg")
    shutil.copy2(HERE / "icons" / "esplan.png", dest / "esplan.png")


def build_targz(bundle: Path, dist: Path, work: Path) -> Path:
    """esplan-<v>-linux-x86_64.tar.gz: the bundle in esplan-<v>/ plus share/ and a user installer."""
    top = f"{NAME}-{VERSION}"
    stage = work / "tar" / top
    shutil.rmtree(stage.parent, ignore_errors=True)
    shutil.copytree(bundle, stage, symlinks=True)
    _add_share(stage / "share")
    shutil.copy2(HERE / "linux" / "install-desktop-entry.sh", stage / "install-desktop-entry.sh")
    (stage / "README.txt").write_text(
        f"esplan {VERSION} — 应急物资与避难场所规划\n\n"
        "Start:             ./esplan            (desktop program; ./esplan PLAN.esplan opens a plan)\n"
        "Command line:      ./esplan-cli --help\n"
        "Installation test: ./esplan-cli --self-test\n"
        "Menu entry, icon and the .esplan file type for your user: ./install-desktop-entry.sh\n"
        "System libraries needed (Debian/UOS/Kylin package names): " + ", ".join(DEB_DEPENDS) + "\n",
        encoding="utf-8")
    out = dist / f"{top}-linux-{platform.machine()}.tar.gz"
    out.unlink(missing_ok=True)
    if shutil.which("tar"):   # GNU tar (+ pigz when installed) is much faster than tarfile
        comp = ["--use-compress-program=pigz"] if shutil.which("pigz") else ["-z"]
        subprocess.run(["tar", "-C", str(stage.parent), "--owner=0", "--group=0", "--numeric-owner",
                        *comp, "-cf", str(out), top], check=True)
    else:
        with tarfile.open(out, "w:gz") as tf:
            tf.add(stage, arcname=top)
    return out


def _glibc_min(tree: Path) -> str | None:
    """Highest GLIBC_x.y symbol version any bundled binary needs (→ Depends: libc6 (>= x.y))."""
    if not shutil.which("objdump"):
        return None
    best = (0, 0)
    for p in tree.rglob("*"):
        if p.is_file() and not p.is_symlink() and (".so" in p.name or os.access(p, os.X_OK)):
            with open(p, "rb") as fh:
                if fh.read(4) != b"\x7fELF":
                    continue
            res = subprocess.run(["objdump", "-p", str(p)], capture_output=True, text=True)
            for a, b in re.findall(r"GLIBC_(\d+)\.(\d+)", res.stdout):
                best = max(best, (int(a), int(b)))
    return f"{best[0]}.{best[1]}" if best != (0, 0) else None


def deb_version() -> str:
    # Debian version syntax: PEP 440 pre-releases (0.2.0rc1) sort before the release with "~"
    return re.sub(r"(\d)(a|b|rc|\.dev)(\d*)", r"\1~\2\3", VERSION)


def build_deb(bundle: Path, dist: Path, work: Path, fast: bool = False) -> Path:
    if not shutil.which("dpkg-deb"):
        sys.exit("dpkg-deb not found (Debian package dpkg)")
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    root = work / "deb" / f"{NAME}_{deb_version()}_{arch}"
    shutil.rmtree(root.parent, ignore_errors=True)
    opt = root / "opt" / NAME
    shutil.copytree(bundle, opt, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    for prog in (NAME, f"{NAME}-cli"):   # relative links: also right inside a --root/--instdir
        (root / "usr" / "bin" / prog).symlink_to(f"../../opt/{NAME}/{prog}")
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(HERE / "linux" / "esplan.desktop", share / "applications" / "esplan.desktop")
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copy2(HERE / "linux" / "esplan-mime.xml", share / "mime" / "packages" / "esplan.xml")
    icons = share / "icons" / "hicolor"
    (icons / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(HERE / "icons" / "esplan.svg", icons / "scalable" / "apps" / "esplan.svg")
    (icons / "256x256" / "apps").mkdir(parents=True)
    shutil.copy2(HERE / "icons" / "esplan.png", icons / "256x256" / "apps" / "esplan.png")
    (share / "pixmaps").mkdir(parents=True)
    shutil.copy2(HERE / "icons" / "esplan.png", share / "pixmaps" / "esplan.png")
    doc = share / "doc" / NAME
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {NAME}\n\nFiles: *\nCopyright: esplan developers\nLicense: GPL-3.0-or-later\n"
        " On Debian systems the full text is in /usr/share/common-licenses/GPL-3.\n"
        " The bundle in /opt/esplan contains Python, Qt (LGPL-3.0), PySide6, NumPy, SciPy, Shapely\n"
        " (GEOS), pyproj (PROJ), pyosmium (libosmium), ReportLab, openpyxl, SQLAlchemy, Alembic\n"
        " and their libraries under their own licences (see /opt/esplan/_internal/*.dist-info).\n"
        " Map data: (c) OpenStreetMap contributors, ODbL 1.0.\n", encoding="utf-8")
    # control
    deb = root / "DEBIAN"
    deb.mkdir()
    glibc = _glibc_min(opt)
    depends = ([f"libc6 (>= {glibc})"] if glibc else ["libc6"]) + DEB_DEPENDS
    control = (HERE / "debian" / "control.in").read_text(encoding="utf-8")
    for key, val in {"VERSION": deb_version(), "ARCH": arch, "MAINTAINER": MAINTAINER,
                     "INSTALLED_SIZE": str(du(root) // 1024 + 1), "DEPENDS": ", ".join(depends),
                     "RECOMMENDS": ", ".join(DEB_RECOMMENDS), "HOMEPAGE": HOMEPAGE}.items():
        control = control.replace(f"@{key}@", val)
    assert "@" not in control.replace(MAINTAINER, ""), control
    (deb / "control").write_text(control, encoding="utf-8")
    for script in ("postinst", "postrm"):
        shutil.copy2(HERE / "debian" / script, deb / script)
        (deb / script).chmod(0o755)
    # permissions as a package expects (files 644/755, folders 755)
    for p in [root, *root.rglob("*")]:
        if p.is_symlink():
            continue
        if p.is_dir():
            p.chmod(0o755)
        else:
            p.chmod(0o755 if os.access(p, os.X_OK) else 0o644)
    out = dist / f"{root.name}.deb"
    out.unlink(missing_ok=True)
    # xz -6 (dpkg's default, readable by every dpkg incl. the older ones of UOS/Kylin; zstd is
    # not): ~3 min on 2 cores. --fast: gzip -6, ~3x quicker, ~35 % bigger (for CI).
    comp = ["-Zgzip", "-z6"] if fast else ["-Zxz", "-z6"]
    subprocess.run(["dpkg-deb", "--root-owner-group", *comp, "--build", str(root), str(out)], check=True)
    return out


# -- Windows ---------------------------------------------------------------------------------------------------
def find_iscc() -> str | None:
    cands = [os.environ.get("ISCC"), shutil.which("ISCC"), shutil.which("iscc")]
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles"),
                 os.environ.get("LOCALAPPDATA") and str(Path(os.environ["LOCALAPPDATA"]) / "Programs")):
        if base:
            cands.append(str(Path(base) / "Inno Setup 6" / "ISCC.exe"))
    return next((c for c in cands if c and Path(c).is_file()), None)


def build_zip(bundle: Path, dist: Path) -> Path:
    base = dist / f"{NAME}-{VERSION}-windows-x64"
    return Path(shutil.make_archive(str(base), "zip", root_dir=bundle.parent, base_dir=bundle.name))


def build_inno(bundle: Path, dist: Path) -> Path:
    iscc = find_iscc()
    if not iscc:
        sys.exit("Inno Setup 6 (ISCC.exe) not found: install it from https://jrsoftware.org/isdl.php "
                 "or set ISCC=C:\\path\\to\\ISCC.exe")
    lang = HERE / "windows" / "ChineseSimplified.isl"
    iss_lang = Path(iscc).parent / "Languages" / "ChineseSimplified.isl"
    if not lang.is_file() and not iss_lang.is_file():
        sys.exit("ChineseSimplified.isl not found: it is an unofficial Inno Setup translation, get it from "
                 "https://jrsoftware.org/files/istrans/ (Chinese (Simplified)) and save it as "
                 f"{lang} (see docs/install.md)")
    numeric = ".".join((re.findall(r"\d+", VERSION) + ["0"] * 4)[:4])   # VersionInfoVersion: a.b.c.d
    cmd = [iscc, f"/DAppVersion={VERSION}", f"/DAppVersionNumeric={numeric}", f"/DAppName={NAME}",
           f"/DSourceDir={bundle}", f"/DOutputDir={dist}", f"/DRepoRoot={ROOT}",
           f"/DChineseIsl={lang if lang.is_file() else iss_lang}", str(HERE / "esplan.iss")]
    subprocess.run(cmd, check=True)
    out = dist / f"{NAME}-{VERSION}-setup.exe"
    if not out.is_file():
        sys.exit(f"ISCC did not produce {out}")
    return out


def build_windows_target(a: argparse.Namespace) -> int:
    """--target windows: installer/build_windows.py, then (--smoke) its test under wine or on Windows."""
    sys.path.insert(0, str(HERE))
    import build_windows

    argv = ["--dist", str(a.dist.resolve()), "--work", str(a.work.resolve() / "win")] + (["--fast"] if a.fast else [])
    rc = build_windows.main(argv)
    if rc or not a.smoke:
        return rc
    setup = a.dist.resolve() / f"{NAME}-{VERSION}-setup.exe"
    zipped = a.dist.resolve() / f"{NAME}-{VERSION}-windows-x64.zip"
    if os.name == "nt":   # on Windows: the staged program itself (install it by hand for the rest)
        cli = a.work.resolve() / "win" / f"{NAME}-{VERSION}" / f"{NAME}-cli.exe"
        res = subprocess.run([str(cli), "--self-test"], capture_output=True, text=True, encoding="utf-8")
        print(res.stdout)
        return 0 if res.returncode == 0 and "all checks passed" in res.stdout else 1
    sys.path.insert(0, str(HERE / "windows"))
    import wine_smoke

    return wine_smoke.main([str(setup), "--zip", str(zipped)])


# -- main ------------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    ap.add_argument("--work", type=Path, default=ROOT / "build", help="work folder (default: build/)")
    ap.add_argument("--reuse-bundle", action="store_true", help="package an existing dist/esplan")
    ap.add_argument("--bundle-only", action="store_true", help="only the PyInstaller bundle")
    ap.add_argument("--smoke", action="store_true", help="run installer/smoke.py on the results")
    ap.add_argument("--fast", action="store_true",
                    help="quicker, bigger .deb (gzip instead of xz): for CI, not for release")
    ap.add_argument("--target", choices=("native", "windows"), default="native",
                    help="windows: the Windows x64 setup.exe and zip (installer/build_windows.py), from any OS")
    a = ap.parse_args(argv)
    if a.target == "windows":
        return build_windows_target(a)
    dist, work = a.dist.resolve(), a.work.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    steps = Steps()
    t0 = time.perf_counter()
    log(f"{NAME} {VERSION} on {platform.system()} {platform.machine()}, Python {platform.python_version()}")

    bundle = dist / NAME
    if a.reuse_bundle and (bundle / (NAME + (".exe" if os.name == "nt" else ""))).exists():
        log(f"reusing {bundle}")
    else:
        bundle = steps.run("pyinstaller bundle", build_bundle, dist, work)
    steps.outputs["bundle"] = str(bundle)
    steps.sizes["bundle"] = du(bundle)

    if not a.bundle_only:
        if sys.platform.startswith("linux"):
            tgz = steps.run("tar.gz", build_targz, bundle, dist, work)
            steps.outputs["tar.gz"], steps.sizes["tar.gz"] = str(tgz), du(tgz)
            deb = steps.run("deb", build_deb, bundle, dist, work, a.fast)
            steps.outputs["deb"], steps.sizes["deb"] = str(deb), du(deb)
        elif os.name == "nt":
            z = steps.run("zip", build_zip, bundle, dist)
            steps.outputs["zip"], steps.sizes["zip"] = str(z), du(z)
            setup = steps.run("inno setup", build_inno, bundle, dist)
            steps.outputs["setup"], steps.sizes["setup"] = str(setup), du(setup)
    build_s = round(time.perf_counter() - t0, 1)

    smoke_rc = None
    if a.smoke:
        sys.path.insert(0, str(HERE))
        import smoke

        args = [str(bundle)] + (["--deb", steps.outputs["deb"]] if "deb" in steps.outputs else [])
        smoke_rc = steps.run("smoke test", smoke.main, args)

    info = {"name": NAME, "version": VERSION, "platform": f"{platform.system()}-{platform.machine()}",
            "python": platform.python_version(), "build_seconds": build_s, "step_seconds": steps.times,
            "sizes_bytes": steps.sizes, "outputs": steps.outputs,
            "smoke_ok": None if smoke_rc is None else smoke_rc == 0}
    (dist / "build-info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    print()
    print(f"esplan {VERSION} build: {build_s:.0f} s ("
          + ", ".join(f"{k} {v:.0f} s" for k, v in steps.times.items()) + ")")
    for k, v in steps.sizes.items():
        print(f"  {k:8} {human(v):>10}  {steps.outputs[k]}")
    if smoke_rc is not None:
        print("  smoke test:", "PASSED" if smoke_rc == 0 else "FAILED")
    return smoke_rc or 0


if __name__ == "__main__":
    sys.exit(main())
