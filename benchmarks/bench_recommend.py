"""Site recommendations on the SYNTHETIC district (benchmarks/synthetic.py), side by side.

    python benchmarks/bench_recommend.py [--quick] [--side 316] [--candidates 1000] [--units 5000]
                                         [--k 20] [--rounds 2] [--base DIR] [--time-limit S]
                                         [--out benchmarks/results/recommend.json]

Two problems on the 100k-node district with 5,000 demand units, 300 existing shelters (fixed) and
1,000 candidate sites (half population-weighted, half uniform; 500–8,000 m² each):

* ``best-k`` — the k = 20 new shelters serving the most people (capacitated MCLP);
* ``shelters`` — the fewest new shelters bringing the served share to 60 % (``--target``;
  capacitated LSCP).

Each *side* is a separate long-lived process (this tree; ``--base DIR``: another source tree's
``planner``, e.g. ``git clone /work/main /tmp/base``) that builds the district, candidates and road
graph once; the rounds then call ``recommend_shelters`` for each problem, the sides interleaved
with their order rotated every round. Each side runs with ITS OWN default time limit unless
``--time-limit`` is given (the limit used is recorded). Measured per call: total seconds (model,
greedy, exact solve, actions and the verification rerun), the status, the proven gap, the time
limit, the exact solve's seconds (and its stages; fewest shelters: the LP rounding's count, the
local search's, the lower bound and when in the solve the answer was found), and the peak memory of
the side's process tree (Pss, sampled every 50 ms). Asserted: every answer is verified by the
engine's rerun (it meets its promise), and this tree's answer is no worse than the base's — best-k
serves at least as many people, fewest shelters uses no more sites. Writes
``benchmarks/results/recommend.json`` (``--quick``: a 22k-node district, 1,000 units, 200
candidates, k = 5, target 80 %, 1 round; ``recommend-quick.json``).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import ROOT, PeakSampler, Side, serve, side_command, stats, tree_mb, write_results  # noqa: E402


def candidates(inp, n: int, side: int, seed: int = 7) -> list[dict]:
    """``n`` SYNTHETIC candidate sites: half near people (population-weighted), half uniform."""
    import pyproj
    from synthetic import X0, Y0, to_lonlat

    rng = np.random.default_rng(seed)
    ext = side * 100.0
    pop = np.nan_to_num(inp.demand.population)
    half = n // 2
    pick = rng.choice(len(pop), half, p=pop / pop.sum())
    fwd = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
    ux, uy = fwd.transform(inp.demand.lon[pick], inp.demand.lat[pick])
    pts = np.vstack([np.column_stack([np.asarray(ux) - X0, np.asarray(uy) - Y0]) + rng.normal(0, 300, (half, 2)),
                     rng.uniform(0, ext, (n - half, 2))])
    pts = np.clip(pts, 0, ext - 100)
    lon, lat = to_lonlat(pts[:, 0], pts[:, 1])
    kinds = ["school", "park", "square", "sports"]
    return [{"id": j + 1, "name": None, "kind": kinds[j % 4], "lon": float(lon[j]), "lat": float(lat[j]),
             "area_m2": float(rng.uniform(500, 8000)), "osm_ref": f"synthetic{j}"} for j in range(n)]


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.2%}"


# -- the side process -----------------------------------------------------------------------------
def side_main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int)
    ap.add_argument("--units", type=int)
    ap.add_argument("--candidates", type=int)
    a = ap.parse_args(argv)
    from synthetic import district

    import planner
    from planner.engine.graph import RoadGraph
    from planner.scenario.recommend import Options, recommend_shelters

    state: dict[str, Any] = {}

    def setup() -> dict[str, Any]:
        t = time.perf_counter()
        inp = state["inp"] = district(side=a.side, n_units=a.units)
        state["cands"] = candidates(inp, a.candidates, a.side)
        state["graph"] = RoadGraph(inp)
        return {"planner": str(Path(planner.__file__).parent), "nodes": int(inp.roads.n_nodes),
                "units": len(inp.demand), "candidates": len(state["cands"]), "setup_s": time.perf_counter() - t,
                "default_time_limit_s": Options().time_limit}

    def solve(problem: str, k: int, target: float, time_limit: float | None) -> dict[str, Any]:
        kw: dict[str, Any] = {"k": k} if problem == "best-k" else {"target_share": target}
        if time_limit is not None:
            kw["time_limit"] = time_limit
        opt = Options(**kw)
        t = time.perf_counter()
        r = recommend_shelters(state["inp"], problem=problem, candidates=state["cands"], graph=state["graph"],
                               options=opt)
        secs = time.perf_counter() - t
        e = r.get("exact") or {}
        v = r.get("verification") or {}
        sv = r.get("solver") or {}
        return {"s": secs, "status": r.get("status"), "answer_from": r.get("answer_from"), "gap": r.get("gap"),
                "time_limit_s": sv.get("time_limit_s", opt.time_limit), "exact_s": e.get("solve_s"),
                "exact_message": e.get("message"), "sites": len(r.get("actions") or []),
                "greedy_sites": (r.get("greedy") or {}).get("sites"),
                "greedy_served": (r.get("greedy") or {}).get("served"),
                "served": r.get("promised_served"), "share": r.get("promised_share"),
                "verified_share": v.get("served_share"), "meets_promise": v.get("meets_promise"),
                "solver": sv or None, "stages_s": e.get("stages_s"), "lower_bound": e.get("lower_bound"),
                "rounded_sites": e.get("rounded_sites"), "local_search_sites": e.get("local_search_sites"),
                "answer_s": e.get("answer_s")}

    serve({"setup": setup, "solve": solve})


# -- the driver -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--serve":
        side_main(argv[1:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--side", type=int, default=None)
    ap.add_argument("--units", type=int, default=None)
    ap.add_argument("--candidates", type=int, default=None)
    ap.add_argument("--k", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--target", type=float, default=None, help="served share for 'shelters' (default 0.6)")
    ap.add_argument("--time-limit", type=float, default=None, help="the same limit on every side "
                    "(default: each side's own default)")
    ap.add_argument("--base", default=None)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    side = a.side or (150 if a.quick else 316)
    units = a.units or (1000 if a.quick else 5000)
    n_cand = a.candidates or (200 if a.quick else 1000)
    k = a.k or (5 if a.quick else 20)
    rounds = a.rounds or (1 if a.quick else 2)
    target = a.target or (0.8 if a.quick else 0.6)
    script = Path(__file__).resolve()
    trees = ([("base", Path(a.base).resolve())] if a.base else []) + [("this", ROOT)]
    sides: dict[str, Side] = {}
    out: dict[str, Any] = {"parameters": {"side": side, "units": units, "candidates": n_cand, "k": k,
                                          "rounds": rounds, "target": target, "quick": a.quick,
                                          "time_limit": a.time_limit},
                           "sides": {}}
    problems = ("best-k", "shelters")
    try:
        for label, root in trees:
            s = sides[label] = Side(label, side_command(root, script, "--serve", "--side", str(side), "--units",
                                                        str(units), "--candidates", str(n_cand)))
            info = s.ask(cmd="setup")
            info["setup_mb"] = tree_mb(s.proc.pid)
            out["sides"][label] = {"setup": info, "runs": {p: [] for p in problems}}
            print(f"[{label}] planner from {info['planner']}; {info['nodes']:,} nodes, {info['units']:,} units, "
                  f"{info['candidates']:,} candidates; default time limit {info['default_time_limit_s']} s", flush=True)
        labels = list(sides)
        for rnd in range(rounds):
            order = labels[rnd % len(labels):] + labels[:rnd % len(labels)]
            for problem in problems:
                got = {}
                for label in order:
                    s = sides[label]
                    with PeakSampler(s.proc.pid) as ps:
                        r = s.ask(cmd="solve", problem=problem, k=k, target=target, time_limit=a.time_limit)
                    r["peak_mb"] = ps.peak
                    out["sides"][label]["runs"][problem].append(r)
                    got[label] = r
                    gap = r["gap"]
                    print(f"round {rnd} {problem:8s} {label:4s} {r['s']:6.2f} s (limit {r['time_limit_s']:g} s, exact "
                          f"{r['exact_s']} s) status {r['status']}, gap {_pct(gap)}, "
                          f"{r['sites']} sites (greedy {r['greedy_sites']}"
                          + ("" if problem == "best-k" else f", LP rounding {r['rounded_sites']}, local search "
                             f"{r['local_search_sites']}, lower bound {r['lower_bound']}; found at {r['answer_s']} s")
                          + f"), served {r['served']} "
                          f"({_pct(r['share'])}; verified {_pct(r['verified_share'])}), peak {ps.peak} MB", flush=True)
                    if r["status"] == "already_met":
                        raise SystemExit(f"{problem}: the target is met already — nothing to measure")
                    assert r["meets_promise"], f"{label} {problem}: the rerun does not meet the promise"
                if "base" in got:
                    b, t = got["base"], got["this"]
                    if problem == "best-k":
                        assert t["served"] >= b["served"] - 1e-6, \
                            f"best-k: this serves fewer ({t['served']} < {b['served']})"
                    else:
                        assert t["sites"] <= b["sites"], \
                            f"shelters: this needs more sites ({t['sites']} > {b['sites']})"
    finally:
        for s in sides.values():
            s.close()
    summary: dict[str, Any] = {}
    for label, d in out["sides"].items():
        summary[label] = {}
        for problem, rs in d["runs"].items():
            gaps = [r["gap"] for r in rs if r["gap"] is not None]
            summary[label][problem] = {
                "total_s": stats([r["s"] for r in rs]), "time_limit_s": rs[0]["time_limit_s"],
                "gap_max": max(gaps) if gaps else None, "status": sorted({r["status"] for r in rs}),
                "sites": sorted({r["sites"] for r in rs}), "served_min": min(r["served"] for r in rs),
                "peak_mb": max((r["peak_mb"] or 0) for r in rs)}
            m = summary[label][problem]
            print(f"  {label:4s} {problem:8s} total min {m['total_s']['min']:.2f} "
                  f"median {m['total_s']['median']:.2f} s "
                  f"(limit {m['time_limit_s']:g} s); worst gap {_pct(m['gap_max'])}"
                  f"; sites {m['sites']}; served ≥ {m['served_min']:,.0f}; peak {m['peak_mb']:,.0f} MB")
    out["summary"] = summary
    path = write_results("recommend-quick" if a.quick and not a.out else "recommend", out, a.out)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
