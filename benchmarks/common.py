"""Shared helpers of the benchmarks: the machine's description, the memory of a whole process tree,
min/median summaries, machine-readable results, and running one side of an A/B comparison from a
given source tree.

Memory is counted over every process of a side — the side's own process and all its descendants
(the driving worker, the multiprocessing forkserver, the resource tracker) — as the sum of their
proportional set sizes (``Pss`` of ``/proc/<pid>/smaps_rollup``: pages shared between a forked
worker and its parent are split between them, not counted twice). Linux only; elsewhere the
figures are ``None``.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def machine() -> dict[str, Any]:
    """Core count, load, CPU model, memory, Python and platform of this machine."""
    model = None
    mem_gb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "load_avg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg")
            else None, "cpu_model": model, "mem_total_gb": mem_gb, "python": platform.python_version(),
            "platform": platform.platform()}


def stats(xs: list[float], nd: int = 3) -> dict[str, Any]:
    """min / median / max / n of a list of seconds (or any figure)."""
    if not xs:
        return {"n": 0}
    return {"min": round(min(xs), nd), "median": round(statistics.median(xs), nd), "max": round(max(xs), nd),
            "n": len(xs)}


def result_sha(result: Any) -> str:
    """sha-256 of a run result's JSON without its ``inputs_hash``: the sides of an A/B compare
    their answers, and the input digest's definition changed (the tables' own digests since the
    change-stamp work; older trees hash the streams) while the inputs themselves are the same
    by construction (one synthetic district, built by this tree's benchmark code)."""
    import hashlib

    d = result.to_dict()
    d.pop("inputs_hash", None)
    return hashlib.sha256(json.dumps(d, ensure_ascii=False, sort_keys=True, allow_nan=False).encode()).hexdigest()


def write_results(name: str, data: dict[str, Any], out: str | Path | None = None) -> Path:
    """Write ``benchmarks/results/<name>.json`` (or ``out``) with the machine's description."""
    path = Path(out) if out else RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"benchmark": name, "machine": machine(), "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **data}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    return path


# -- memory of a process tree ---------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    kids = _children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def pss_mb(pid: int) -> float | None:
    """Proportional set size of one process in MB (None when unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        return None
    return None


def tree_mb(pid: int) -> dict[str, Any]:
    """Sum of Pss over ``pid`` and its descendants, and the process count."""
    if not Path("/proc/self/smaps_rollup").exists():
        return {"mb": None, "processes": None}
    ps = tree(pid)
    vals = [v for v in (pss_mb(p) for p in ps) if v is not None]
    return {"mb": round(sum(vals), 1), "processes": len(vals)}


class PeakSampler:
    """Samples :func:`tree_mb` of ``pid`` every ``interval`` s in a thread; ``peak`` after stop()."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval = pid, interval
        self.peak: float | None = None
        self.processes = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            m = tree_mb(self.pid)
            if m["mb"] is not None and (self.peak is None or m["mb"] > self.peak):
                self.peak, self.processes = m["mb"], max(self.processes, m["processes"])
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


# -- one side of an A/B comparison ----------------------------------------------------------------
BOOT = ("import sys, importlib.util, pathlib\n"
        "root = pathlib.Path(sys.argv[1])\n"
        "sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in type(f).__module__ + repr(f)]\n"
        "for name, sub in (('planner', 'planner'), ('desktop', 'desktop'), ('esplan_resources', 'resources')):\n"
        "    spec = importlib.util.spec_from_file_location(name, root / sub / '__init__.py',\n"
        "                                                  submodule_search_locations=[str(root / sub)])\n"
        "    mod = importlib.util.module_from_spec(spec)\n"
        "    sys.modules[name] = mod\n"
        "    spec.loader.exec_module(mod)\n"
        "sys.argv = sys.argv[2:]\n"
        "import runpy\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n")


def side_command(root: str | Path, script: str | Path, *args: str) -> list[str]:
    """A command running ``script`` with the ``planner`` package imported from ``root`` (an editable
    install of another tree is bypassed), so one driver can compare two source trees."""
    return [sys.executable, "-c", BOOT, str(root), str(script), *args]


def prepare_plan(tree: str | Path, plan: str | Path, env: dict[str, str] | None = None) -> None:
    """Bring a copied plan file to ``tree``'s schema (``tree``'s ``open_plan`` upgrades it), in a
    process of its own and outside any timing: each side of an A/B opens a plan at its own schema."""
    subprocess.run(side_command(tree, Path(__file__).resolve(), "--prepare", str(plan)), check=True, env=env)


class Side:
    """A long-lived side process speaking JSON lines on stdin/stdout."""

    def __init__(self, label: str, cmd: list[str], env: dict[str, str] | None = None):
        self.label = label
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {})}, bufsize=1)

    def ask(self, **msg: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"side {self.label} ended (exit {self.proc.wait()})")
            if line.startswith("{"):
                return json.loads(line)

    def close(self) -> None:
        try:
            self.ask(cmd="quit")
        except Exception:  # noqa: BLE001 - already gone
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def serve(handlers: dict[str, Any]) -> None:
    """The side process's loop: one JSON command per stdin line, one JSON answer per stdout line
    (anything else the engine prints goes to stderr)."""
    out = sys.stdout
    sys.stdout = sys.stderr
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["cmd"] == "quit":
            out.write(json.dumps({"ok": True}) + "\n")
            out.flush()
            return
        ans = handlers[msg["cmd"]](**{k: v for k, v in msg.items() if k != "cmd"})
        out.write(json.dumps(ans, default=float) + "\n")
        out.flush()


if __name__ == "__main__" and sys.argv[1:2] == ["--prepare"]:   # prepare_plan's side
    from planner.store import open_plan

    open_plan(sys.argv[2]).dispose()

