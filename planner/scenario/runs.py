"""Loading a scenario's engine input and running it (thin layer over the engine's public API).

:func:`load_input` = :func:`planner.engine.load_snapshot` followed by
:func:`ensure_site_changes`, which applies the scenario's *site* changes (status, capacity,
areas) and the hazard zones' ``closes_sites`` to the snapshot's site table. Those changes are
idempotent (setting a status or a capacity twice gives the same table), so this is harmless
when the engine already applies them itself while loading the snapshot, and it lets the
scenario tools work with an engine that does not yet. Stock changes are NOT applied here
(they are not idempotent): the engine owns them.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import shapely

BASELINE = "baseline"

_FIELD = {"stated_capacity": "stated_capacity", "indoor_area_m2": "indoor_area", "outdoor_area_m2": "outdoor_area"}


def ensure_site_changes(inp):
    """Return ``inp`` with its scenario site changes and hazard site closures applied."""
    from planner.engine.snapshot import SiteTable

    changes = list((inp.scenario_changes or {}).get("site_changes") or [])
    closing = [h for h in inp.hazards if h.closes_sites]
    if not changes and not closing:
        return inp
    st = inp.sites
    recs = st.records()
    by_code = {r["code"]: r for r in recs}
    changed = False
    for c in changes:
        r = by_code.get(c.get("site_code"))
        if r is None:
            continue
        if c.get("status") and r["status"] != c["status"]:
            r["status"] = c["status"]
            changed = True
        for src, dst in _FIELD.items():
            if c.get(src) is not None and r[dst] != float(c[src]):
                r[dst] = float(c[src])
                changed = True
    if closing and len(recs):
        lon = np.array([np.nan if r["lon"] is None else r["lon"] for r in recs], dtype=float)
        lat = np.array([np.nan if r["lat"] is None else r["lat"] for r in recs], dtype=float)
        ok = ~np.isnan(lon)
        inside = np.zeros(len(recs), bool)
        for h in closing:
            inside[ok] |= shapely.intersects_xy(h.geometry, lon[ok], lat[ok])
        for k in np.nonzero(inside)[0]:
            if recs[k]["status"] != "closed":
                recs[k]["status"] = "closed"
                changed = True
    if not changed:
        return inp
    return dataclasses.replace(inp, sites=SiteTable.from_records(recs))


def load_input(plan: Any, scenario: str | None = None):
    """The engine input of the baseline (``None`` / ``"baseline"``) or of a named scenario."""
    from planner.engine.snapshot import load_snapshot

    name = None if scenario in (None, BASELINE) else scenario
    return ensure_site_changes(load_snapshot(plan, name))


def run(plan: Any, scenario: str | None = None, *, service_areas: bool = False):
    """(PlanInput, PlanResult) of one scenario."""
    from planner.engine.run import run_plan

    inp = load_input(plan, scenario)
    return inp, run_plan(inp, service_areas=service_areas)


def served_share(result) -> float | None:
    v = (result.summary or {}).get("served_share")
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
