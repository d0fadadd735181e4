"""The plan figures as the plan stores them, and the one audited way to change them.

The four figures (规划人口, 避难需求 share, 保障人口, 灾害发生日期) are the district's own: they
live in the plan (``PlanInfo``; the share also per town, ``AdminUnit.sheltering_share``), never in
a norms profile. A figure left unset (NULL) has a stated default, which the engine applies
(:mod:`planner.engine.figures`) and which :func:`read_figures` shows:

* 规划人口 ``planning_population``: the sum of the demand units' known populations;
* 避难需求 share ``sheltering_share``: the engine default (everyone, 1.0), a town's own share first;
* 保障人口 ``supply_population``: 规划人口 (as set, or its default);
* 灾害发生日期 ``event_date``: the day of the run.

``esplan-cli plan show|set|set-town-share`` and the GUI's *Plan figures* dialog both go through
here: values are checked by :func:`parse_figure` (a refused value raises :class:`FigureError`
naming the figure, and nothing is written), every change is one audited update of
:class:`planner.store.Plan` with the version read (:class:`planner.store.EditConflict` when
somebody saved first), and the setters return the values before, which is what undo needs.
Scenarios override the same figures through :mod:`planner.scenario.store` (``set_params``).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from planner import models as m
from planner.engine.figures import figure_defaults
from planner.engine.params import PLAN_FIGURES
from planner.store import PlanError
from planner.text import text

#: the figures, in the order they are shown
FIGURES: tuple[str, ...] = ("planning_population", "sheltering_share", "supply_population", "event_date")
#: the PlanInfo column of each figure
COLUMNS: dict[str, str] = dict(PLAN_FIGURES)
#: the rule each figure falls back on when unset (the key of its text ``figure.rule.<rule>``)
RULES: dict[str, str] = {"planning_population": "units", "sheltering_share": "engine_default",
                         "supply_population": "planning_population", "event_date": "today"}
#: the largest population a plan may state (the scenario store allows the same)
MAX_POPULATION = 1_000_000_000
NONE_WORDS = ("none", "null", "unset", "未设定")


class FigureError(ValueError):
    """A plan figure refused (the message names the figure); nothing was written."""

    def __init__(self, message: str, figure: str | None = None):
        super().__init__(message)
        self.figure = figure


def figure_label(name: str, lang: str | None = None) -> str:
    """"保障人口 (supply_population)": the figure's name and its key, as messages name it."""
    return text("figure.named", lang, label=text(f"figure.{name}", lang), name=name)


# -- checking ------------------------------------------------------------------------------------
def is_none(value: Any) -> bool:
    """True for what clears a figure: None, "" or a word such as "none" / "未设定"."""
    return value is None or (isinstance(value, str) and value.strip().lower() in ("", *NONE_WORDS))


def parse_figure(name: str, value: Any) -> Any:
    """``value`` as the plan stores figure ``name`` (None: unset), or :class:`FigureError`.

    Populations are whole numbers from 1 to 1,000,000,000 ("300000", "300,000", 300000.0 are
    accepted; -5, 0, 1.5 are not); the share a fraction 0 < x ≤ 1 (0.6, not 60); the event date
    an ISO date YYYY-MM-DD (a ``datetime.date`` is accepted)."""
    if name not in COLUMNS:
        raise FigureError(text("figure.error.unknown", figure=name, known=", ".join(FIGURES)), name)
    if is_none(value):
        return None
    shown = repr(value) if isinstance(value, str) else str(value)
    if name in ("planning_population", "supply_population"):
        try:
            if isinstance(value, bool):
                raise ValueError
            x = float(value.replace(",", "").replace("_", "").strip()) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            x = math.nan
        if not math.isfinite(x) or x != int(x) or not 1 <= x <= MAX_POPULATION:
            raise FigureError(text("figure.error.population", figure=figure_label(name), value=shown,
                                   max=f"{MAX_POPULATION:,}"), name)
        return int(x)
    if name == "sheltering_share":
        return parse_share(value, figure_label(name), name)
    # event_date
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        s = str(value).strip()
        if len(s) != 10:   # fromisoformat also takes 20260601; the message promises YYYY-MM-DD
            raise ValueError(s)
        return dt.date.fromisoformat(s)
    except ValueError:
        raise FigureError(text("figure.error.date", figure=figure_label(name), value=shown), name) from None


def parse_share(value: Any, label: str, name: str = "sheltering_share") -> float:
    shown = repr(value) if isinstance(value, str) else str(value)
    try:
        if isinstance(value, bool):
            raise ValueError
        x = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        x = math.nan
    if not math.isfinite(x) or not 0 < x <= 1:
        raise FigureError(text("figure.error.share", figure=label, value=shown), name)
    return x


def parse_figures(changes: dict[str, Any]) -> dict[str, Any]:
    """Every change checked; :class:`FigureError` lists every refused one (nothing is written)."""
    out: dict[str, Any] = {}
    errors: list[FigureError] = []
    for k, v in changes.items():
        try:
            out[k] = parse_figure(k, v)
        except FigureError as exc:
            errors.append(exc)
    if errors:
        raise FigureError(text("figure.sep").join(map(str, errors)), errors[0].figure if len(errors) == 1 else None)
    return out


