"""Recommended actions written into a scenario, and taken back exactly.

:func:`apply_actions` turns the actions of :mod:`planner.scenario.recommend` (build a shelter or a
reserve point at a candidate place, open a planned site, expand a shelter) into planned Site rows
and the scenario's site changes, and says what it wrote (:class:`AppliedActions`);
:func:`unapply_actions` removes exactly that — never a site somebody else added meanwhile on a
shared plan. The GUI's undo of "apply recommendation" is this pair.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from planner import models as m
from planner.scenario.store import (
    ScenarioError,
    create_scenario,
    delete_scenario,
    merge_site_change,
    scenario_row,
)


@dataclass(frozen=True)
class AppliedActions:
    """What :func:`apply_actions` wrote, so that :func:`unapply_actions` removes exactly that."""

    scenario: str
    created_scenario: bool
    site_ids: tuple[int, ...]          # the sites this application created (never anyone else's)
    codes: tuple[str, ...]             # every site involved (created or changed)
    site_changes_before: tuple[dict[str, Any], ...]
    stock_changes_before: tuple[dict[str, Any], ...] | None = None   # None: stock untouched


def _next_code(taken: set[str], prefix: str) -> str:
    k = 1
    while f"{prefix}{k:03d}" in taken:
        k += 1
    taken.add(f"{prefix}{k:03d}")
    return f"{prefix}{k:03d}"


def apply_actions(plan, scenario: str, actions: list[dict[str, Any]], *, user: str | None = None,
                  create: bool = True, copy_from: str | None = None) -> AppliedActions:
    """Write recommended actions into a scenario (one audited transaction per step).

    New places become Site rows with status ``planned`` (the baseline leaves planned sites out
    unless ``include_planned`` is set, so it is unchanged) and the scenario's ``site_changes``
    mark them ``built``; planned sites chosen are marked ``built``; expansions set a
    ``stated_capacity`` in the scenario. A new reserve point's 72-hour stock (``stock_items``)
    becomes the scenario's ``stock_changes`` (a physical lot per catalogue item, in this scenario
    only); a village-level point names its village (``village_code``). An action whose candidate
    already became a site (applied before) is refused: applying the same recommendation twice
    would count one place twice.
    """
    created = False
    with plan.session() as s:
        exists = s.scalars(select(m.Scenario.id).where(m.Scenario.name == scenario)).first() is not None
    if not exists:
        if not create:
            raise ScenarioError(f"no scenario named {scenario!r}")
        create_scenario(plan, scenario, copy_from=copy_from, user=user,
                        description="created for recommended actions")
        created = True
    codes: list[str] = []
    new_ids: list[int] = []
    try:
        with plan.transaction(user, f"apply {len(actions)} recommended actions to scenario {scenario}") as s:
            scen = scenario_row(s, scenario)
            before = tuple(dict(c) for c in (scen.site_changes or []))
            stock_before = tuple(dict(c) for c in (scen.stock_changes or []))
            stock_new: list[dict[str, Any]] = []
            taken = set(s.scalars(select(m.Site.code)).all())

            def stock_at(code: str, a: dict[str, Any]) -> None:
                for it in a.get("stock_items") or []:
                    if it.get("item_code") and float(it.get("quantity") or 0) > 0:
                        stock_new.append({"site_code": code, "item_code": it["item_code"],
                                          "delta": float(it["quantity"])})

            for a in actions:
                t = a["type"]
                if t == "expand_shelter":
                    merge_site_change(s, scen, a["site_code"], stated_capacity=int(a["new_capacity"]))
                    codes.append(a["site_code"])
                    continue
                if a.get("site_code"):
                    site = s.scalars(select(m.Site).where(m.Site.code == a["site_code"])).first()
                    if site is None:
                        raise ScenarioError(f"action refers to unknown site {a['site_code']!r}")
                    fields: dict[str, Any] = {"status": "built"}
                    if (t == "build_shelter" and site.stated_capacity is None
                            and not (site.indoor_area_m2 or site.outdoor_area_m2)):
                        fields["stated_capacity"] = int(a["capacity"])
                    merge_site_change(s, scen, site.code, **fields)
                    if t == "build_reserve_point":
                        stock_at(site.code, a)
                    codes.append(site.code)
                    continue
                source = f"recommendation: {a.get('candidate')}"
                if a.get("candidate") is not None:
                    dup = s.scalars(select(m.Site.code).where(m.Site.location_source == source)).first()
                    if dup is not None:
                        raise ScenarioError(f"this recommendation was applied already: candidate "
                                            f"{a.get('candidate')} is site {dup}")
                if t == "build_shelter":
                    code = _next_code(taken, "REC-S-")
                    row = m.Site(code=code, kind=m.SiteKind.shelter, name=a["name"], status=m.SiteStatus.planned,
                                 shelter_class=m.ShelterClass(a["shelter_class"]),
                                 outdoor_area_m2=a.get("outdoor_area_m2", a["effective_area_m2"]),
                                 indoor_area_m2=a.get("indoor_area_m2") or 0.0,
                                 stated_capacity=int(a["capacity"]), lon=a["lon"], lat=a["lat"],
                                 town_code=a.get("town"), location_source=source,
                                 source="esplan recommendation", notes=a.get("zh"))
                elif t == "build_reserve_point":
                    code = _next_code(taken, "REC-P-")
                    row = m.Site(code=code, kind=m.SiteKind.reserve_point, name=a["name"] + " 储备点",
                                 status=m.SiteStatus.planned, tier=m.PointTier(a.get("tier", "village")),
                                 lon=a["lon"], lat=a["lat"], town_code=a.get("town"),
                                 village_code=a.get("village"), location_source=source,
                                 source="esplan recommendation", notes=a.get("zh"))
                    stock_at(code, a)
                else:
                    raise ScenarioError(f"unknown action type {t!r}")
                s.add(row)
                s.flush()
                new_ids.append(row.id)
                merge_site_change(s, scen, code, status="built")
                codes.append(code)
            if stock_new:
                scen.stock_changes = [*stock_before, *stock_new]
    except Exception:
        if created:  # nothing of this application may stay behind
            delete_scenario(plan, scenario, user=user)
        raise
    return AppliedActions(scenario, created, tuple(new_ids), tuple(codes), before,
                          stock_before if stock_new else None)


def unapply_actions(plan, applied: AppliedActions, *, user: str | None = None) -> None:
    """Undo :func:`apply_actions`: delete exactly the sites it created (a colleague's new sites on
    a shared plan stay) and give the scenario back its site changes, or delete the scenario if
    the application created it."""
    with plan.transaction(user, f"undo recommended actions in scenario {applied.scenario}") as s:
        for sid in applied.site_ids:
            site = s.get(m.Site, sid)
            if site is not None:
                s.delete(site)
        scen = s.scalars(select(m.Scenario).where(m.Scenario.name == applied.scenario)).first()
        if scen is None:
            return
        if applied.created_scenario:
            for h in list(scen.hazards):
                s.delete(h)
            s.delete(scen)
        else:
            scen.site_changes = [dict(c) for c in applied.site_changes_before]
            if applied.stock_changes_before is not None:
                scen.stock_changes = [dict(c) for c in applied.stock_changes_before]
