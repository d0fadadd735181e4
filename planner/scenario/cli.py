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

from planner.i18n import language
from planner.scenario.check_cli import table
from planner.textfmt import delta, num, pct

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

T = {
    "zh": {"check": "检查项", "target": "目标", "pass": "达标", "fail": "未达标", "towns": "各乡镇 15 分钟内可安置人数",
           "town": "乡镇", "uncovered": "新增未覆盖的村/社区", "isolated": "新增孤立（与仓库道路隔断）的村/社区",
           "overflow": "新满员的避难场所", "shortfall": "缺口增大的物资", "none": "无",
           "all_pass": "所有情景全部达标", "some_fail": "有检查项未达标", "ref": "（参照）",
           "actions": "建议措施", "greedy": "贪心初解", "exact": "精确解 (MILP)", "gap": "最优性间隙",
           "promised": "承诺", "achieved": "复核（重新计算）", "served": "15分钟内可安置比例",
           "sites": "处", "excluded": "排除的候选场址", "nothing": "无需新增：已达到目标",
           "applied": "已写入情景 {s}：{codes}", "units_ok": "时限内可送达的村/社区"},
    "en": {"check": "check", "target": "target", "pass": "pass", "fail": "FAIL",
           "towns": "Served within the threshold, by town",
           "town": "town", "uncovered": "Units newly uncovered",
           "isolated": "Units newly isolated from every warehouse",
           "overflow": "Shelters newly full", "shortfall": "Items whose shortfall grows", "none": "none",
           "all_pass": "every check passes in every scenario", "some_fail": "some checks fail", "ref": " (reference)",
           "actions": "Actions", "greedy": "greedy first answer", "exact": "exact (MILP)", "gap": "optimality gap",
           "promised": "promised", "achieved": "verified (rerun)", "served": "share served within the threshold",
           "sites": "sites", "excluded": "excluded candidates", "nothing": "nothing to add: the target is already met",
           "applied": "written to scenario {s}: {codes}", "units_ok": "units within the deadline"},
}


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
    t = T[lang]
    names = cmp["scenarios"]
    out = []
    rows = [[t["check"], t["target"]] + [n + (t["ref"] if i == 0 else "") for i, n in enumerate(names)]]
    for c in cmp["checks"]:
        unit = c.get("unit")
        cells = [c["name_zh"] if lang == "zh" else c["name_en"],
                 _num(c["target"], unit) + (" min" if unit == "min" else "")]
        for v, d, st in zip(c["values"], c["deltas"], c["status"], strict=True):
            mark = {"pass": " ✓", "fail": " ✗", "unknown": " ?"}.get(st or "", "")
            cells.append(_num(v, unit) + (" min" if unit == "min" and v is not None else "") + _dnum(d, unit) + mark)
        rows.append(cells)
    out.append(_table(rows))
    if cmp["towns"]:
        out += ["", t["towns"]]
        rows = [[t["town"]] + names]
        for tw in cmp["towns"]:
            rows.append([f"{tw['name'] or ''} {tw['code'] or ''}".strip()] +
                        [_num(v) + _dnum(d) for v, d in zip(tw["served"], tw["delta_served"], strict=True)])
        out.append(_table(rows))
    for key, title, fmt in (
            ("units_newly_uncovered", t["uncovered"],
             lambda u: f"{u['name']} ({u['code']}, {u['town']}, {_num(u['population'])})"),
            ("units_newly_isolated", t["isolated"],
             lambda u: f"{u['name']} ({u['code']}, {u['town']}, {_num(u['population'])})"),
            ("shelters_overflowing", t["overflow"],
             lambda s: f"{s['name']} ({s['code']}: {_num(s['assigned'])}/{_num(s['capacity'])})"),
            ("items_shortfall_growth", t["shortfall"],
             lambda i: f"{i['name_zh'] if lang == 'zh' else i['name_en']}: "
                       f"{_num(i['shortfall_ref'])} → {_num(i['shortfall'])}"
                       f" ({float(i['delta']):+,.0f})")):
        for i, lst in enumerate(cmp[key]):
            if i == 0:
                continue
            out += ["", f"{title} — {names[i]}:"]
            out += [f"  - {fmt(x)}" for x in lst] if lst else [f"  {t['none']}"]
    ok = all(st in (None, "pass") for c in cmp["checks"] for st in c["status"])  # unknown is not a pass
    out += ["", t["all_pass"] if ok else t["some_fail"]]
    return "\n".join(out)


