"""What-if rerun after a hazard on the SYNTHETIC district (benchmarks/synthetic.py), side by side.

    python benchmarks/bench_engine.py [--quick] [--side 316] [--reps 20] [--base /path/to/main]
                                      [--nx] [--out benchmarks/results/engine.json]

Each *side* is a separate Python process holding one :class:`planner.engine.session.WhatIf` on the
same synthetic district (100k nodes at ``--side 316``; 5,000 units, 300 shelters, 40 sources):

* ``this worker on`` / ``this worker off`` — this tree, with and without the driving worker
  process (``WhatIf(worker=...)``);
* ``base worker on`` / ``base worker off`` — the tree given by ``--base`` (e.g. a worktree of
  ``main``: ``git worktree add /tmp/perf-base main``), its ``planner`` imported instead of this
  one's; the benchmark code and the synthetic district are this tree's, so the work is the same;
* ``networkx`` (``--nx``) — this tree with every shortest-path search of the engine
  (``scipy.sparse.csgraph.dijkstra`` in graph/coverage/supply) done by networkx on a networkx
  graph kept between reruns (the hazard's changed edges are rewritten into it, as the engine
  rewrites its CSR slots; the coverage step's per-run super-source graph is converted each run).
  Everything else — snapping, supply, allocation, isolation, result building — is the engine's,
  so the work and the answer are the same. It is slow: it takes part in the first 3 rounds only.

A *rerun* is ``WhatIf.run`` with a river band hazard (benchmarks/synthetic.river_hazard) of width
``500 + 10·k`` m in round ``k`` — a new hazard every round, the same on every side. Round 0 (the
first what-if after the baseline) is reported apart; rounds 1…reps are interleaved (the side order
rotates every round) and give min/median. Every side's result of a round must be the same JSON
(asserted by sha-256; without ``inputs_hash``, whose definition changed — ``common.result_sha``),
and round 1's result equals a from-scratch ``run_plan`` on the same input (asserted on the first
side).

Memory is the sum of the proportional set size of every process of a side (the side, the driving
worker, the multiprocessing forkserver and resource tracker; benchmarks/common.py): the baseline
after set-up, the peak during each rerun (sampled every 50 ms), the retained size after each
rerun, and its growth from round 1 to the last round (``--reps`` ≥ 20 measures growth over 20+
reruns).

Results go to ``benchmarks/results/engine.json`` (with ``--quick``: ``engine-quick.json``).
``--quick``: a 50k-node district (``--side 224``), 6 rounds; a few minutes on 2 cores.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import ROOT, PeakSampler, Side, result_sha, serve, side_command, stats, tree_mb, write_results  # noqa: E402

NX_ROUNDS = 3


# -- the side process -----------------------------------------------------------------------------
class NxDijkstra:
    """``scipy.sparse.csgraph.dijkstra`` (the subset the engine calls) done by networkx.

    One networkx graph per CSR structure (what-if copies share their baseline's ``indices``);
    a call on a matrix whose weights differ from the graph's rewrites only those edges (removed
    when cut). Distances are the same sums along the same shortest paths; a predecessor is
    networkx's first one (on exact ties it may differ from scipy's; the engine's answer does not
    depend on it)."""

    def __init__(self) -> None:
        self.graphs: dict[tuple, tuple[Any, Any, Any]] = {}

    def _graph(self, m):
        import networkx as nx
        import numpy as np

        key = (m.shape, id(m.indices), id(m.indptr))
        got = self.graphs.get(key)
        rows_of = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        if got is None:
            G = nx.DiGraph()
            G.add_nodes_from(range(m.shape[0]))
            ok = np.isfinite(m.data)
            G.add_weighted_edges_from(zip(rows_of[ok].tolist(), m.indices[ok].tolist(), m.data[ok].tolist(),
                                          strict=True))
            if len(self.graphs) > 4:
                self.graphs.pop(next(iter(self.graphs)))
            self.graphs[key] = (m.indices, G, m.data.copy())   # keeps indices alive: ids stay unique
            return G
        _ind, G, cur = got
        for s in np.nonzero(m.data != cur)[0]:
            u, v, w = int(rows_of[s]), int(m.indices[s]), float(m.data[s])
            if np.isfinite(w):
                G.add_edge(u, v, weight=w)
            elif G.has_edge(u, v):
                G.remove_edge(u, v)
        cur[:] = m.data
        return G

    def __call__(self, csgraph, directed=True, indices=None, limit=float("inf"), return_predecessors=False,
                 min_only=False, **_kw):
        import networkx as nx
        import numpy as np

        assert directed
        G = self._graph(csgraph)
        n = csgraph.shape[0]
        cutoff = None if not np.isfinite(limit) else float(limit)
        scalar = np.ndim(indices) == 0
        idx = np.atleast_1d(np.asarray(indices, np.int64))
        if min_only:
            d = np.full(n, np.inf)
            for v, t in nx.multi_source_dijkstra_path_length(G, set(idx.tolist()), cutoff=cutoff).items():
                d[v] = t
            return d
        D = np.full((len(idx), n), np.inf)
        P = np.full((len(idx), n), -9999, np.int32) if return_predecessors else None
        for r, s in enumerate(idx.tolist()):
            if P is not None:
                pred, dist = nx.dijkstra_predecessor_and_distance(G, s, cutoff=cutoff)
                for v, ps in pred.items():
                    if ps:
                        P[r, v] = ps[0]
            else:
                dist = nx.single_source_dijkstra_path_length(G, s, cutoff=cutoff)
            D[r, list(dist)] = list(dist.values())
        if scalar:
            return (D[0], P[0]) if P is not None else D[0]
        return (D, P) if P is not None else D


def side_main(args: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, required=True)
    ap.add_argument("--worker", choices=("on", "off"), required=True)
    ap.add_argument("--nx", action="store_true")
    a = ap.parse_args(args)
    from synthetic import district, river_hazard

    import planner
    from planner.engine.apply import apply_scenario
    from planner.engine.run import run_plan
    from planner.engine.session import WhatIf

    if a.nx:
        import planner.engine.coverage
        import planner.engine.graph
        import planner.engine.supply

        shim = NxDijkstra()
        for mod in (planner.engine.graph, planner.engine.coverage, planner.engine.supply):
            mod.dijkstra = shim  # type: ignore[attr-defined]
    state: dict[str, Any] = {}

    def scenario(k: int) -> dict[str, Any]:
        return {"name": f"river{k}", "hazards": [river_hazard(a.side, width=500.0 + 10.0 * k)]}

    def setup() -> dict[str, Any]:
        t = time.perf_counter()
        inp = state["inp"] = district(side=a.side)
        t_district = time.perf_counter() - t
        t = time.perf_counter()
        w = state["w"] = WhatIf(inp, worker=a.worker == "on" and not a.nx)
        return {"planner": str(Path(planner.__file__).parent), "nodes": int(inp.roads.n_nodes),
                "edges": int(inp.roads.n_edges), "units": len(inp.demand),
                "shelters": int((inp.sites.kind == "shelter").sum()),
                "sources": int((inp.sites.kind != "shelter").sum()),
                "district_s": t_district, "init_s": time.perf_counter() - t,
                "baseline_sha": result_sha(w.baseline)}

    def rerun(k: int) -> dict[str, Any]:
        w = state["w"]
        sc = scenario(k)
        t = time.perf_counter()
        r = w.run(sc)
        s = time.perf_counter() - t
        return {"s": s, "timings": {k2: round(v, 4) for k2, v in r.timings.items()},
                "sha": result_sha(r), "served": r.summary["served"],
                "worker_batches": w.pool.batches}

    def full(k: int) -> dict[str, Any]:
        t = time.perf_counter()
        r = run_plan(apply_scenario(state["inp"], scenario(k)))
        return {"s": time.perf_counter() - t, "sha": result_sha(r)}

    def close() -> dict[str, Any]:
        state["w"].close()
        return {"ok": True}

    serve({"setup": setup, "rerun": rerun, "full": full, "close": close})


# -- the driver -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--serve":
        side_main(argv[1:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="50k nodes, 6 rounds")
    ap.add_argument("--side", type=int, default=None, help="grid side (316 ≈ 100k nodes; 632 ≈ 400k)")
    ap.add_argument("--reps", type=int, default=None, help="interleaved rounds after the first (default 20)")
    ap.add_argument("--base", default=None, help="another source tree (e.g. a worktree of main) to compare")
    ap.add_argument("--nx", action="store_true", help="add the networkx side (first 3 rounds only)")
    ap.add_argument("--no-worker-compare", action="store_true", help="only the worker-on sides")
    ap.add_argument("--shipped-only", action="store_true",
                    help="only the worker-off sides (as shipped; e.g. the 400k-node comparison)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    side = a.side or (224 if a.quick else 316)
    reps = a.reps or (6 if a.quick else 20)
    script = Path(__file__).resolve()
    specs: list[tuple[str, Path, str, bool]] = []
    trees = [("this", ROOT)] + ([("base", Path(a.base).resolve())] if a.base else [])
    for name, root in trees:
        for worker in ("on",) if a.no_worker_compare else ("off",) if a.shipped_only else ("on", "off"):
            specs.append((f"{name} worker {worker}", root, worker, False))
    if a.nx:
        specs.append(("networkx", ROOT, "off", True))

    sides: dict[str, Side] = {}
    out: dict[str, Any] = {"parameters": {"side": side, "reps": reps, "quick": a.quick,
                                          "base": str(Path(a.base).resolve()) if a.base else None},
                           "sides": {}}
    try:
        for label, root, worker, nx in specs:   # set-up one at a time (the district build is heavy)
            cmd = side_command(root, script, "--serve", "--side", str(side), "--worker", worker,
                               *(["--nx"] if nx else []))
            s = sides[label] = Side(label, cmd)
            info = s.ask(cmd="setup")
            info["baseline_mb"] = tree_mb(s.proc.pid)
            out["sides"][label] = {"setup": info, "reruns": []}
            print(f"[{label}] planner from {info['planner']}; {info['nodes']:,} nodes, {info['edges']:,} edges, "
                  f"{info['units']:,} units, {info['shelters']} shelters, {info['sources']} sources; "
                  f"WhatIf init + baseline {info['init_s']:.2f} s; memory {info['baseline_mb']['mb']:,.0f} MB "
                  f"in {info['baseline_mb']['processes']} processes", flush=True)
        shas = {v["setup"]["baseline_sha"] for v in out["sides"].values()}
        assert len(shas) == 1, "the sides' baselines differ"
        labels = list(sides)
        for k in range(reps + 1):
            order = labels[k % len(labels):] + labels[:k % len(labels)]
            got: dict[str, str] = {}
            for label in order:
                if label == "networkx" and k >= NX_ROUNDS:
                    continue
                s = sides[label]
                with PeakSampler(s.proc.pid) as ps:
                    r = s.ask(cmd="rerun", k=k)
                r["peak_mb"] = ps.peak
                r["retained_mb"] = tree_mb(s.proc.pid)["mb"]
                r["processes"] = ps.processes
                out["sides"][label]["reruns"].append(r)
                got[label] = r["sha"]
            assert len(set(got.values())) == 1, f"round {k}: the sides' answers differ: {got}"
            line = "; ".join(f"{lab} {out['sides'][lab]['reruns'][-1]['s']:.3f} s" for lab in order if lab in got)
            print(f"round {k:2d} (band {500 + 10 * k} m): {line}", flush=True)
            if k == 1:
                f = sides[labels[0]].ask(cmd="full", k=k)
                assert f["sha"] == got[labels[0]], "the what-if rerun differs from a from-scratch run_plan"
                out["full_run_plan_s"] = f["s"]
                print(f"  round 1 on '{labels[0]}' equals a from-scratch run_plan ({f['s']:.2f} s)", flush=True)
    finally:
        for s in sides.values():
            try:
                s.ask(cmd="close")
            except Exception:  # noqa: BLE001
                pass
            s.close()

    print(f"\nwhat-if rerun after a hazard, {side * side:,}-node grid; rounds 1…{reps} interleaved "
          "(min / median s); memory of all processes of a side (Pss, MB)")
    summary: dict[str, Any] = {}
    for label, d in out["sides"].items():
        rr = d["reruns"]
        steady = rr[1:]
        phase = {p: stats([r["timings"].get(p, 0.0) for r in steady]) for p in
                 ("graph", "coverage", "supply", "allocation", "isolation")}
        ret = [r["retained_mb"] for r in steady if r["retained_mb"] is not None]
        summary[label] = {
            "first_rerun_s": round(rr[0]["s"], 3), "rerun_s": stats([r["s"] for r in steady]), "phases_s": phase,
            "baseline_mb": d["setup"]["baseline_mb"]["mb"],
            "peak_mb": max((r["peak_mb"] or 0) for r in rr),
            "retained_first_mb": ret[0] if ret else None, "retained_last_mb": ret[-1] if ret else None,
            "growth_mb": round(ret[-1] - ret[0], 1) if ret else None, "reruns_for_growth": len(ret),
            "processes": max(r["processes"] for r in rr), "worker_batches": rr[-1]["worker_batches"]}
        m = summary[label]
        print(f"  {label:18s} first {m['first_rerun_s']:.3f}; rerun min {m['rerun_s']['min']:.3f} median "
              f"{m['rerun_s']['median']:.3f} (n {m['rerun_s']['n']}); memory baseline {m['baseline_mb']:,.0f}, peak "
              f"{m['peak_mb']:,.0f}, retained {m['retained_first_mb']:,.0f} → {m['retained_last_mb']:,.0f} "
              f"({m['growth_mb']:+,.0f} over {m['reruns_for_growth']} reruns) in {m['processes']} processes; "
              f"worker batches {m['worker_batches']}")
        print("  " + " " * 18 + " phases (median ms): " + ", ".join(
            f"{p} {v['median'] * 1000:.0f}" for p, v in phase.items() if v.get("n")))
    ratios = {}
    if "networkx" in summary:
        nxm = statistics_median([r["s"] for r in out["sides"]["networkx"]["reruns"][1:]])
        for label in summary:
            if label != "networkx":
                same = [r["s"] for r in out["sides"][label]["reruns"][1:NX_ROUNDS]]
                ratios[label] = round(nxm / statistics_median(same), 1)
        print("  networkx ÷ side, median over the same rounds: "
              + ", ".join(f"{k} {v}×" for k, v in ratios.items()))
    out["summary"] = summary
    out["networkx_ratio"] = ratios
    path = write_results("engine-quick" if a.quick and not a.out else "engine", out, a.out)
    print(f"results: {path}")
    return 0


def statistics_median(xs: list[float]) -> float:
    import statistics

    return statistics.median(xs)


if __name__ == "__main__":
    sys.exit(main())
