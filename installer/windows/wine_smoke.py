#!/usr/bin/env python3
"""Smoke test of the Windows setup.exe (and the portable zip) under wine, on Linux.

    python installer/windows/wine_smoke.py [dist/esplan-<v>-setup.exe] [--zip dist/esplan-<v>-windows-x64.zip]

In a new, throw-away wine prefix (64-bit, Windows 10 mode):
  * ``setup.exe /S /CurrentUser`` (silent per-user install): the program folder, the start-menu
    entries (program, esplan 命令行, esplan 安装自检, uninstall), the .esplan association and the
    Settings → Apps entry are there;
  * the installed ``esplan-cli.exe``: ``--version`` = pyproject's version, ``--self-test`` ends
    with "all checks passed"; ``info``, ``check`` (exit 0 or 1) and ``report`` (a PDF whose fonts
    are all embedded, by pdffonts) on a copy of the demo saved as ``Documents\\应急 规划\\演示 plan.esplan``
    (Chinese folder and file names with spaces);
  * the installed ``esplan.exe`` (offscreen Qt) stays up 10 s on that plan and exits 0
    (``--quit-after 10``), and on first start without a plan copies the demo into %APPDATA%;
  * ``uninstall.exe /S /CurrentUser`` removes the program, its start-menu folder, association and
    uninstall entry, and leaves every plan and the report where they were;
  * with ``--zip``: the portable zip unpacked into a folder with a Chinese name and a space runs
    ``--version`` and ``info``.
Exit status 0 when everything passed.

Needs wine64 (Debian: wine64), the mingw-w64 C compiler (gcc-mingw-w64-x86-64-win32) and
pdffonts (poppler-utils). Everything below marked TEST-ONLY works around wine 8.0, not Windows,
and lives only in this prefix — none of it is in the product:
  * wine 8.0's ucrtbase.dll has crealf/cimagf/cimag as unimplemented stubs and NumPy 2 calls
    crealf on import (abort). The prefix gets a copy of wine's own ucrtbase.dll with these three
    filled in (a few bytes of x86-64 each), loaded as a native override.
  * Qt 6.11's QtCore imports Windows 10's system ICU (icuuc.dll), which wine lacks: a stub
    icuuc.dll (every import returns "not available") is compiled with mingw-w64 from the list of
    functions Qt6Core.dll imports.
  * Qt environment variables reach the Windows program only as WINEQT_… (wine passes WINEQT_X as
    QT_X); stdin is /dev/null and output a pipe (a Windows Python under wine 8.0 cannot start
    with a regular file as stdin/stdout); Unix dot-files are made visible (ortools\\.libs).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
TIMEOUT = float(os.environ.get("ESPLAN_WINE_TIMEOUT", "300"))


class SmokeFailure(AssertionError):
    pass


def log(msg: str) -> None:
    print(msg, flush=True)


# -- wine ---------------------------------------------------------------------------------------------
def find_wine() -> tuple[str, str]:
    wine = next((c for c in (shutil.which("wine64"), "/usr/lib/wine/wine64", shutil.which("wine"))
                 if c and Path(c).is_file()), None)
    server = next((c for c in (shutil.which("wineserver"), str(Path(wine).parent / "wineserver") if wine else None,
                               "/usr/lib/wine/wineserver64")
                   if c and Path(c).is_file()), None)
    if not wine or not server:
        raise SmokeFailure("wine64 not found (Debian: apt-get install wine64)")
    return wine, server


class Wine:
    def __init__(self, prefix: Path):
        self.wine, self.server = find_wine()
        self.prefix = prefix
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("PYTHON", "QT_", "VIRTUAL_ENV", "ESPLAN_", "WINE", "DISPLAY", "XDG_"))}
        # wine links Documents, Desktop … of the prefix to $HOME and mirrors start-menu entries
        # into ~/.local/share (winemenubuilder): a home of its own keeps the host's untouched
        home = prefix.parent / "home"
        home.mkdir(parents=True, exist_ok=True)
        self.env.update({
            "WINEPREFIX": str(prefix), "WINEDEBUG": "-all", "HOME": str(home),
            "XDG_DATA_HOME": str(home / ".local" / "share"), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            # no Mono/Gecko installer dialogs, no menu entries on the host
            "WINEDLLOVERRIDES": "mscoree,mshtml=;winemenubuilder.exe=d",
            "WINEQT_QPA_PLATFORM": "offscreen",   # TEST-ONLY: reaches Qt as QT_QPA_PLATFORM
        })

    def run(self, args: list[str], *, ok=(0,), timeout: float = TIMEOUT, label: str | None = None,
            wait_server: bool = False) -> subprocess.CompletedProcess:
        label = label or " ".join(Path(a).name if i == 0 else a for i, a in enumerate(args))
        t0 = time.perf_counter()
        try:
            res = subprocess.run([self.wine, *args], env=self.env, stdin=subprocess.DEVNULL, capture_output=True,
                                 timeout=timeout)
            if wait_server:
                subprocess.run([self.server, "-w"], env=self.env, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            self.kill()
            raise SmokeFailure(f"{label}: no exit within {timeout:.0f} s") from exc
        res.stdout = res.stdout.decode("utf-8", "replace")
        res.stderr = res.stderr.decode("utf-8", "replace")
        dt = time.perf_counter() - t0
        res.seconds = dt   # type: ignore[attr-defined]
        if res.returncode not in ok:
            raise SmokeFailure(f"{label}: exit {res.returncode} (expected {ok})\n--- stdout\n{res.stdout[-4000:]}"
                               f"\n--- stderr\n{res.stderr[-3000:]}")
        log(f"  ok  {label}  (exit {res.returncode}, {dt:.1f} s)")
        return res

    def kill(self) -> None:
        subprocess.run([self.server, "-k"], env=self.env, capture_output=True, timeout=60)

    def reg_add(self, key: str, name: str, value: str) -> None:
        self.run(["reg", "add", key, "/v", name, "/d", value, "/f"], label=f"reg add {key} {name}={value}")

    def reg_query(self, key: str) -> str | None:
        res = subprocess.run([self.wine, "reg", "query", key], env=self.env, stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=120)
        return res.stdout.decode("utf-8", "replace") if res.returncode == 0 else None

    @staticmethod
    def winpath(p: Path) -> str:
        return "Z:" + str(p.resolve()).replace("/", "\\")


# -- TEST-ONLY workarounds for wine 8.0 -------------------------------------------------------------
def _pe_exports(data: bytes) -> dict[str, int]:
    """Export name → file offset of a PE32+ DLL (enough of the PE format for wine's ucrtbase.dll)."""
    import struct

    pe = struct.unpack_from("<I", data, 0x3C)[0]
    nsec, optsz = struct.unpack_from("<H", data, pe + 6)[0], struct.unpack_from("<H", data, pe + 20)[0]
    opt = pe + 24
    dd = opt + (112 if struct.unpack_from("<H", data, opt)[0] == 0x20B else 96)
    secs = [struct.unpack_from("<IIII", data, opt + optsz + 40 * i + 8) for i in range(nsec)]

    def off(rva: int) -> int:
        for vsize, va, rawsize, rawptr in secs:
            if va <= rva < va + max(vsize, rawsize):
                return rva - va + rawptr
        raise ValueError(f"RVA {rva:#x} in no section")

    e = off(struct.unpack_from("<I", data, dd)[0])
    _nfun, nnames, afun, anames, aords = struct.unpack_from("<IIIII", data, e + 20)
    out = {}
    for i in range(nnames):
        n_off = off(struct.unpack_from("<I", data, off(anames) + 4 * i)[0])
        name = data[n_off:data.index(b"\0", n_off)].decode()
        ordinal = struct.unpack_from("<H", data, off(aords) + 2 * i)[0]
        out[name] = off(struct.unpack_from("<I", data, off(afun) + 4 * ordinal)[0])
    return out


# x86-64 bodies (MSVC ABI: _Fcomplex by value in RCX, _Dcomplex by reference in RCX; result in XMM0)
UCRT_FILL = {"crealf": "660f6ec1c3",               # movd xmm0, ecx ; ret
             "cimagf": "48c1e920660f6ec1c3",       # shr rcx, 32 ; movd xmm0, ecx ; ret
             "cimag": "f20f104108c3"}              # movsd xmm0, [rcx+8] ; ret
WINE_STUB_START = bytes.fromhex("4883ec28488d0d")  # sub rsp,28h; lea rcx,… : wine's "unimplemented" stub


def patched_ucrtbase(dest: Path) -> None:
    """wine's ucrtbase.dll with crealf/cimagf/cimag implemented, marked native (TEST-ONLY)."""
    src = next((p for p in (Path("/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/ucrtbase.dll"),
                            Path("/usr/lib/wine/x86_64-windows/ucrtbase.dll"),
                            Path("/usr/lib64/wine/x86_64-windows/ucrtbase.dll")) if p.is_file()), None)
    if src is None:
        raise SmokeFailure("wine's x86_64-windows/ucrtbase.dll not found")
    data = bytearray(src.read_bytes())
    exports = _pe_exports(bytes(data))
    for name, code in UCRT_FILL.items():
        o = exports[name]
        if data[o:o + len(WINE_STUB_START)] == WINE_STUB_START:   # still a stub in this wine: fill it
            body = bytes.fromhex(code)
            data[o:o + len(body)] = body
    if data[0x40:0x50] == b"Wine builtin DLL":   # else wine would load its builtin instead
        data[0x40:0x50] = bytes(16)
    dest.write_bytes(bytes(data))


def icu_stub(qtcore: Path, dest: Path, work: Path) -> None:
    """icuuc.dll exporting what Qt6Core.dll imports from it, each returning 'not available' (TEST-ONLY)."""
    objdump = shutil.which("x86_64-w64-mingw32-objdump") or shutil.which("objdump")
    gcc = shutil.which("x86_64-w64-mingw32-gcc")
    if not gcc or not objdump:
        raise SmokeFailure("x86_64-w64-mingw32-gcc not found (Debian: apt-get install gcc-mingw-w64-x86-64-win32)")
    dump = subprocess.run([objdump, "-p", str(qtcore)], capture_output=True, text=True, check=True).stdout
    names, inside = [], False
    for line in dump.splitlines():
        if "DLL Name:" in line:
            inside = line.split("DLL Name:")[1].strip().lower() == "icuuc.dll"
            continue
        m = re.match(r"\s+[0-9a-f]+\s+\d+\s+(\w+)\s*$", line) if inside else None
        if m:
            names.append(m.group(1))
    if not names:
        log("  --  Qt6Core.dll imports nothing from icuuc.dll: no stub needed")
        return
    src = ["/* TEST-ONLY stand-in for Windows 10's system ICU, absent in wine */"]
    for n in sorted(set(names)):
        if n == "ucnv_open":
            src.append("__declspec(dllexport) void *ucnv_open(const char *n, int *e) { if (e) *e = 2; return 0; }")
        else:
            src.append(f"__declspec(dllexport) void *{n}(void) {{ return 0; }}")
    c = work / "icuuc_stub.c"
    c.write_text("\n".join(src) + "\n", encoding="utf-8")
    subprocess.run([gcc, "-shared", "-O2", "-s", "-o", str(dest), str(c)], check=True)
    log(f"  ok  stub icuuc.dll with {len(set(names))} functions Qt6Core.dll imports (TEST-ONLY)")


# -- the test -------------------------------------------------------------------------------------------
def pdf_fonts_embedded(pdf: Path) -> str:
    if not shutil.which("pdffonts"):
        raise SmokeFailure("pdffonts not found (Debian: apt-get install poppler-utils)")
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line for line in out.splitlines()[2:] if line.strip()]
    if not rows:
        raise SmokeFailure(f"{pdf.name}: no fonts at all?\n{out}")
    # columns: name type encoding emb sub uni object ID; emb is the 4th from the right
    bad = [r for r in rows if r.split()[-5] != "yes"]
    if bad:
        raise SmokeFailure(f"{pdf.name}: fonts not embedded:\n" + "\n".join(bad))
    return f"{len(rows)} fonts, all embedded"


