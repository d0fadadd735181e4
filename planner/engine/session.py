"""WhatIf: reusable engine state for interactive what-if reruns on one plan.

    from planner.engine.session import WhatIf
    w = WhatIf(baseline_input)              # builds the graph, STRtrees; runs the baseline
    r0 = w.baseline                         # PlanResult of the baseline
    r1 = w.run({"name": "洪水", "hazards": [Hazard(...)]})    # or a models.Scenario, or a PlanInput
    r2 = w.run(scenario_input)              # a PlanInput already derived with apply_scenario

Every result is identical (``to_json()``) to ``run_plan`` on the same input from scratch; only the
work differs:

* the baseline RoadGraph is built once (CSR per mode split at the sites and demand units,
  edge → CSR-slot map, snapping STRtrees on the baseline components, edge boxes). A hazard
  is a polygon query plus rewriting the cut CSR slots (``RoadGraph.with_edge_factors``),
  never a rebuild; the hazards' edge factors are kept (sparse: the edges they touch).
* per-shelter reach sets (walking, within the threshold) are memoised on the baseline; on a
  hazard graph only shelters whose reach set touches a changed edge are searched again.
* per-source driving times (at the sites' and units' nodes) and shortest-path trees (a bit per
  CSR entry) are memoised; only sources whose tree uses a
  changed edge are searched again.
* the whole coverage step and the driving-time step are reused when their inputs did not change
  (a stock-only change reruns supply + allocation only); service-area hulls are memoised.
* allocation and coverage assignment use OR-Tools min-cost flow (see lp.transport_flow).

* optionally (``WhatIf(worker=True)`` or the environment variable ``ESPLAN_WORKER=1``; off by
  default), on a big graph (≥ 20k nodes) with many sources (≥ 8 driving searches to redo), half
  of the driving searches run in a second process (planner.engine.workers.DrivePool, started
  lazily, ``forkserver`` on Linux, ``spawn`` elsewhere; ``ESPLAN_NO_WORKER=1`` forbids it).
  Results are bit-identical. It is off by default because it does not win on the 2-core
  machines the bureaus use (benchmarks/bench_engine.py, worker on vs off at 100k nodes: no
  faster at the median, +200 MB in three more processes; docs/performance.md). Stop it with
  :meth:`WhatIf.close` or ``with WhatIf(...) as w:``; it is also stopped when the WhatIf is
  garbage-collected and at interpreter exit.

One session serves every input of one plan: :meth:`WhatIf.run_input` takes any PlanInput (a
scenario derived with apply_scenario, or a snapshot re-loaded from the plan: new objects, same
content) and compares the graph's content key (:func:`planner.engine.graph.graph_key`: the road
table's ``digest``, the anchor points — where sites and demand units lie, since the roads are
split there —, the graph parameters, the profile's network classes and speeds) with the
session's graph. The same key reuses the graph and every memo (closing sites, stock changes and
hazards keep it); a different key (roads edited or re-imported, a site or unit moved, added or
deleted, walking or off-road speed, post-disaster speed factor, snap distance, the profile's
network classes or speeds) rebuilds the graph and starts a new memo, logged at INFO with the
reason.
Callers never swap ``roads`` or compare digests themselves. ``WhatIf()`` without an input
builds the graph on the first run (the GUI keeps one such session per open plan).
Not thread-safe: use one WhatIf per worker thread.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from typing import Any

import numpy as np
import shapely

from planner.engine.apply import apply_scenario
from planner.engine.graph import GRAPH_PARAMS, RoadGraph, graph_key, graph_key_parts
from planner.engine.run import PlanResult, run_plan
from planner.engine.snapshot import PlanInput
from planner.engine.workers import MIN_NODES, MIN_SOURCES, DrivePool

__all__ = ["GRAPH_PARAMS", "WhatIf"]

#: ``ESPLAN_WORKER=1``: a WhatIf made without ``worker=`` uses the driving worker process
ENV_ON = "ESPLAN_WORKER"

log = logging.getLogger(__name__)

_WHY = {"roads": "the road network changed (road digest {old} → {new})",
        "anchors": "sites or demand units moved, were added or removed (the roads are split at them)",
        "params": "graph parameters changed ({old} → {new})",
        "network": "the profile's network classes changed",
        "speeds_kmh": "the profile's speeds changed",
        "crs": "the projection changed (no roads; EPSG {old} → {new})"}


def _short(v: Any) -> Any:
    return v[:12] if isinstance(v, str) else v


class WhatIf:
    """Engine state kept between reruns of one plan (see the module docstring).

    ``base`` (optional): the baseline input; built and (``run_baseline``) run at once. Without
    it the graph is built by the first :meth:`run_input`. ``worker``: use the driving worker
    process (None: only when ``ESPLAN_WORKER=1``).
    """

    def __init__(self, base: PlanInput | None = None, *, service_areas: bool = True, run_baseline: bool = True,
                 worker: bool | None = None, worker_min_sources: int = MIN_SOURCES,
                 worker_min_nodes: int = MIN_NODES):
        self.base = base
        if worker is None:
            worker = os.environ.get(ENV_ON, "") in ("1", "true", "yes")
        self.pool = DrivePool(min_sources=worker_min_sources, min_nodes=worker_min_nodes, enabled=worker)
        self.service_areas = service_areas
        self.cache: dict[Any, Any] = {}
        self._factors: dict[str, tuple[np.ndarray, np.ndarray]] = {}   # hazard → (edges, factors)
        self._graph: RoadGraph | None = None
        self.builds = 0   # how many times the base graph was built (1 + rebuilds)
        self.baseline: PlanResult | None = None
        if base is not None:
            self.graph_for(base)
            if run_baseline:
                self.baseline = self.run_input(base)

    # -- graph --------------------------------------------------------------------------------
    @property
    def graph(self) -> RoadGraph:
        """The session's base graph (no hazards written into it)."""
        if self._graph is None:
            raise RuntimeError("this WhatIf has not run an input yet: no graph")
        return self._graph

    def _build(self, inp: PlanInput, parts: dict[str, Any]) -> RoadGraph:
        old = self._graph
        if old is not None:
            why = [_WHY[k].format(old=_short(old.key_parts.get(k)), new=_short(v))
                   for k, v in parts.items() if old.key_parts.get(k) != v]
            log.info("what-if session: road graph rebuilt (%s); memoised searches dropped",
                     "; ".join(why) or "graph key changed")
        g = RoadGraph(inp)
        self.builds += 1
        g._memo["drive_pool"] = self.pool
        g.snap_trees()
        if inp.roads.n_edges:
            g.edge_bounds()   # for the hazards' edge query, ready before the first what-if
        self.cache = {}
        self._factors = {}
        self._graph = g
        return g

    def graph_for(self, inp: PlanInput) -> RoadGraph:
        """The graph of ``inp``: the base graph with ``inp.hazards`` written into its slots.

        The base graph is reused when its content key equals ``inp``'s (same road digest and
        anchor points and graph parameters, whatever objects ``inp`` is made of), else rebuilt
        from ``inp``.
        """
        parts = graph_key_parts(inp)
        if self._graph is None or graph_key(parts) != self._graph.key:
            self._build(inp, parts)
        if not inp.hazards:
            return self.graph
        h = hashlib.sha256()
        for hz in inp.hazards:
            h.update(json.dumps([hz.effect, hz.factor]).encode())
            h.update(shapely.to_wkb(hz.geometry))
        hk = h.hexdigest()
        got = self._factors.get(hk)
        if got is None:
            fac = self.graph.hazard_edge_factors(inp.hazards)
            if len(self._factors) > 8:
                self._factors.pop(next(iter(self._factors)))
            hit = np.nonzero(fac != 1.0)[0]
            self._factors[hk] = (hit, fac[hit])   # kept sparse: only the edges a hazard touches
        else:
            fac = np.ones(self.graph.roads.n_edges)
            fac[got[0]] = got[1]
        return self.graph.with_edge_factors(fac)

    # -- life cycle ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the driving worker process, if one was started (the WhatIf stays usable: a later
        run starts a new one when needed)."""
        self.pool.close()

    def __enter__(self) -> WhatIf:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- runs ---------------------------------------------------------------------------------
    def scenario_input(self, scenario: Any = None) -> PlanInput:
        if isinstance(scenario, PlanInput):
            return scenario
        if self.base is None:
            raise ValueError("this WhatIf has no baseline input: pass a PlanInput")
        if scenario is None:
            return self.base
        return apply_scenario(self.base, scenario)

    def run(self, scenario: Any = None, *, progress=None, service_areas: bool | None = None) -> PlanResult:
        """Run a scenario (None = the baseline; a Scenario row, a dict or a derived PlanInput)."""
        return self.run_input(self.scenario_input(scenario), progress=progress, service_areas=service_areas)

    def run_input(self, inp: PlanInput, *, progress=None, service_areas: bool | None = None) -> PlanResult:
        """Run any input of this plan (identical to ``run_plan(inp)``). The graph is reused or
        rebuilt by content (:meth:`graph_for`); a baseline input (no scenario) also becomes
        the session's ``base`` for :meth:`run` with a scenario."""
        if inp.scenario_name == "baseline" and not inp.hazards:
            self.base = inp
        sa = self.service_areas if service_areas is None else service_areas
        return run_plan(inp, progress, graph=self.graph_for(inp), service_areas=sa, cache=self.cache)
