"""Bipartite transportation LP (HiGHS via scipy.optimize.linprog): max flow, then min cost.

The rule is lexicographic: "serve as many as possible, then as fast as possible" (min-cost
maximum flow). It is solved as one LP with costs shifted by a big M that is provably large
enough (dual simplex), verified against a combinatorial max flow, with a two-phase fallback.

``scipy.optimize`` (≈ 0.5 s of imports) loads only when that LP is solved: the engine's flows
normally go through OR-Tools (:func:`transport_flow`), so a plan check never loads it.
"""
from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, vstack
from scipy.sparse.csgraph import maximum_flow


class SolverError(RuntimeError):
    pass


def transport(supply: np.ndarray, demand: np.ndarray, pi: np.ndarray, pj: np.ndarray,
              cost: np.ndarray) -> np.ndarray:
    """Flows on pairs (pi[k] → pj[k]) with Σ_j ≤ supply[i], Σ_i ≤ demand[j].

    Returns a float array (one flow per pair), max total flow, min cost among max flows.
    """
    m = len(pi)
    if m == 0:
        return np.zeros(0)
    supply = np.asarray(supply, dtype=np.float64)
    demand = np.asarray(demand, dtype=np.float64)
    # drop pairs whose ends have nothing to give / take
    live = (supply[pi] > 0) & (demand[pj] > 0)
    flows = np.zeros(m)
    if not live.any():
        return flows
    idx = np.nonzero(live)[0]
    pi_l, pj_l, c_l = pi[idx], pj[idx], np.asarray(cost, dtype=np.float64)[idx]
    # compact the rows actually used
    ui, ri = np.unique(pi_l, return_inverse=True)
    uj, rj = np.unique(pj_l, return_inverse=True)
    k = len(idx)
    cols = np.arange(k)
    a_sup = coo_matrix((np.ones(k), (ri, cols)), shape=(len(ui), k))
    a_dem = coo_matrix((np.ones(k), (rj, cols)), shape=(len(uj), k))
    a_ub = vstack([a_sup, a_dem]).tocsr()
    b_ub = np.concatenate([supply[ui], demand[uj]])
    # One LP with cost − M: an augmenting path visits at most min(#rows, #cols) pairs forward,
    # so with M > max cost × that number every unit of extra flow pays off: the optimum is the
    # min-cost *maximum* flow (exact; checked below against a max-flow when data are integral).
    from scipy.optimize import linprog

    big_m = (float(c_l.max()) + 1.0) * (min(len(ui), len(uj)) + 1)
    r = linprog(c_l - big_m, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs-ds")
    x = r.x if r.status == 0 else None
    if x is None or not _is_max_flow(x, supply[ui], demand[uj], ri, rj):
        x = _two_phase(a_ub, b_ub, c_l)
    # integral data give integral vertices: strip solver noise
    flows[idx] = np.round(np.clip(x, 0.0, None), 6)
    return flows


def _is_max_flow(x: np.ndarray, sup: np.ndarray, dem: np.ndarray, ri: np.ndarray, rj: np.ndarray) -> bool:
    """Compare the LP's total with a combinatorial max flow (integral data only; else trust)."""
    if not (np.all(sup == np.round(sup)) and np.all(dem == np.round(dem))) or \
            max(sup.max(), dem.max()) >= 2**30:
        return True
    ni, nj = len(sup), len(dem)
    n = ni + nj + 2
    s, t = n - 2, n - 1
    rows = np.concatenate([np.full(ni, s), ri, ni + np.arange(nj)])
    cols = np.concatenate([np.arange(ni), ni + rj, np.full(nj, t)])
    cap = np.concatenate([sup, np.minimum(sup[ri], dem[rj]), dem]).astype(np.int32)
    g = csr_matrix((cap, (rows, cols)), shape=(n, n))
    g.sum_duplicates()
    best = maximum_flow(g, s, t).flow_value
    return float(x.sum()) >= best - 1e-6 * max(1.0, best)


def _two_phase(a_ub, b_ub, c_l) -> np.ndarray:
    """Fallback: maximise the flow, then minimise the cost at that total."""
    from scipy.optimize import linprog

    k = a_ub.shape[1]
    r1 = linprog(-np.ones(k), A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if r1.status != 0:
        raise SolverError(f"max-flow LP failed: {r1.message}")
    total = -r1.fun
    if total <= 0:
        return np.zeros(k)
    r2 = linprog(c_l, A_ub=a_ub, b_ub=b_ub, A_eq=np.ones((1, k)), b_eq=[total], bounds=(0, None),
                 method="highs")
    if r2.status != 0:
        a2 = vstack([a_ub, coo_matrix(-np.ones((1, k)))]).tocsr()
        b2 = np.concatenate([b_ub, [-(total - 1e-7 * max(1.0, total))]])
        r2 = linprog(c_l, A_ub=a2, b_ub=b2, bounds=(0, None), method="highs")
    return r2.x if r2.status == 0 else r1.x


# -- min-cost max-flow with OR-Tools (the allocation step) ---------------------------------------
QTY_SCALE = 1000      # quantities are solved in thousandths (integers for the network solver)
COST_SCALE = 10       # costs (seconds) in tenths of a second

_mcf_mod: object | None = None


def _ortools_mcf():
    """The OR-Tools min-cost-flow module, or None when it is not importable.

    OR-Tools and highspy each bundle HiGHS and cannot live in one process: never import highspy
    in a process that runs the engine (scipy's own HiGHS is fine).
    """
    global _mcf_mod
    if _mcf_mod is None:
        try:
            from ortools.graph.python import min_cost_flow

            _mcf_mod = min_cost_flow
        except ImportError:  # pragma: no cover - fallback: the scipy LP
            _mcf_mod = False
    return _mcf_mod or None


def transport_flow(supply: np.ndarray, demand: np.ndarray, pi: np.ndarray, pj: np.ndarray,
                   cost: np.ndarray, cost_scale: float = COST_SCALE, qty_scale: int = QTY_SCALE) -> np.ndarray:
    """Like :func:`transport` (max total flow, then min Σ flow × cost) on a network solver.

    OR-Tools ``SimpleMinCostFlow.solve_max_flow_with_min_cost`` on integers: quantities are
    rounded to 1/qty_scale of a unit and costs to 1/cost_scale s (so the optimum is exact for
    those integers; costs closer than that may be ordered differently from the float LP). With
    ``qty_scale=1`` and whole supplies and demands every flow is a whole number (countable items).
    Falls back to :func:`transport` when OR-Tools is not available.
    """
    mcf = _ortools_mcf()
    m = len(pi)
    if mcf is None:
        return transport(supply, demand, pi, pj, cost)
    flows = np.zeros(m)
    if m == 0:
        return flows
    sup = np.round(np.asarray(supply, dtype=np.float64) * qty_scale).astype(np.int64)
    dem = np.round(np.asarray(demand, dtype=np.float64) * qty_scale).astype(np.int64)
    live = np.nonzero((sup[pi] > 0) & (dem[pj] > 0))[0]
    if not len(live):
        return flows
    ui, ri = np.unique(pi[live], return_inverse=True)
    uj, rj = np.unique(pj[live], return_inverse=True)
    ni = len(ui)
    smcf = mcf.SimpleMinCostFlow()
    cap = np.minimum(sup[ui][ri], dem[uj][rj])
    c = np.round(np.asarray(cost, dtype=np.float64)[live] * cost_scale).astype(np.int64)
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(ri.astype(np.int32), (ni + rj).astype(np.int32), cap, c)
    smcf.set_nodes_supplies(np.arange(ni + len(uj), dtype=np.int32),
                            np.concatenate([sup[ui], -dem[uj]]))
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        return transport(supply, demand, pi, pj, cost)
    flows[live] = smcf.flows(arcs) / qty_scale
    return np.round(flows, 6)