def smoke(setup: Path, zip_path: Path | None, keep: bool) -> None:
    t_all = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="esplan-wine-"))
    try:
        w = Wine(tmp / "prefix")
        log(f"wine smoke test: {setup.name} ({setup.stat().st_size / 2**20:.1f} MiB) in {w.prefix}")
        w.run(["wineboot", "-i"], label="wineboot -i (new prefix)", wait_server=True)
        w.reg_add(r"HKCU\Software\Wine", "Version", "win10")
        w.reg_add(r"HKCU\Software\Wine", "ShowDotFiles", "Y")   # TEST-ONLY (ortools\.libs)
        system32 = w.prefix / "drive_c" / "windows" / "system32"
        patched_ucrtbase(system32 / "ucrtbase.dll")
        w.env["WINEDLLOVERRIDES"] += ";ucrtbase=n"   # after wineboot: the prefix must exist first
        log("  ok  ucrtbase.dll: wine's own with crealf/cimagf/cimag filled in, native (TEST-ONLY)")
        users = list((w.prefix / "drive_c" / "users").glob("*/AppData"))
        user = next(p.parent for p in users if p.parent.name != "Public")

        # -- install
        res = w.run([w.winpath(setup), "/S", "/CurrentUser"], label="setup.exe /S /CurrentUser (silent, per user)",
                    wait_server=True)
        install_s = res.seconds   # type: ignore[attr-defined]
        inst = user / "AppData" / "Local" / "Programs" / "esplan"
        for rel in ("esplan.exe", "esplan-cli.exe", "uninstall.exe", "esplan.ico", "Python/python.exe",
                    "Python/python311._pth", "pkgs/planner/cli.py", "pkgs/esplan_resources/demo/andorra.esplan"):
            if not (inst / rel).is_file():
                raise SmokeFailure(f"not installed: {inst / rel}")
        size = sum(p.stat().st_size for p in inst.rglob("*") if p.is_file())
        log(f"  ok  installed in {inst} ({size / 2**20:.0f} MiB)")
        icu_stub(inst / "pkgs" / "PySide6" / "Qt6Core.dll", system32 / "icuuc.dll", tmp)
        menu = user / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "esplan"
        links = sorted(p.name for p in menu.glob("*.lnk"))
        want = ["esplan 命令行", "esplan 安装自检"]
        if len(links) != 4 or not all(any(n in link for link in links) for n in want):
            raise SmokeFailure(f"start menu {menu}: {links}")
        log(f"  ok  start menu: {', '.join(links)}")
        assoc = w.reg_query(r"HKCU\Software\Classes\esplan.plan\shell\open\command") or ""
        if "esplan.exe" not in assoc or w.reg_query(r"HKCU\Software\Classes\.esplan") is None:
            raise SmokeFailure(f".esplan association missing:\n{assoc}")
        log("  ok  .esplan → esplan.plan → \"…\\esplan.exe\" \"%1\" (HKCU\\Software\\Classes)")
        uninst = w.reg_query(r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\esplan") or ""
        if VERSION not in uninst or "uninstall.exe" not in uninst:
            raise SmokeFailure(f"Settings → Apps entry missing:\n{uninst}")
        log("  ok  Settings → Apps entry (HKCU …\\Uninstall\\esplan)")

        cli, gui = w.winpath(inst / "esplan-cli.exe"), w.winpath(inst / "esplan.exe")
        # -- command line
        res = w.run([cli, "--version"])
        if VERSION not in res.stdout:
            raise SmokeFailure(f"--version printed {res.stdout!r}, expected {VERSION}")
        res = w.run([cli, "--self-test"], label="esplan-cli --self-test")
        if "all checks passed" not in res.stdout:
            raise SmokeFailure(f"self-test:\n{res.stdout}")
        if not re.search(r"ortools_flow: ortools \d", res.stdout):   # optional to the self-test, shipped here
            raise SmokeFailure(f"self-test: OR-Tools is not in the Windows build\n{res.stdout}")
        for line in res.stdout.splitlines():
            log(f"      {line}")
        docs = user / "Documents" / "应急 规划"
        docs.mkdir(parents=True, exist_ok=True)
        plan = docs / "演示 plan.esplan"
        shutil.copy2(inst / "pkgs" / "esplan_resources" / "demo" / "andorra.esplan", plan)
        res = w.run([cli, "info", w.winpath(plan)], label="esplan-cli info 应急 规划\\演示 plan.esplan")
        if "Andorra" not in res.stdout and "安道尔" not in res.stdout:
            raise SmokeFailure(f"info: unexpected output\n{res.stdout}")
        res = w.run([cli, "check", w.winpath(plan)], ok=(0, 1), label="esplan-cli check 应急 规划\\演示 plan.esplan")
        log("      " + "\n      ".join(res.stdout.strip().splitlines()[:6]))
        pdf = docs / "报告 demo.pdf"
        w.run([cli, "report", w.winpath(plan), "-o", w.winpath(pdf), "--quiet"],
              label="esplan-cli report … -o 应急 规划\\报告 demo.pdf")
        if not pdf.is_file() or pdf.stat().st_size < 10_000:
            raise SmokeFailure(f"report: no PDF at {pdf}")
        log(f"  ok  {pdf.name}: {pdf.stat().st_size / 1024:.0f} KiB, {pdf_fonts_embedded(pdf)}")

        # -- GUI (offscreen Qt)
        res = w.run([gui, w.winpath(plan), "--quit-after", "10"], label="esplan.exe 演示 plan.esplan --quit-after 10")
        if res.seconds < 10:   # type: ignore[attr-defined]
            raise SmokeFailure(f"the GUI returned after {res.seconds:.1f} s, before --quit-after 10: "   # type: ignore[attr-defined]
                               "did it start at all?")
        gui_s = res.seconds   # type: ignore[attr-defined]
        w.run([gui, "--quit-after", "3"], label="esplan.exe (first start, no plan) --quit-after 3")
        appdata = user / "AppData" / "Roaming"
        copies = [p for p in appdata.rglob("*.esplan")]
        if not copies:
            raise SmokeFailure(f"first start did not copy the demo plan into {appdata}")
        log(f"  ok  first start copied the demo to {copies[0].relative_to(user)}")

        # -- uninstall: the program goes, the plans stay
        w.run([w.winpath(inst / "uninstall.exe"), "/S", "/CurrentUser"], label="uninstall.exe /S /CurrentUser",
              wait_server=True)
        deadline = time.time() + 60   # the uninstaller runs from a copy in %TEMP%: wait for it
        while (inst / "esplan-cli.exe").exists() and time.time() < deadline:
            time.sleep(1)
        left = [p for p in ("esplan.exe", "esplan-cli.exe", "uninstall.exe", "Python", "pkgs") if (inst / p).exists()]
        if left or menu.exists():
            raise SmokeFailure(f"left behind by the uninstaller: {left} {'start menu' if menu.exists() else ''}")
        if w.reg_query(r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\esplan") is not None:
            raise SmokeFailure("the uninstall entry is still registered")
        if w.reg_query(r"HKCU\Software\Classes\esplan.plan") is not None:
            raise SmokeFailure("the esplan.plan file type is still registered")
        gone = [p for p in (plan, pdf, *copies) if not p.is_file()]
        if gone:
            raise SmokeFailure(f"the uninstaller removed the user's files: {gone}")
        log(f"  ok  uninstalled; the user's plans and report stay ({len(copies) + 2} files)")

        # -- portable zip
        if zip_path:
            dest = w.prefix / "drive_c" / "便携 esplan"
            with zipfile.ZipFile(zip_path) as zf:
                zf.extractall(dest)
            top = dest / f"esplan-{VERSION}"
            pcli = w.winpath(top / "esplan-cli.exe")
            res = w.run([pcli, "--version"], label=f"portable {zip_path.name}: esplan-cli --version")
            if VERSION not in res.stdout:
                raise SmokeFailure(f"portable --version printed {res.stdout!r}")
            w.run([pcli, "info", w.winpath(plan)], label="portable esplan-cli info 演示 plan.esplan")
        w.kill()
        log(f"wine smoke test passed ({time.perf_counter() - t_all:.0f} s; silent install {install_s:.0f} s, "
            f"installed {size / 2**20:.0f} MiB, GUI up {gui_s:.0f} s)")
    finally:
        try:
            Wine(tmp / "prefix").kill()
        except SmokeFailure:
            pass
        if keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("setup", nargs="?", type=Path, default=ROOT / "dist" / f"esplan-{VERSION}-setup.exe")
    ap.add_argument("--zip", type=Path, help="also test this portable zip")
    ap.add_argument("--keep", action="store_true", help="keep the wine prefix (for a look afterwards)")
    a = ap.parse_args(argv)
    try:
        if not a.setup.is_file():
            raise SmokeFailure(f"{a.setup} does not exist — build first: python installer/build_windows.py")
        smoke(a.setup, a.zip, a.keep)
    except SmokeFailure as exc:
        print(f"WINE SMOKE TEST FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
