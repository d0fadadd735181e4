"""``esplan-cli check PLAN [--scenario S] [--json] [--lang zh|en]``.

Loads the plan (:func:`planner.scenario.runs.load_snapshot`), runs the engine and prints the
parameters in force (with their sources), the checks (value, target, pass/fail), supply
shortfalls and findings; ``--save`` stores the run (:func:`planner.scenario.runs.save_run`).
Exit status: 0 all checks pass, 1 some check fails, 2 error. planner/cli.py calls
:func:`add_check_parser`.
"""
from __future__ import annotations

import argparse
import sys
import unicodedata
from typing import Any

from planner.engine.results import typed
from planner.textfmt import num, value

TEXT = {
    "zh": {"params": "参数（取值 / 来源）", "checks": "检查项", "item": "项目", "value": "结果",
           "target": "目标", "result": "判定", "pass": "达标", "fail": "未达标", "unknown": "无法评估",
           "supply": "72小时物资缺口",
           "required": "需求", "usable": "可用", "shortfall": "缺口", "findings": "发现与建议",
           "summary": "{n} 项检查：{p} 项达标，{f} 项未达标", "ok": "全部达标",
           "unknown_note": "，{u} 项因数据不足无法评估", "plan": "规划", "scenario": "情景"},
    "en": {"params": "Parameters (value / source)", "checks": "Checks", "item": "item", "value": "value",
           "target": "target", "result": "result", "pass": "pass", "fail": "FAIL", "unknown": "n/a",
           "supply": "72-hour supply shortfalls",
           "required": "required", "usable": "usable", "shortfall": "shortfall", "findings": "Findings and actions",
           "summary": "{n} checks: {p} pass, {f} fail", "ok": "all checks pass",
           "unknown_note": ", {u} cannot be evaluated (missing data)", "plan": "plan", "scenario": "scenario"},
}


def add_check_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("check", help="run the planning engine and check the plan against its targets",
                              description="Run coverage, 72-hour supply, allocation and isolation; print "
                                          "the checks. Exit 0 when all pass, 1 when any fails, 2 on error.")
    p.add_argument("plan", help="plan file (.esplan) or database URL")
    p.add_argument("--scenario", "-s", default=None, help="scenario name (default: baseline)")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the table (default zh)")
    p.add_argument("--save", action="store_true", help="also save the run (PlanRun) in the plan")
    p.set_defaults(func=cmd_check)
    return p


def _w(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, n: int) -> str:
    return s + " " * max(0, n - _w(s))


_num = num      # planner.textfmt: '41,012', '12.35', '—' for unknown
_value = value  # shares as '48.2 %', others with their unit


def table(rows: list[list[str]]) -> str:
    widths = [max(_w(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(_pad(c, widths[k]) for k, c in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render(result: Any, lang: str = "zh") -> str:
    t = TEXT[lang]
    out = [f"{t['plan']}: {result.plan_name}   {t['scenario']}: {result.scenario}   "
           f"engine {result.engine_version}   inputs {result.inputs_hash[:12]}", "", t["params"]]
    for p in result.parameters:
        out.append(f"  {p['name']} = {p['value']}   [{p['source']}]")
    out += ["", t["checks"]]
    r = typed(result)
    rows = [[t["item"], t["value"], t["target"], t["result"]]]
    for c in r.checks:
        rows.append([c.name(lang), _value(c.value, c.unit), ("≥ " if c.unit == "share" else "≤ ")
                     + _value(c.target, c.unit), t[c.status]])
    out.append(table(rows))
    short = [i for i in r.supply if (i.shortfall or 0) > 0]
    if short:
        out += ["", t["supply"]]
        rows = [[t["item"], t["required"], t["usable"], t["shortfall"], "¥"]]
        for i in short:
            rows.append([f"{i.name(lang)} ({i.unit})", _num(i.required), _num(i.usable), _num(i.shortfall),
                         _num(i.shortfall_cost)])
        out.append(table(rows))
    if r.findings:
        out += ["", t["findings"]]
        out += [f"  - {f.text(lang)}" for f in r.findings]
    cnt = r.counts
    line = t["ok"] if cnt.all_passed else t["summary"].format(n=cnt.total, p=cnt.passed, f=cnt.failed)
    if cnt.unknown:
        line += t["unknown_note"].format(u=cnt.unknown)
    out += ["", line]
    return "\n".join(out)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        # imported here for start-up speed: numpy, scipy, shapely and SQLAlchemy load only when a
        # plan is checked, not when esplan-cli builds its parser
        from planner.engine.run import run_plan
        from planner.scenario.runs import load_snapshot, save_run
        from planner.store import open_plan

        plan = open_plan(args.plan)
        try:
            inp = load_snapshot(plan, args.scenario)
            result = run_plan(inp)
            if getattr(args, "save", False):
                save_run(plan, inp, result)
        finally:
            plan.dispose()
    except Exception as exc:  # noqa: BLE001 - reported to the user: a clear message and status 2
        print(f"esplan-cli check: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(result.to_json(indent=1))
    else:
        print(render(result, getattr(args, "lang", None) or "zh"))
    return 0 if result.passed else 1


def main(argv: list[str] | None = None) -> int:  # standalone use: python -m planner.scenario.check_cli
    ap = argparse.ArgumentParser(prog="esplan-cli")
    sub = ap.add_subparsers(dest="command", required=True)
    add_check_parser(sub)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
