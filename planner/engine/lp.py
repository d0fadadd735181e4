"""Bipartite transportation LP (HiGHS via scipy.optimize.linprog): max flow, then min cost.

The rule is lexicographic: "serve as many as possible, then as fast as possible" (min-cost
maximum flow). It is solved as one LP with costs shifted by a big M that is provably large
enough (dual simplex), verified against a combinatorial max flow, with a two-phase fallback.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
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
