"""``esplan-cli check PLAN [--scenario S] [--json] [--lang zh|en]``.

Loads the plan (:func:`planner.scenario.runs.load_input`: ``--scenario baseline`` is the plan
itself, as for ``compare`` and ``report``), runs the engine and prints the
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
from planner.text import text
from planner.textfmt import num, value


def _t(key: str, lang: str, **args: Any) -> str:
    return text(f"cli.check.out.{key}", lang, **args)


def add_check_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("check", help=text("cli.check.help"),
                              description=text("cli.check.description"))
    p.add_argument("plan", help=text("cli.check.plan"))
    p.add_argument("--scenario", "-s", default=None, help=text("cli.check.scenario"))
    p.add_argument("--json", action="store_true", help=text("cli.check.json"))
    p.add_argument("--lang", choices=("zh", "en"), default=None, help=text("cli.check.lang"))
    p.add_argument("--save", action="store_true", help=text("cli.check.save"))
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


def figure_lines(figs: dict[str, Any], lang: str) -> list[str]:
    """The four plan figures with where each comes from (planner.engine.figures)."""
    def src(key: str) -> str:   # set (plan / scenario), else the default's rule (figure.rule.*)
        v = figs.get(key) or "engine_default"
        return text(f"figure.source.{v}" if v in ("plan", "scenario") else f"figure.rule.{v}", lang)

    def people(v: Any) -> str:
        return _num(v) if v is not None else text("figure.unknown", lang)

    return [f"{text('figure.planning_population', lang)}: {people(figs.get('planning_population'))}"
            f"   [{src('planning_population_source')}]",
            f"{text('figure.sheltering_share', lang)}: {figs.get('sheltering_share')}",
            f"{text('figure.sheltering_demand', lang)}: {people(figs.get('sheltering_demand'))}",
            f"{text('figure.supply_population', lang)}: {people(figs.get('supply_population'))}"
            f"   [{src('supply_population_source')}]",
            f"{text('figure.event_date', lang)}: {figs.get('event_date')}   [{src('event_date_source')}]"]


def render(result: Any, lang: str = "zh") -> str:
    out = [_t("head", lang, plan=result.plan_name, scenario=result.scenario, engine=result.engine_version,
              inputs=result.inputs_hash[:12]), ""]
    figs = (result.summary or {}).get("figures") or {}
    if figs:
        out.append(_t("figures", lang))
        out += [f"  {line}" for line in figure_lines(figs, lang)]
        out.append("")
    out.append(_t("params", lang))
    for p in result.parameters:
        out.append(f"  {p['name']} = {p['value']}   [{p['source']}]")
    out += ["", _t("checks", lang)]
    r = typed(result)
    rows = [[_t("item", lang), _t("value", lang), _t("target", lang), _t("result", lang), _t("basis", lang)]]
    for c in r.checks:
        rows.append([c.name(lang), _value(c.value, c.unit), ("≥ " if c.unit == "share" else "≤ ")
                     + _value(c.target, c.unit), _t(c.status, lang), c.basis(lang)])
    out.append(table(rows))
    short = [i for i in r.supply if (i.shortfall or 0) > 0]
    if short:
        out += ["", _t("supply", lang)]
        rows = [[_t("item", lang), _t("required", lang), _t("usable", lang), _t("shipped", lang),
                 _t("shortfall", lang), "¥"]]
        for i in short:
            rows.append([f"{i.name(lang)} ({i.unit})", _num(i.required), _num(i.usable), _num(i.shipped),
                         _num(i.shortfall),
                         _num(i.shortfall_cost) if i.shortfall_cost is not None else _t("cost_unknown", lang)])
        out.append(table(rows))
        unpriced = r.summary.supply_shortfall_cost_unpriced
        out.append(_t("cost_total", lang, cost=_num(r.summary.supply_shortfall_cost),
                      note=_t("cost_incomplete", lang, n=len(unpriced)) if unpriced else ""))
    if r.findings:
        out += ["", _t("findings", lang)]
        out += [f"  - {f.text(lang)}" for f in r.findings]
    cnt = r.counts
    line = _t("ok", lang) if cnt.all_passed else _t("summary", lang, n=cnt.total, p=cnt.passed, f=cnt.failed)
    if cnt.unknown:
        line += _t("unknown_note", lang, u=cnt.unknown)
    out += ["", line]
    return "\n".join(out)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        # imported here for start-up speed: numpy, scipy, shapely and SQLAlchemy load only when a
        # plan is checked, not when esplan-cli builds its parser
        from planner.engine.run import run_plan
        from planner.scenario.runs import load_input, save_run
        from planner.store import open_plan

        plan = open_plan(args.plan)
        try:
            inp = load_input(plan, args.scenario)   # "baseline" (or none): the plan itself
            result = run_plan(inp)
            if getattr(args, "save", False):
                save_run(plan, inp, result)
        finally:
            plan.dispose()
    except Exception as exc:  # noqa: BLE001 - reported to the user: a clear message and status 2
        print(text("cli.error", command="esplan-cli check", error=exc), file=sys.stderr)
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
