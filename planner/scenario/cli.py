"""CLI commands: ``compare``, ``scenario`` and ``recommend`` (found by planner/cli.py).

    esplan-cli compare PLAN S1 S2 [...] [--json] [--lang zh|en]
    esplan-cli scenario PLAN list|create|copy|rename|delete|close-site|open-site|set-capacity|
                             adjust-stock|hazard-add|hazard-remove|set-param …
    esplan-cli recommend PLAN [--scenario S] shelters|best-k|points [--k N] [--time-limit S]
                             [--json] [--apply-to SCENARIO]

Exit codes: compare — 0 every check passes in every compared scenario, 1 otherwise, 2 error;
scenario — 0 done, 2 refused (nothing written); recommend — 0 actions found (or nothing needed),
1 the target cannot be reached with the candidates, 2 error.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from planner.scenario.check_cli import table
from planner.text import language, text
from planner.textfmt import delta, num, pct

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

_STATUSES = ("optimal", "feasible", "infeasible", "already_met", "partial")


def _t(key: str, lang: str, **args: Any) -> str:
    return text(f"cli.results.{key}", lang, **args)


def _lang(a: argparse.Namespace) -> str:
    if getattr(a, "lang", None):
        return a.lang
    return "zh" if str(language()).startswith("zh") else "en"


def _num(x: Any, unit: str | None = None) -> str:
    """planner.textfmt: shares '48.2%', others '41,012' / '12.35'; '—' for unknown."""
    return pct(x) if unit == "share" and not isinstance(x, bool) else num(x)


_dnum = delta  # planner.textfmt: ' (+1,234)', ' (+2.5 pp)', '' for no change


def _table(rows: list[list[str]]) -> str:
    return table(rows)


def render_comparison(cmp: dict[str, Any], lang: str = "zh") -> str:
    names = cmp["scenarios"]
    out = []
    rows = [[_t("check", lang), _t("target", lang)]
            + [n + (_t("ref", lang) if i == 0 else "") for i, n in enumerate(names)]]
    for c in cmp["checks"]:
        unit = c.get("unit")
        # the name and target in force in each scenario (a 5-minute scenario's are not the
        # reference's 15): one of each, or the distinct ones joined by " / "
        targets = list(dict.fromkeys(t for t in (c.get("targets") or [c["target"]]) if t is not None)) \
            or [c["target"]]
        cells = [c["name_zh"] if lang == "zh" else c["name_en"],
                 " / ".join(_num(t, unit) for t in targets) + (" min" if unit == "min" else "")]
        for v, d, st in zip(c["values"], c["deltas"], c["status"], strict=True):
            mark = {"pass": " ✓", "fail": " ✗", "unknown": " ?"}.get(st or "", "")
            cells.append(_num(v, unit) + (" min" if unit == "min" and v is not None else "") + _dnum(d, unit) + mark)
        rows.append(cells)
    out.append(_table(rows))
    if cmp["towns"]:
        thr = list(dict.fromkeys(cmp.get("thresholds") or []))
        out += ["", _t("towns", lang, thr=" / ".join(f"{t:g}" for t in thr) if thr else "—")]
        rows = [[_t("town", lang)] + names]
        for tw in cmp["towns"]:
            rows.append([f"{tw['name'] or ''} {tw['code'] or ''}".strip()] +
                        [_num(v) + _dnum(d) for v, d in zip(tw["served"], tw["delta_served"], strict=True)])
        out.append(_table(rows))
    for key, title, fmt in (
            ("units_newly_uncovered", _t("uncovered", lang),
             lambda u: f"{u['name']} ({u['code']}, {u['town']}, {_num(u['population'])})"),
            ("units_newly_isolated", _t("isolated", lang),
             lambda u: f"{u['name']} ({u['code']}, {u['town']}, {_num(u['population'])})"),
            ("shelters_overflowing", _t("overflow", lang),
             lambda s: f"{s['name']} ({s['code']}: {_num(s['assigned'])}/{_num(s['capacity'])})"),
            ("items_shortfall_growth", _t("shortfall", lang),
             lambda i: f"{i['name_zh'] if lang == 'zh' else i['name_en']}: "
                       f"{_num(i['shortfall_ref'])} → {_num(i['shortfall'])}"
                       f" ({float(i['delta']):+,.0f})")):
        for i, lst in enumerate(cmp[key]):
            if i == 0:
                continue
            out += ["", f"{title} — {names[i]}:"]
            out += [f"  - {fmt(x)}" for x in lst] if lst else [f"  {_t('none', lang)}"]
    ok = all(st in (None, "pass") for c in cmp["checks"] for st in c["status"])  # unknown is not a pass
    out += ["", _t("all_pass", lang) if ok else _t("some_fail", lang)]
    return "\n".join(out)


# -- compare ------------------------------------------------------------------------------------
def add_compare_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("compare", help=text("cli.compare.help"),
                              description=text("cli.compare.description"))
    p.add_argument("plan", help=text("cli.compare.plan"))
    p.add_argument("scenarios", nargs="+", help=text("cli.compare.scenarios"))
    p.add_argument("--json", action="store_true", help=text("cli.compare.json"))
    p.add_argument("--lang", choices=("zh", "en"), default=None)
    p.set_defaults(func=cmd_compare)
    return p


def cmd_compare(a: argparse.Namespace) -> int:
    try:
        # lazy for start-up speed: SQLAlchemy and numpy/scipy load only when the command runs,
        # not when esplan-cli imports this module to build its parser
        from planner.scenario.compare import compare_plan
        from planner.store import open_plan

        plan = open_plan(a.plan)
        try:
            _results, cmp = compare_plan(plan, list(a.scenarios))
        finally:
            plan.dispose()
    except Exception as exc:  # noqa: BLE001 - reported to the user: one line and status 2
        print(text("cli.error", command="esplan-cli compare", error=exc), file=sys.stderr)
        return EXIT_ERROR
    if a.json:
        print(json.dumps(cmp, ensure_ascii=False, indent=1, default=str))
    else:
        print(render_comparison(cmp, _lang(a)))
    ok = all(st in (None, "pass") for c in cmp["checks"] for st in c["status"])  # unknown is not a pass
    return EXIT_OK if ok else EXIT_FAIL


# -- scenario -----------------------------------------------------------------------------------
def add_scenario_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("scenario", help=text("cli.scenario.help"),
                              description=text("cli.scenario.description"))
    p.add_argument("plan")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = sub.add_parser("list", help=text("cli.scenario.list.help"))
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("create", help=text("cli.scenario.create.help"))
    s.add_argument("name")
    s.add_argument("--description")
    s.add_argument("--from", dest="copy_from", help=text("cli.scenario.create.from"))
    s = sub.add_parser("copy", help=text("cli.scenario.copy.help"))
    s.add_argument("source")
    s.add_argument("name")
    s = sub.add_parser("rename", help=text("cli.scenario.rename.help"))
    s.add_argument("name")
    s.add_argument("new_name")
    s = sub.add_parser("delete", help=text("cli.scenario.delete.help"))
    s.add_argument("name")
    for act in ("close-site", "open-site"):
        s = sub.add_parser(act, help=text(f"cli.scenario.{act.replace('-', '_')}.help"))
        s.add_argument("name")
        s.add_argument("site_code", nargs="+")
    s = sub.add_parser("set-capacity", help=text("cli.scenario.set_capacity.help"))
    s.add_argument("name")
    s.add_argument("site_code")
    s.add_argument("--capacity", type=float)
    s.add_argument("--indoor-area", type=float)
    s.add_argument("--outdoor-area", type=float)
    s.add_argument("--clear", action="store_true", help=text("cli.scenario.set_capacity.clear"))
    s = sub.add_parser("adjust-stock", help=text("cli.scenario.adjust_stock.help"))
    s.add_argument("name")
    s.add_argument("site_code", nargs="?")
    s.add_argument("--item")
    s.add_argument("--factor", type=float)
    s.add_argument("--delta", type=float)
    s.add_argument("--supplier", help=text("cli.scenario.adjust_stock.supplier"))
    s = sub.add_parser("hazard-add", help=text("cli.scenario.hazard_add.help"))
    s.add_argument("name")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--geojson", help=text("cli.scenario.hazard_add.geojson"))
    g.add_argument("--wkt", help=text("cli.scenario.hazard_add.wkt"))
    s.add_argument("--zone-name", default=None, help=text("cli.scenario.hazard_add.zone_name"))
    s.add_argument("--effect", choices=("block", "slow"), default="block")
    s.add_argument("--factor", type=float, default=1.0, help=text("cli.scenario.hazard_add.factor"))
    s.add_argument("--keep-sites", action="store_true", help=text("cli.scenario.hazard_add.keep_sites"))
    s.add_argument("--crs", default="wgs84", choices=("wgs84", "cgcs2000", "gcj02", "bd09"))
    s = sub.add_parser("hazard-remove", help=text("cli.scenario.hazard_remove.help"))
    s.add_argument("name")
    s.add_argument("zone")
    s = sub.add_parser("set-param", help=text("cli.scenario.set_param.help"))
    s.add_argument("name")
    s.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    p.set_defaults(func=cmd_scenario)
    return p


def _parse_value(v: str) -> Any:
    if v == "":
        return None
    try:
        return json.loads(v)
    except ValueError:
        return v


def cmd_scenario(a: argparse.Namespace) -> int:
    # lazy for start-up speed (SQLAlchemy), see cmd_compare
    from planner.scenario import store as S
    from planner.store import PlanError, open_plan

    try:
        plan = open_plan(a.plan)
    except PlanError as exc:
        print(text("cli.error", command="esplan-cli scenario", error=exc), file=sys.stderr)
        return EXIT_ERROR
    try:
        act = a.action
        if act == "list":
            rows = S.list_scenarios(plan)
            if a.json:
                print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
            else:
                table = [[text(f"cli.scenario.out.col.{c}") for c in
                          ("name", "hazards", "site_changes", "stock_changes", "parameters", "description")]]
                for r in rows:
                    table.append([r["name"], str(len(r["hazards"])), str(len(r["site_changes"])),
                                  str(len(r["stock_changes"])),
                                  ", ".join(f"{k}={v}" for k, v in r["params"].items()), r["description"] or ""])
                print(_table(table) if rows else text("cli.scenario.out.none"))
        elif act == "create":
            S.create_scenario(plan, a.name, description=a.description, copy_from=a.copy_from)
            print(text("cli.scenario.out.created", name=repr(a.name)))
        elif act == "copy":
            S.copy_scenario(plan, a.source, a.name)
            print(text("cli.scenario.out.copied", source=repr(a.source), name=repr(a.name)))
        elif act == "rename":
            S.rename_scenario(plan, a.name, a.new_name)
            print(text("cli.scenario.out.renamed", name=repr(a.name), new_name=repr(a.new_name)))
        elif act == "delete":
            S.delete_scenario(plan, a.name)
            print(text("cli.scenario.out.deleted", name=repr(a.name)))
        elif act in ("close-site", "open-site"):
            fn = S.close_site if act == "close-site" else S.open_site
            for code in a.site_code:
                fn(plan, a.name, code)
            print(text(f"cli.scenario.out.{act.replace('-', '_')}", sites=", ".join(a.site_code), name=repr(a.name)))
        elif act == "set-capacity":
            S.set_capacity(plan, a.name, a.site_code, stated_capacity=a.capacity, indoor_area_m2=a.indoor_area,
                           outdoor_area_m2=a.outdoor_area, clear=a.clear)
            print(text("cli.scenario.out.capacity", site=a.site_code, name=repr(a.name)))
        elif act == "adjust-stock":
            if a.supplier:
                S.supplier_unavailable(plan, a.name, a.supplier)
            else:
                if not a.site_code:
                    raise S.ScenarioError("give a site code or --supplier")
                S.adjust_stock(plan, a.name, a.site_code, item_code=a.item, factor=a.factor, delta=a.delta)
            print(text("cli.scenario.out.stock", name=repr(a.name)))
        elif act == "hazard-add":
            kw = dict(effect=a.effect, factor=a.factor, closes_sites=not a.keep_sites, crs=a.crs)
            if a.geojson:
                ids = S.import_hazards_geojson(plan, a.name, a.geojson, **kw)
            else:
                ids = [S.add_hazard(plan, a.name, a.wkt, name=a.zone_name or "hazard", **kw)]
            print(text("cli.scenario.out.hazard_added", n=len(ids), name=repr(a.name), ids=", ".join(map(str, ids))))
        elif act == "hazard-remove":
            S.remove_hazard(plan, a.name, int(a.zone) if a.zone.isdigit() else a.zone)
            print(text("cli.scenario.out.hazard_removed", zone=a.zone, name=repr(a.name)))
        elif act == "set-param":
            vals = {}
            for asg in a.assignments:
                if "=" not in asg:
                    raise S.ScenarioError(f"expected KEY=VALUE, got {asg!r}")
                k, v = asg.split("=", 1)
                vals[k.strip()] = _parse_value(v.strip())
            now = S.set_params(plan, a.name, **vals)
            print(text("cli.scenario.out.params", name=repr(a.name),
                       params=", ".join(f"{k}={v}" for k, v in now.items()) or text("cli.info.none")))
    except (S.ScenarioError, PlanError, ValueError) as exc:
        print(text("cli.error", command="esplan-cli scenario", error=exc), file=sys.stderr)
        return EXIT_ERROR
    finally:
        plan.dispose()
    return EXIT_OK


# -- recommend ----------------------------------------------------------------------------------
def add_recommend_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("recommend", help=text("cli.recommend.help"),
                              description=text("cli.recommend.description"))
    p.add_argument("plan")
    p.add_argument("problem", choices=("shelters", "best-k", "points"))
    p.add_argument("--scenario", "-s", default=None, help=text("cli.recommend.scenario"))
    p.add_argument("--k", type=int, default=3, help=text("cli.recommend.k"))
    p.add_argument("--time-limit", type=float, default=8.0, help=text("cli.recommend.time_limit"))
    p.add_argument("--target", type=float, default=None, help=text("cli.recommend.target"))
    p.add_argument("--class", dest="shelter_class", default="emergency",
                   choices=("emergency", "short", "medium", "long"), help=text("cli.recommend.class"))
    p.add_argument("--area-factor", type=float, default=0.6, help=text("cli.recommend.area_factor"))
    p.add_argument("--default-area", type=float, default=None, help=text("cli.recommend.default_area"))
    p.add_argument("--setback", type=float, default=100.0, help=text("cli.recommend.setback"))
    p.add_argument("--point", action="append", default=[], metavar="LON,LAT[,CAPACITY][,NAME]",
                   help=text("cli.recommend.point"))
    p.add_argument("--no-osm", action="store_true", help=text("cli.recommend.no_osm"))
    p.add_argument("--no-units", action="store_true", help=text("cli.recommend.no_units"))
    p.add_argument("--expand", action="store_true", help=text("cli.recommend.expand"))
    p.add_argument("--allow-indoor-drop", action="store_true", help=text("cli.recommend.allow_indoor_drop"))
    p.add_argument("--deadline-min", type=float, default=None,
                   help=text("cli.recommend.deadline_min"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("zh", "en"), default=None)
    p.add_argument("--apply-to", default=None, metavar="SCENARIO",
                   help=text("cli.recommend.apply_to"))
    p.set_defaults(func=cmd_recommend)
    return p


def _points(specs: list[str]) -> list[dict[str, Any]]:
    out = []
    for n, sp in enumerate(specs, start=1):
        parts = [x.strip() for x in sp.split(",")]
        if len(parts) < 2:
            raise ValueError(f"--point {sp!r}: expected LON,LAT[,CAPACITY][,NAME]")
        d: dict[str, Any] = {"lon": float(parts[0]), "lat": float(parts[1]), "name": f"point {n}"}
        for x in parts[2:]:
            try:
                d["capacity"] = float(x)
            except ValueError:
                d["name"] = x
        out.append(d)
    return out


def _target(t: Any) -> str:
    """A target share: whole when it is ('20 %'), else with a decimal."""
    whole = t is not None and abs(float(t) * 100 - round(float(t) * 100)) < 1e-9
    return pct(t, 0 if whole else 1, " ")


def _p2(a: Any, b: Any) -> tuple[str, str]:
    """Two shares with as many decimals as it takes to tell them apart (up to 3)."""
    for d in (1, 2, 3):
        if a is None or b is None or abs(a - b) < 1e-12 or pct(a, d, " ") != pct(b, d, " "):
            break
    return pct(a, d, " "), pct(b, d, " ")


def render_recommendation(r: dict[str, Any], lang: str = "zh") -> str:
    out = []
    head = f"{r['problem']} — {r['scenario']}"
    out.append(head)
    if r["problem"] != "points":
        served = _t("served", lang, thr=f"{r['threshold_min']:g}")
        out.append(f"{served}: {_num(r['base_share'], 'share')} → {_num(r.get('promised_share'), 'share')}"
                   + (f"  ({_t('target', lang)} {_num(r['target_share'], 'share')})" if r.get("target_share") else ""))
        # the shelter rules before → after the actions (indoor share, fixed shelters)
        for rid, e in (r.get("rules") or {}).items():
            if e.get("before") is None and e.get("after") is None:
                continue
            before, after = _p2(e.get("before"), e.get("after"))
            mark = {True: "✓", False: "✗"}.get(e.get("passed_after"), "?")
            out.append(_t("rule", lang, name=text(f"check.{rid}", lang), before=before, after=after,
                          target=_target(e.get("target")), mark=mark))
    else:
        out.append(f"{_t('units_ok', lang)}: {r['units_within_deadline']} / {r['units_on_network']} → "
                   f"{r.get('promised_units_within_deadline')} / {r['units_on_network']} "
                   f"({r['deadline_min']:g} min)")
        iso = r.get("isolated") or []
        if iso:   # the villages the run finds cut off by road
            sep = text("recommend.point.sep", lang)
            out.append(_t("isolated_villages", lang, n=len(iso), names=sep.join(str(u["name"]) for u in iso),
                          own=sum(1 for u in iso if u.get("supplied_by_own_points"))))
        for u in r.get("isolated_unserved") or []:
            out.append(_t("isolated_unserved", lang, name=u["name"], why=text(f"recommend.why.{u['why']}", lang)))
    if r.get("greedy"):
        g = r["greedy"]
        out.append(f"{_t('greedy', lang)}: {g['sites']} {_t('sites', lang)}"
                   + (f", {_num(g.get('share'), 'share')}" if g.get("share") is not None else ""))
    if r.get("exact"):
        e = r["exact"]
        gap = r.get("gap")
        out.append(f"{_t('exact', lang)}: {e.get('sites')} {_t('sites', lang)}, {e.get('message')}, "
                   f"{e.get('solve_s')} s, "
                   f"{_t('gap', lang)} {'—' if gap is None else f'{gap:.2%}'}")
    sv = r.get("solver")
    if sv:   # the proven gap of the answer given and the time limit it was solved within
        gap = sv.get("gap")
        out.append(_t("solver", lang, status=_t(f"status_{sv['status']}", lang) if sv["status"] in _STATUSES
                      else sv["status"], gap="—" if gap is None else f"{gap:.2%}",
                      limit=f"{sv['time_limit_s']:g}", secs="—" if sv.get("solve_s") is None else f"{sv['solve_s']:g}"))
    note = r.get("note")
    if note:
        out.append(note[lang])
    for n in r.get("rule_notes") or []:
        out.append(n[lang])
    out += ["", _t("actions", lang) + ":"]
    if not r["actions"]:
        out.append("  " + _t("nothing" if r.get("status") == "already_met" else "nothing_found", lang))
    for k, a in enumerate(r["actions"], start=1):
        out.append(f"  {k}. {a[lang]}")
    v = r.get("verification")
    if v:
        out.append("")
        if r["problem"] != "points":
            out.append(f"{_t('promised', lang)} {_num(v.get('promised_share'), 'share')}  {_t('achieved', lang)} "
                       f"{_num(v.get('served_share'), 'share')}  {'✓' if v.get('meets_promise') else '✗'}")
            for rid, e in (v.get("rules") or {}).items():   # the rules as the rerun finds them
                shown = _p2((r.get("rules") or {}).get(rid, {}).get("before"), e.get("value"))[1]
                out.append(f"  {text(f'check.{rid}', lang)}: {shown}"
                           f" {_t(e['status'], lang) if e.get('status') in ('pass', 'fail') else '?'}")
        else:
            out.append(f"{_t('promised', lang)} {v.get('promised_units_within_deadline')}  {_t('achieved', lang)} "
                       f"{v.get('units_within_deadline')}  {'✓' if v.get('meets_promise') else '✗'}")
            promised = r.get("promised_isolated_supplied") or []
            if promised:
                done = [c for c in promised if c not in (v.get("isolated_still_short") or [])]
                out.append("  " + _t("isolated_verified", lang, promised=len(promised), achieved=len(done)))
    exc = r.get("candidates", {}).get("excluded_list") or []
    if exc:
        out += ["", f"{_t('excluded', lang)} ({len(exc)}):"]
        out += [f"  - {c['name']}: {c['why']}" for c in exc[:20]]
        if len(exc) > 20:
            out.append(_t("more", lang, n=len(exc) - 20))
    return "\n".join(out)


def cmd_recommend(a: argparse.Namespace) -> int:
    try:
        # lazy for start-up speed (SQLAlchemy, numpy/scipy, HiGHS), see cmd_compare
        from planner.scenario.recommend import Options, apply_actions, recommend, verify_actions
        from planner.scenario.runs import load_input
        from planner.store import open_plan

        opt = Options(shelter_class=a.shelter_class, area_factor=a.area_factor, default_area_m2=a.default_area,
                      setback_m=a.setback, include_osm=not a.no_osm, include_units=not a.no_units,
                      points=_points(a.point), expand=a.expand, target_share=a.target, k=a.k,
                      deadline_min=a.deadline_min, time_limit=a.time_limit,
                      indoor_rule="report" if a.allow_indoor_drop else "keep")
        plan = open_plan(a.plan)
        try:
            r = recommend(plan, a.problem, scenario=a.scenario, options=opt)
            if a.apply_to:
                codes = apply_actions(plan, a.apply_to, r["actions"], copy_from=a.scenario)
                r["applied"] = {"scenario": a.apply_to, "sites": codes}
                inp = load_input(plan, a.apply_to)
                ver = verify_actions(inp, [], promised=r,
                                     deadline_s=r["deadline_min"] * 60 if a.problem == "points" else None)
                r["applied"]["verification"] = ver
        finally:
            plan.dispose()
    except Exception as exc:  # noqa: BLE001 - reported to the user: one line and status 2
        print(text("cli.error", command="esplan-cli recommend", error=exc), file=sys.stderr)
        return EXIT_ERROR
    lang = _lang(a)
    if a.json:
        print(json.dumps(r, ensure_ascii=False, indent=1, default=str))
    else:
        print(render_recommendation(r, lang))
        if r.get("applied"):
            v = r["applied"]["verification"]
            print("")
            print(_t("applied", lang, s=r["applied"]["scenario"], codes=", ".join(r["applied"]["sites"]) or "—"))
            if a.problem != "points":
                print(f"{_t('achieved', lang)}: {_num(v.get('served_share'), 'share')} "
                      f"{'✓' if v.get('meets_promise') else '✗'}")
            else:
                print(f"{_t('achieved', lang)}: {v.get('units_within_deadline')} / {v.get('units_on_network')} "
                      f"{'✓' if v.get('meets_promise') else '✗'}")
    return EXIT_FAIL if r.get("status") in ("infeasible", "partial") else EXIT_OK