# -- reading -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One figure: the plan's own value (None: not set) and the default that applies otherwise."""

    name: str
    value: Any                 # as set in the plan (event date: ISO string); None = not set
    default: Any               # the value of the rule below (None: unknown, e.g. no unit has people)
    rule: str                  # which default: RULES[name]

    @property
    def source(self) -> str:
        """"plan" (set in the plan) or "default"."""
        return "default" if self.value is None else "plan"

    @property
    def effective(self) -> Any:
        """What the plan's runs use (before any scenario override)."""
        return self.default if self.value is None else self.value

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.effective, "set": self.value, "source": self.source, "default": self.default,
                "rule": self.rule}


@dataclass(frozen=True)
class PlanFigures:
    """The plan's figures as stored, with the demand units' totals behind the defaults."""

    plan_name: str
    version: int                                   # PlanInfo.version (for an update)
    figures: dict[str, Figure]
    units: int                                     # demand units
    units_population: int                          # Σ known populations
    units_unknown: int                             # units whose population is unknown (NULL)
    towns: list[dict[str, Any]] = field(default_factory=list)   # code, name, sheltering_share, version

    def __getitem__(self, name: str) -> Figure:
        return self.figures[name]

    def set_values(self) -> dict[str, Any]:
        """The figures as set in the plan (None: unset): what :func:`set_figures` takes back."""
        return {k: f.value for k, f in self.figures.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"plan": self.plan_name, "version": self.version,
                "figures": {k: f.to_dict() for k, f in self.figures.items()},
                "units": {"count": self.units, "population": self.units_population, "unknown": self.units_unknown},
                "towns": [dict(t) for t in self.towns]}


def _info(s: Any) -> m.PlanInfo:
    info = s.scalars(select(m.PlanInfo).order_by(m.PlanInfo.id).limit(1)).first()
    if info is None:
        raise PlanError("the plan has no plan_info row (not an esplan plan?)")
    return info


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def read_figures(plan: Any, *, today: dt.date | None = None) -> PlanFigures:
    """The four figures of ``plan``: each as set (or not), with the default that applies."""
    with plan.session() as s:
        info = _info(s)
        units = s.scalar(select(func.count()).select_from(m.DemandUnit)) or 0
        pop = s.scalar(select(func.sum(m.DemandUnit.population))) or 0
        unknown = s.scalar(select(func.count()).select_from(m.DemandUnit)
                           .where(m.DemandUnit.population.is_(None))) or 0
        towns = [{"code": t.code, "name": t.name, "sheltering_share": t.sheltering_share, "version": t.version}
                 for t in s.scalars(select(m.AdminUnit).where(m.AdminUnit.level == "town")
                                    .order_by(m.AdminUnit.code))]
        got = {k: _plain(getattr(info, col)) for k, col in COLUMNS.items()}
        name, version = info.name, info.version
    defaults = figure_defaults(int(pop) if units - unknown > 0 else None, got["planning_population"], today)
    figs = {k: Figure(k, got[k], defaults[k], RULES[k]) for k in FIGURES}
    return PlanFigures(name, version, figs, int(units), int(pop), int(unknown), towns)


# -- writing -------------------------------------------------------------------------------------
def set_figures(plan: Any, changes: dict[str, Any], *, expected_version: int | None = None,
                user: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """Set (or clear, with None / "none") some figures in one audited update; returns their
    values before (ISO string for the date), which given back to this function undoes it.

    Every value is checked first (:class:`FigureError`, nothing written); ``expected_version``:
    the PlanInfo version the user read (None: now) — :class:`planner.store.EditConflict` if it
    changed since."""
    new = parse_figures(changes)
    if not new:
        return {}
    with plan.session() as s:
        info = _info(s)
        pk, version = info.id, info.version
        before = {k: _plain(getattr(info, COLUMNS[k])) for k in new}
    ver = version if expected_version is None else expected_version
    if ver == version and all(_plain(v) == before[k] for k, v in new.items()):
        return before      # nothing to change: no audit row, no new version
    why = reason or "plan figures: " + ", ".join(f"{k}={_plain(v) if v is not None else 'none'}"
                                                 for k, v in new.items())
    plan.update(m.PlanInfo, pk, {COLUMNS[k]: v for k, v in new.items()}, expected_version=ver,
                user=user, reason=why)
    return before


def set_town_share(plan: Any, town_code: str, share: Any, *, expected_version: int | None = None,
                   user: str | None = None, reason: str | None = None) -> float | None:
    """A town's own 避难需求 share (None / "none": the plan's share applies); returns the share
    before. :class:`FigureError` for an unknown town or a share outside 0 < x ≤ 1."""
    with plan.session() as s:
        town = s.scalars(select(m.AdminUnit).where(m.AdminUnit.code == str(town_code))).first()
        if town is None or town.level != "town":
            known = ", ".join(s.scalars(select(m.AdminUnit.code).where(m.AdminUnit.level == "town")
                                        .order_by(m.AdminUnit.code)).all()) or text("cli.info.none")
            raise FigureError(text("figure.error.no_town", code=town_code, known=known), "sheltering_share")
        pk, version, before, tname = town.id, town.version, town.sheltering_share, town.name
    value = None if is_none(share) else parse_share(
        share, text("figure.town_share", town=f"{tname} {town_code}"))
    ver = version if expected_version is None else expected_version
    if ver == version and value == before:
        return before
    why = reason or f"sheltering share of town {town_code}: {'none' if value is None else value}"
    plan.update(m.AdminUnit, pk, {"sheltering_share": value}, expected_version=ver, user=user, reason=why)
    return before


__all__ = ["COLUMNS", "FIGURES", "RULES", "Figure", "FigureError", "PlanFigures", "figure_label", "is_none",
           "parse_figure", "parse_figures", "read_figures", "set_figures", "set_town_share"]
