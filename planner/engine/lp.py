"""Bipartite transportation LP (HiGHS via scipy.optimize.linprog): max flow, then min cost.

Phase 1 maximises the total flow; phase 2 minimises Σ cost·flow while keeping the phase-1
total. This is the lexicographic "serve as many as possible, then as fast as possible" rule;
a single big-M objective would need a very large M to be exact.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, vstack


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
    r1 = linprog(-np.ones(k), A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if r1.status != 0:
        raise SolverError(f"max-flow LP failed: {r1.message}")
    total = -r1.fun
    if total <= 0:
        return flows
    r2 = linprog(c_l, A_ub=a_ub, b_ub=b_ub, A_eq=np.ones((1, k)), b_eq=[total], bounds=(0, None),
                 method="highs")
    if r2.status != 0:  # numerically infeasible equality: keep total within a tolerance instead
        a2 = vstack([a_ub, coo_matrix(-np.ones((1, k)))]).tocsr()
        b2 = np.concatenate([b_ub, [-(total - 1e-7 * max(1.0, total))]])
        r2 = linprog(c_l, A_ub=a2, b_ub=b2, bounds=(0, None), method="highs")
    x = r2.x if r2.status == 0 else r1.x
    # integral data give integral vertices: strip solver noise (and never exceed a bound)
    x = np.round(np.clip(x, 0.0, None), 6)
    flows[idx] = x
    return flows