# -- compare ------------------------------------------------------------------------------------
def add_compare_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("compare", help="compare scenarios side by side (checks, towns, changes)",
                              description="Run the plan for each scenario ('baseline' = no scenario) and show every "
                                          "check side by side with deltas against the first. Exit 0 when every check "
                                          "passes in every scenario, 1 otherwise, 2 on error.")
    p.add_argument("plan", help="plan file (.esplan) or database URL")
    p.add_argument("scenarios", nargs="+", help="scenario names; 'baseline' for the plan itself")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
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
        print(f"esplan-cli compare: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if a.json:
        print(json.dumps(cmp, ensure_ascii=False, indent=1, default=str))
    else:
        print(render_comparison(cmp, _lang(a)))
    ok = all(st in (None, "pass") for c in cmp["checks"] for st in c["status"])  # unknown is not a pass
    return EXIT_OK if ok else EXIT_FAIL


# -- scenario -----------------------------------------------------------------------------------
def add_scenario_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("scenario", help="manage what-if scenarios (hazards, closures, parameters)",
                              description="Create and edit what-if scenarios. Every change is audited; the "
                                          "baseline is never changed.")
    p.add_argument("plan")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = sub.add_parser("list", help="list scenarios")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("create", help="create a scenario (empty = the baseline)")
    s.add_argument("name")
    s.add_argument("--description")
    s.add_argument("--from", dest="copy_from", help="copy this scenario (with its hazard zones)")
    s = sub.add_parser("copy", help="copy a scenario with its hazard zones")
    s.add_argument("source")
    s.add_argument("name")
    s = sub.add_parser("rename", help="rename a scenario")
    s.add_argument("name")
    s.add_argument("new_name")
    s = sub.add_parser("delete", help="delete a scenario")
    s.add_argument("name")
    for act, hlp in (("close-site", "close a site in the scenario"), ("open-site", "re-open a site in the scenario")):
        s = sub.add_parser(act, help=hlp)
        s.add_argument("name")
        s.add_argument("site_code", nargs="+")
    s = sub.add_parser("set-capacity", help="change a site's capacity in the scenario")
    s.add_argument("name")
    s.add_argument("site_code")
    s.add_argument("--capacity", type=float)
    s.add_argument("--indoor-area", type=float)
    s.add_argument("--outdoor-area", type=float)
    s.add_argument("--clear", action="store_true", help="back to the baseline values")
    s = sub.add_parser("adjust-stock", help="scale or change a site's stock, or make a supplier unavailable")
    s.add_argument("name")
    s.add_argument("site_code", nargs="?")
    s.add_argument("--item")
    s.add_argument("--factor", type=float)
    s.add_argument("--delta", type=float)
    s.add_argument("--supplier", help="agreement supplier that cannot deliver")
    s = sub.add_parser("hazard-add", help="add hazard zones from a GeoJSON file or a WKT polygon")
    s.add_argument("name")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--geojson", help="GeoJSON file (Polygon/MultiPolygon features, WGS84)")
    g.add_argument("--wkt", help="one polygon as WKT, lon/lat")
    s.add_argument("--zone-name", default=None, help="name of the zone (WKT) / default name (GeoJSON)")
    s.add_argument("--effect", choices=("block", "slow"), default="block")
    s.add_argument("--factor", type=float, default=1.0, help="speed factor for 'slow' (0–1)")
    s.add_argument("--keep-sites", action="store_true", help="sites inside stay usable (default: closed)")
    s.add_argument("--crs", default="wgs84", choices=("wgs84", "cgcs2000", "gcj02", "bd09"))
    s = sub.add_parser("hazard-remove", help="remove a hazard zone (id or name)")
    s.add_argument("name")
    s.add_argument("zone")
    s = sub.add_parser("set-param", help="override parameters: KEY=VALUE … (KEY= removes)")
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
        print(f"esplan-cli scenario: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    try:
        act = a.action
        if act == "list":
            rows = S.list_scenarios(plan)
            if a.json:
                print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
            else:
                table = [["name", "hazards", "site changes", "stock changes", "parameters", "description"]]
                for r in rows:
                    table.append([r["name"], str(len(r["hazards"])), str(len(r["site_changes"])),
                                  str(len(r["stock_changes"])),
                                  ", ".join(f"{k}={v}" for k, v in r["params"].items()), r["description"] or ""])
                print(_table(table) if rows else "no scenarios")
        elif act == "create":
            S.create_scenario(plan, a.name, description=a.description, copy_from=a.copy_from)
            print(f"created scenario {a.name!r}")
        elif act == "copy":
            S.copy_scenario(plan, a.source, a.name)
            print(f"copied {a.source!r} to {a.name!r}")
        elif act == "rename":
            S.rename_scenario(plan, a.name, a.new_name)
            print(f"renamed {a.name!r} to {a.new_name!r}")
        elif act == "delete":
            S.delete_scenario(plan, a.name)
            print(f"deleted scenario {a.name!r}")
        elif act in ("close-site", "open-site"):
            fn = S.close_site if act == "close-site" else S.open_site
            for code in a.site_code:
                fn(plan, a.name, code)
            print(f"{act}: {', '.join(a.site_code)} in {a.name!r}")
        elif act == "set-capacity":
            S.set_capacity(plan, a.name, a.site_code, stated_capacity=a.capacity, indoor_area_m2=a.indoor_area,
                           outdoor_area_m2=a.outdoor_area, clear=a.clear)
            print(f"capacity of {a.site_code} changed in {a.name!r}")
        elif act == "adjust-stock":
            if a.supplier:
                S.supplier_unavailable(plan, a.name, a.supplier)
            else:
                if not a.site_code:
                    raise S.ScenarioError("give a site code or --supplier")
                S.adjust_stock(plan, a.name, a.site_code, item_code=a.item, factor=a.factor, delta=a.delta)
            print(f"stock change recorded in {a.name!r}")
        elif act == "hazard-add":
            kw = dict(effect=a.effect, factor=a.factor, closes_sites=not a.keep_sites, crs=a.crs)
            if a.geojson:
                ids = S.import_hazards_geojson(plan, a.name, a.geojson, **kw)
            else:
                ids = [S.add_hazard(plan, a.name, a.wkt, name=a.zone_name or "hazard", **kw)]
            print(f"added {len(ids)} hazard zone(s) to {a.name!r}: ids {', '.join(map(str, ids))}")
        elif act == "hazard-remove":
            S.remove_hazard(plan, a.name, int(a.zone) if a.zone.isdigit() else a.zone)
            print(f"removed hazard zone {a.zone} from {a.name!r}")
        elif act == "set-param":
            vals = {}
            for asg in a.assignments:
                if "=" not in asg:
                    raise S.ScenarioError(f"expected KEY=VALUE, got {asg!r}")
                k, v = asg.split("=", 1)
                vals[k.strip()] = _parse_value(v.strip())
            now = S.set_params(plan, a.name, **vals)
            print(f"parameters of {a.name!r}: " + (", ".join(f"{k}={v}" for k, v in now.items()) or "none"))
    except (S.ScenarioError, PlanError, ValueError) as exc:
        print(f"esplan-cli scenario: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        plan.dispose()
    return EXIT_OK


# -- recommend ----------------------------------------------------------------------------------
def add_recommend_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("recommend", help="recommend new shelters or reserve points (action list)",
                              description="shelters: fewest new shelters reaching the served-share target; "
                                          "best-k: the k new shelters serving the most people; points: fewest "
                                          "reserve points bringing every unit within the delivery deadline. "
                                          "Exact MILP (HiGHS) with a time limit after a greedy first answer; the "
                                          "actions are verified by rerunning the plan with them applied.")
    p.add_argument("plan")
    p.add_argument("problem", choices=("shelters", "best-k", "points"))
    p.add_argument("--scenario", "-s", default=None, help="scenario to plan for (default: baseline)")
    p.add_argument("--k", type=int, default=3, help="best-k: number of new shelters (default 3)")
    p.add_argument("--time-limit", type=float, default=20.0, help="MILP time limit, seconds (default 20)")
    p.add_argument("--target", type=float, default=None, help="shelters: target share (default: the plan's 0.6)")
    p.add_argument("--class", dest="shelter_class", default="emergency",
                   choices=("emergency", "short", "medium", "long"), help="class of new shelters (per-capita area)")
    p.add_argument("--area-factor", type=float, default=0.6, help="effective share of a candidate's area (0.6)")
    p.add_argument("--default-area", type=float, default=None, help="area of candidates without one, m²")
    p.add_argument("--setback", type=float, default=100.0, help="min distance from hazard zones, m (100)")
    p.add_argument("--point", action="append", default=[], metavar="LON,LAT[,CAPACITY][,NAME]",
                   help="a user-given candidate point (repeatable)")
    p.add_argument("--no-osm", action="store_true", help="ignore the OSM candidate sites")
    p.add_argument("--no-units", action="store_true", help="points: do not use villages as candidates")
    p.add_argument("--expand", action="store_true", help="shelters/best-k: also consider expanding full shelters")
    p.add_argument("--deadline-min", type=float, default=None,
                   help="points: delivery deadline in minutes (default: first-batch deadline)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("zh", "en"), default=None)
    p.add_argument("--apply-to", default=None, metavar="SCENARIO",
                   help="write the actions into this scenario (created from --scenario if missing) and rerun it")
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


def render_recommendation(r: dict[str, Any], lang: str = "zh") -> str:
    t = T[lang]
    out = []
    head = f"{r['problem']} — {r['scenario']}"
    out.append(head)
    if r["problem"] != "points":
        out.append(f"{t['served']}: {_num(r['base_share'], 'share')} → {_num(r.get('promised_share'), 'share')}"
                   + (f"  ({t['target']} {_num(r['target_share'], 'share')})" if r.get("target_share") else ""))
    else:
        out.append(f"{t['units_ok']}: {r['units_within_deadline']} / {r['units_on_network']} → "
                   f"{r.get('promised_units_within_deadline')} / {r['units_on_network']} "
                   f"({r['deadline_min']:g} min)")
    if r.get("greedy"):
        g = r["greedy"]
        out.append(f"{t['greedy']}: {g['sites']} {t['sites']}"
                   + (f", {_num(g.get('share'), 'share')}" if g.get("share") is not None else ""))
    if r.get("exact"):
        e = r["exact"]
        gap = r.get("gap")
        out.append(f"{t['exact']}: {e.get('sites')} {t['sites']}, {e.get('message')}, {e.get('solve_s')} s, "
                   f"{t['gap']} {'—' if gap is None else f'{gap:.2%}'}")
    note = r.get("note")
    if note:
        out.append(note[lang])
    out += ["", t["actions"] + ":"]
    if not r["actions"]:
        out.append("  " + t["nothing"])
    for k, a in enumerate(r["actions"], start=1):
        out.append(f"  {k}. {a[lang]}")
    v = r.get("verification")
    if v:
        out.append("")
        if r["problem"] != "points":
            out.append(f"{t['promised']} {_num(v.get('promised_share'), 'share')}  {t['achieved']} "
                       f"{_num(v.get('served_share'), 'share')}  {'✓' if v.get('meets_promise') else '✗'}")
        else:
            out.append(f"{t['promised']} {v.get('promised_units_within_deadline')}  {t['achieved']} "
                       f"{v.get('units_within_deadline')}  {'✓' if v.get('meets_promise') else '✗'}")
    exc = r.get("candidates", {}).get("excluded_list") or []
    if exc:
        out += ["", f"{t['excluded']} ({len(exc)}):"]
        out += [f"  - {c['name']}: {c['why']}" for c in exc[:20]]
        if len(exc) > 20:
            out.append(f"  … {len(exc) - 20} more")
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
                      deadline_min=a.deadline_min, time_limit=a.time_limit)
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
        print(f"esplan-cli recommend: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    lang = _lang(a)
    if a.json:
        print(json.dumps(r, ensure_ascii=False, indent=1, default=str))
    else:
        print(render_recommendation(r, lang))
        if r.get("applied"):
            v = r["applied"]["verification"]
            print("")
            print(T[lang]["applied"].format(s=r["applied"]["scenario"], codes=", ".join(r["applied"]["sites"]) or "—"))
            if a.problem != "points":
                print(f"{T[lang]['achieved']}: {_num(v.get('served_share'), 'share')} "
                      f"{'✓' if v.get('meets_promise') else '✗'}")
            else:
                print(f"{T[lang]['achieved']}: {v.get('units_within_deadline')} / {v.get('units_on_network')} "
                      f"{'✓' if v.get('meets_promise') else '✗'}")
    return EXIT_FAIL if r.get("status") in ("infeasible", "partial") else EXIT_OK
