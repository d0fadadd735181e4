"""The plan figures: one demand model for every check (docs/planning-model.md).

* **规划人口** (planning population): the plan's figure when set, else the sum of the demand
  units' known populations. It is the denominator of the fixed-shelter rule.
* **避难需求** (sheltering demand) per unit: the unit's own override when set, else its population
  × the sheltering share (its town's share when set, else the plan's). The sum over units is the
  denominator of the capacity rule, of the 15-minute circle and of every coverage share. With
  ``scale_to_target`` the unit populations are first scaled so their total equals 规划人口.
* **保障人口** (supply population): the plan's figure when set, else 规划人口. It is placed where
  the people are: spread over the units by population, each unit's share at the shelters its
  people are assigned to, the rest at home (planner.engine.supply).
* **灾害发生日期** (event date): the plan's when set, else the day of the run.

A unit with no population is *unknown*, never 0: it is left out of every sum, counted in
``units_unknown``, and the figures that depend on it say they are incomplete.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.engine.params import SPECS
from planner.engine.snapshot import PlanInput


@dataclass(frozen=True)
class PlanFigures:
    planning_population: float | None     # None: unknown (no unit has a population, none entered)
    planning_population_source: str       # "plan" / "scenario" / "units"
    units_population: float               # Σ known unit populations (after scaling)
    units_unknown: int                    # units whose population is unknown
    unit_population: np.ndarray           # per unit (nan: unknown)
    unit_demand: np.ndarray               # per unit 避难需求 (nan: unknown)
    sheltering_demand: float              # Σ known unit demand
    sheltering_share: float
    supply_population: float | None      # 保障人口 (None: unknown)
    supply_population_source: str
    event_date: str
    event_date_source: str
    scale_factor: float | None            # unit populations × this (scale_to_target)
    defaults: list[dict[str, Any]] = field(default_factory=list)  # figures left at their default

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else round(float(x), 3)
        return {
            "planning_population": r(self.planning_population),
            "planning_population_source": self.planning_population_source,
            "units_population": r(self.units_population), "units_unknown": self.units_unknown,
            "sheltering_demand": r(self.sheltering_demand), "sheltering_share": self.sheltering_share,
            "supply_population": r(self.supply_population),
            "supply_population_source": self.supply_population_source,
            "event_date": self.event_date, "event_date_source": self.event_date_source,
            "scale_factor": self.scale_factor, "defaults": list(self.defaults),
        }


def figure_defaults(units_population: float | None, planning_population: float | None = None,
                    today: dt.date | None = None) -> dict[str, Any]:
    """What each figure is when left unset — the one place the rules live (the engine and
    :func:`planner.plan_figures.read_figures` both use it). ``units_population``: Σ known unit
    populations (None: no unit has one); ``planning_population``: 规划人口 as entered (if so)."""
    planning = planning_population if planning_population is not None else units_population
    return {"planning_population": units_population, "sheltering_share": float(SPECS["sheltering_share"][1]),
            "supply_population": planning, "event_date": (today or dt.date.today()).isoformat()}


def _origin(source: str) -> str:
    if source.startswith("plan"):
        return "plan"
    if source.startswith("override"):
        return "scenario"
    return "default"


def plan_figures(inp: PlanInput, *, today: dt.date | None = None) -> PlanFigures:
    """The plan figures of ``inp`` (cached on the snapshot: it is frozen)."""
    cached = inp.__dict__.get("_figures")
    if cached is not None and today is None:
        return cached
    p, src = inp.params, inp.param_sources
    du = inp.demand
    pop = du.population.astype(np.float64).copy()
    known = ~np.isnan(pop)
    defaults: list[dict[str, Any]] = []

    entered = p.get("planning_population")
    scale = None
    if p.get("scale_to_target") and entered is not None and np.nansum(pop) > 0:
        scale = float(entered) / float(np.nansum(pop))
        pop = pop * scale
    units_pop = float(pop[known].sum()) if known.any() else 0.0
    dflt = figure_defaults(units_pop if known.any() else None, entered, today)
    if entered is not None:
        planning, psrc = float(entered), _origin(src.get("planning_population", "plan"))
    else:
        planning, psrc = dflt["planning_population"], "units"
        defaults.append({"figure": "planning_population", "value": planning, "rule": "units"})
    planning = None if planning is None else float(planning)

    share = float(p["sheltering_share"])
    town_share = {c: float(s) for c, s in zip(inp.towns.code, inp.towns.sheltering_share, strict=True)
                  if not np.isnan(s)}
    shares = np.array([town_share.get(t, share) for t in du.town], dtype=np.float64) if len(du) else np.zeros(0)
    demand = pop * shares
    override = du.sheltering_demand
    has_ov = ~np.isnan(override)
    demand[has_ov] = override[has_ov] * (scale or 1.0)
    if _origin(src.get("sheltering_share", "")) == "default" and not town_share:
        defaults.append({"figure": "sheltering_share", "value": share, "rule": "all"})

    supply = p.get("supply_population")
    supply_v: float | None
    if supply is not None:
        supply_v, ssrc = float(supply), _origin(src.get("supply_population", "plan"))
    else:
        supply_v, ssrc = dflt["supply_population"], "planning_population"
        defaults.append({"figure": "supply_population", "value": supply_v, "rule": "planning_population"})

    if p.get("event_date"):
        event, esrc = str(p["event_date"]), _origin(src.get("event_date", "plan"))
    else:
        event, esrc = dflt["event_date"], "today"
        defaults.append({"figure": "event_date", "value": event, "rule": "today"})

    figs = PlanFigures(
        planning_population=planning, planning_population_source=psrc, units_population=units_pop,
        units_unknown=int((~known & ~has_ov).sum()), unit_population=pop, unit_demand=demand,
        sheltering_demand=float(np.nansum(demand)), sheltering_share=share,
        supply_population=supply_v, supply_population_source=ssrc, event_date=event,
        event_date_source=esrc, scale_factor=scale, defaults=defaults)
    if today is None:
        object.__setattr__(inp, "_figures", figs)
    return figs
