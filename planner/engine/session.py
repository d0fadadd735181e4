"""WhatIf: reusable engine state for interactive what-if reruns on one plan.

    from planner.engine.session import WhatIf
    w = WhatIf(baseline_input)              # builds the graph, STRtree, snapping trees; runs the baseline
    r0 = w.baseline                         # PlanResult of the baseline
    r1 = w.run({"name": "洪水", "hazards": [Hazard(...)]})    # or a models.Scenario, or a PlanInput
    r2 = w.run(scenario_input)              # a PlanInput already derived with apply_scenario

Every result is identical (``to_json()``) to ``run_plan`` on the same input from scratch; only the
work differs:

* the baseline RoadGraph is built once (CSR per mode, edge → CSR-slot map, snapping KD-trees on
  the baseline components, edge STRtree). A hazard is a polygon query plus rewriting the cut
  CSR slots (``RoadGraph.with_edge_factors``), never a rebuild; hazard factor arrays are kept.
* per-shelter reach sets (walking, within the threshold) are memoised on the baseline; on a
  hazard graph only shelters whose reach set touches a changed edge are searched again.
* per-source driving rows and shortest-path trees are memoised; only sources whose tree uses a
  changed edge are searched again.
* the whole coverage step and the driving-time step are reused when their inputs did not change
  (a stock-only change reruns supply + allocation only); service-area hulls are memoised.
* allocation and coverage assignment use OR-Tools min-cost flow (see lp.transport_flow).

* on a big graph (≥ 20k nodes) with many sources (≥ 8 driving searches to redo), half of the
  driving searches run in a second process (planner.engine.workers.DrivePool, started lazily,
  ``fork`` on Linux, ``spawn`` elsewhere; ``ESPLAN_NO_WORKER=1`` turns it off). Results are
  bit-identical. Stop it with :meth:`WhatIf.close` or ``with WhatIf(...) as w:``; it is also
  stopped when the WhatIf is garbage-collected and at interpreter exit.

A change of a parameter that shapes the graph (walking speed, post-disaster speed factor, snap
distance, the profile's network classes or speeds) rebuilds the graph and starts a new memo.
Not thread-safe: use one WhatIf per worker thread.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import shapely

from planner.engine.apply import apply_scenario
from planner.engine.graph import RoadGraph
from planner.engine.run import PlanResult, run_plan
from planner.engine.snapshot import PlanInput
from planner.engine.workers import MIN_NODES, MIN_SOURCES, DrivePool

GRAPH_PARAMS = ("walk_speed_mps", "post_disaster_speed_factor", "snap_max_m")


def _graph_key(inp: PlanInput) -> str:
    return json.dumps([[inp.params.get(k) for k in GRAPH_PARAMS], inp.norms.get("network"),
                       inp.norms.get("speeds_kmh"), id(inp.roads)], sort_keys=True, default=str)


class WhatIf:
    """Engine state kept between reruns of one plan (see the module docstring)."""

    def __init__(self, base: PlanInput, *, service_areas: bool = True, run_baseline: bool = True,
                 worker: bool = True, worker_min_sources: int = MIN_SOURCES, worker_min_nodes: int = MIN_NODES):
        self.base = base
        self.pool = DrivePool(min_sources=worker_min_sources, min_nodes=worker_min_nodes, enabled=worker)
        self.service_areas = service_areas
        self.cache: dict[Any, Any] = {}
        self._factors: dict[str, np.ndarray] = {}
        self._gkey = _graph_key(base)
        self.graph = self._build(base)
        self.baseline: PlanResult | None = self.run_input(base) if run_baseline else None

    # -- graph --------------------------------------------------------------------------------
    def _build(self, inp: PlanInput) -> RoadGraph:
        g = RoadGraph(inp)
        g._memo["drive_pool"] = self.pool
        g.snap_trees()
        if inp.roads.n_edges:
            g.hazard_edge_factors([])
            if g._memo.get("edge_tree") is None:
                g._memo["edge_tree"] = shapely.STRtree(g.edge_geometries_xy())
        self.cache = {}
        self._factors = {}
        return g

    def graph_for(self, inp: PlanInput) -> RoadGraph:
        """The graph of ``inp``: the baseline graph with ``inp.hazards`` written into its slots."""
        key = _graph_key(inp)
        if key != self._gkey:
            self._gkey = key
            self.graph = self._build(inp)
        if not inp.hazards:
            return self.graph
        h = hashlib.sha256()
        for hz in inp.hazards:
            h.update(json.dumps([hz.effect, hz.factor]).encode())
            h.update(shapely.to_wkb(hz.geometry))
        hk = h.hexdigest()
        fac = self._factors.get(hk)
        if fac is None:
            fac = self.graph.hazard_edge_factors(inp.hazards)
            if len(self._factors) > 8:
                self._factors.pop(next(iter(self._factors)))
            self._factors[hk] = fac
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
        if scenario is None:
            return self.base
        if isinstance(scenario, PlanInput):
            return scenario
        return apply_scenario(self.base, scenario)

    def run(self, scenario: Any = None, *, progress=None, service_areas: bool | None = None) -> PlanResult:
        """Run a scenario (None = the baseline; a Scenario row, a dict or a derived PlanInput)."""
        return self.run_input(self.scenario_input(scenario), progress=progress, service_areas=service_areas)

    def run_input(self, inp: PlanInput, *, progress=None, service_areas: bool | None = None) -> PlanResult:
        sa = self.service_areas if service_areas is None else service_areas
        return run_plan(inp, progress, graph=self.graph_for(inp), service_areas=sa, cache=self.cache)
