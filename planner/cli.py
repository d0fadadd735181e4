"""``esplan-cli``: the headless command line (create plans, import/export, demo plans, checks).

Exit codes scripts can rely on:
  0  success (for ``check``: every check passed)
  1  ``check``/``compare``: at least one check failed
  2  error: bad arguments, file not found, import refused (nothing written), edit conflict
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from planner import __version__
from planner.io.dispatch import IMPORT_KINDS, IMPORT_MODES, TABLE_KINDS
from planner.logs import setup_cli_logging
from planner.text import set_language, text

EXIT_OK, EXIT_FAILED_CHECKS, EXIT_ERROR = 0, 1, 2



class CliError(Exception):
    """An error to show the user (exit code 2)."""


def _open(location: str):
    from planner.store import PlanError, open_plan

    try:
        return open_plan(location)
    except PlanError as exc:
        raise CliError(str(exc)) from exc


def _print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=1, default=str)
    sys.stdout.write("\n")


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain text table; CJK characters count as two columns."""
    import unicodedata

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)

    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(r)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- commands ------------------------------------------------------------------------------------
# Each command imports what it needs inside its function, for start-up speed: building the parser
# (and ``--help``) loads no SQLAlchemy, numpy/scipy, osmium or openpyxl. None of these hides an
# import cycle (tests/test_architecture.py counts them).
def cmd_new(a: argparse.Namespace) -> int:
    from planner.store import PlanError, create_plan

    try:
        plan = create_plan(a.plan, name=a.name, district_name=a.district_name,
                           district_code=a.district_code, overwrite=a.force, country=a.country)
    except PlanError as exc:
        raise CliError(str(exc)) from exc
    print(text("cli.new.created", name=repr(a.name), where=plan.display_location))
    return EXIT_OK


def cmd_info(a: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from planner import models as m

    plan = _open(a.plan)
    info = plan.info()
    counts = plan.counts()
    with plan.session() as s:
        km = (s.scalar(select(func.sum(m.RoadEdge.length_m))) or 0.0) / 1000.0
        by_kind = dict(s.execute(select(m.Site.kind, func.count()).group_by(m.Site.kind)).all())
        pop = s.scalar(select(func.sum(m.DemandUnit.population))) or 0
        unlocated = s.scalar(select(func.count()).select_from(m.DemandUnit)
                             .where(m.DemandUnit.lon.is_(None))) or 0
        boundary = s.scalars(select(m.Boundary).where(m.Boundary.role == "district")).first()
    data = {
        "location": plan.display_location, "name": info.name if info else None,
        "district": info.district_name if info else None,
        "district_code": info.district_code if info else None,
        "schema_revision": plan.schema_revision(), "counts": counts, "road_km": round(km, 1),
        "sites_by_kind": {k.value: v for k, v in by_kind.items()}, "population": pop,
        "demand_units_unlocated": unlocated,
        "boundary": boundary.name if boundary else None,
        "attribution": info.attribution if info else None,
    }
    if a.json:
        _print_json(data)
        return EXIT_OK
    kinds = data["sites_by_kind"]
    print(text("cli.info.plan", name=data["name"], location=data["location"]))
    print(text("cli.info.district", district=data["district"] or "-", code=data["district_code"] or ""))
    print(text("cli.info.boundary", boundary=data["boundary"] or text("cli.info.none")))
    print(text("cli.info.roads", nodes=counts["road_nodes"], edges=counts["road_edges"], km=data["road_km"]))
    print(text("cli.info.sites", warehouses=kinds.get("warehouse", 0), points=kinds.get("reserve_point", 0),
               shelters=kinds.get("shelter", 0)))
    print(text("cli.info.units", units=counts["demand_units"], population=pop, unlocated=unlocated))
    print(text("cli.info.counts", towns=counts["admin_units"], items=counts["supply_items"],
               lots=counts["stock_lots"]))
    print(text("cli.info.records", scenarios=counts["scenarios"], runs=counts["plan_runs"],
               audit=counts["audit_log"]))
    if data["attribution"]:
        print(text("cli.info.data", data=data["attribution"]))
    return EXIT_OK


def cmd_import(a: argparse.Namespace) -> int:
    from planner.io.dispatch import import_file
    from planner.io.errors import ImportFailed

    plan = _open(a.plan)
    path = Path(a.file)
    if not path.exists():
        raise CliError(text("cli.import.not_found", path=path))
    try:
        report = import_file(plan, a.kind, path, clip=not a.no_clip, clip_buffer_m=a.clip_buffer_m,
                             name=a.name, code=a.code, mode=a.mode, crs=a.crs, sheet=a.sheet,
                             encoding=a.encoding, replace=a.replace)
    except ImportFailed as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    print(report)
    return EXIT_OK


def cmd_export(a: argparse.Namespace) -> int:
    from planner.io.tables import export_table

    plan = _open(a.plan)
    n = export_table(plan, a.kind, Path(a.file))
    print(text("cli.export.wrote", file=a.file) + (text("cli.export.rows", n=n) if isinstance(n, int) else ""))
    return EXIT_OK


def cmd_template(a: argparse.Namespace) -> int:
    from planner.io.tables import write_template

    write_template(a.kind, Path(a.file))
    print(text("cli.template.wrote", kind=a.kind, file=a.file))
    return EXIT_OK


def cmd_list(a: argparse.Namespace) -> int:
    from sqlalchemy import select

    from planner import models as m

    plan = _open(a.plan)
    specs: dict[str, tuple[Any, list[str]]] = {
        "sites": (m.Site, ["code", "kind", "name", "status", "shelter_class", "tier", "indoor_area_m2",
                           "outdoor_area_m2", "stated_capacity", "town_code", "lon", "lat"]),
        "demand": (m.DemandUnit, ["code", "name", "kind", "town_code", "population", "lon", "lat"]),
        "towns": (m.AdminUnit, ["code", "name", "level", "population"]),
        "items": (m.SupplyItem, ["code", "name_zh", "unit", "category", "shelf_life_days", "unit_price",
                                 "norm_key"]),
        "stock": (m.StockLot, ["id", "site_id", "item_id", "quantity", "mode", "expiry_date",
                               "lead_time_h"]),
        "scenarios": (m.Scenario, ["id", "name", "description"]),
        "runs": (m.PlanRun, ["id", "scenario_name", "created_at", "engine_version", "inputs_hash"]),
    }
    cls, cols = specs[a.what]
    with plan.session() as s:
        q = select(cls)
        if a.what == "sites" and a.kind:
            q = q.where(m.Site.kind == m.SiteKind(a.kind))
        if a.town and hasattr(cls, "town_code"):
            q = q.where(cls.town_code == a.town)
        objs = s.scalars(q.order_by(cls.id)).all()
        rows = [[_cell(getattr(o, c)) for c in cols] for o in objs]
        if a.what == "stock":  # show codes, not ids
            sites = {x.id: x.code for x in s.scalars(select(m.Site))}
            items = {x.id: x.code for x in s.scalars(select(m.SupplyItem))}
            cols = ["id", "site", "item", *cols[3:]]
            rows = [[r[0], sites.get(r[1]), items.get(r[2]), *r[3:]] for r in rows]
    if a.json:
        _print_json([dict(zip(cols, r, strict=True)) for r in rows])
    else:
        print(_table(rows, cols))
        print(text("cli.list.rows", n=len(rows)))
    return EXIT_OK


def _cell(v: Any) -> Any:
    if hasattr(v, "value"):
        return v.value
    if isinstance(v, float):
        return round(v, 6)
    return v


def cmd_demo(a: argparse.Namespace) -> int:
    from planner.demo import DEMOS, build_demo, demo_path

    names = list(DEMOS) if a.name == "all" else [a.name]
    if a.action == "path":
        for n in names:
            print(demo_path(n))
        return EXIT_OK
    for n in names:
        out = Path(a.out) / f"{n}.esplan" if a.out else None
        path, seconds = build_demo(n, shared=Path(a.shared) if a.shared else None, out=out)
        size = path.stat().st_size / 1e6
        print(text("cli.demo.built", name=n, path=path, s=seconds, mb=size))
    return EXIT_OK


def _figure_text(name: str, value: Any) -> str:
    """A plan figure's value as the CLI prints it: '85,015', '60.0%', '2026-06-01'; None → '—'."""
    from planner.textfmt import num, pct

    if name == "sheltering_share":
        return pct(value)
    if name == "event_date":
        return str(value) if value else "—"
    return num(value)


def render_figures(figs: Any, location: str) -> str:
    """``esplan-cli plan show``: the four figures with their value and where each comes from."""
    from planner.plan_figures import FIGURES
    from planner.textfmt import num, pct

    rows = []
    for name in FIGURES:
        f = figs[name]
        source = text("figure.source.plan") if f.source == "plan" else text(f"figure.rule.{f.rule}")
        rows.append([text(f"figure.{name}"), _figure_text(name, f.effective), source])
    out = [text("cli.info.plan", name=figs.plan_name, location=location), "",
           _table(rows, [text("cli.plan.col.figure"), text("cli.plan.col.value"), text("cli.plan.col.source")]),
           "", text("cli.plan.units", units=figs.units, population=num(figs.units_population),
                    unknown=figs.units_unknown)]
    own = [f"{t['name']} {t['code']} {pct(t['sheltering_share'])}" for t in figs.towns
           if t["sheltering_share"] is not None]
    if own:
        out.append(text("cli.plan.town_shares", towns=text("figure.sep").join(own)))
    return "\n".join(out)


def cmd_plan(a: argparse.Namespace) -> int:
    from planner.plan_figures import FIGURES, read_figures, set_figures, set_town_share

    plan = _open(a.plan)
    try:
        if a.action == "set":
            changes = {k: getattr(a, k) for k in FIGURES if getattr(a, k) is not None}
            if not changes:
                raise CliError(text("cli.plan.set.nothing"))
            before = set_figures(plan, changes, reason=a.reason)
            after = read_figures(plan).set_values()
            moved = [k for k in changes if before.get(k) != after[k]]
            for k in moved:
                print(text("cli.plan.changed", figure=text(f"figure.{k}"),
                           before=_set_text(k, before[k]), after=_set_text(k, after[k])))
            if not moved:
                print(text("cli.plan.unchanged"))
        elif a.action == "set-document":
            _set_document(plan, a)
        elif a.action == "set-town-share":
            before_share = set_town_share(plan, a.town_code, a.share, reason=a.reason)
            town = next(t for t in read_figures(plan).towns if t["code"] == a.town_code)
            print(text("cli.plan.changed", figure=text("figure.town_share", town=f"{town['name']} {a.town_code}"),
                       before=_set_text("sheltering_share", before_share),
                       after=_set_text("sheltering_share", town["sheltering_share"])))
        figs = read_figures(plan)
        if a.action == "show" and a.json:
            _print_json(figs.to_dict())
        elif a.action == "show":
            print(render_figures(figs, plan.display_location))
            print(render_document(plan))
    finally:
        plan.dispose()
    return EXIT_OK


def _document_changes(a: argparse.Namespace) -> dict[str, Any]:
    """The fields ``plan set-document`` was given (files read as UTF-8; "none" clears)."""
    from planner.plan_document import NONE_WORDS

    ch: dict[str, Any] = {}
    for fld in ("issuer", "doc_number", "prepared_by", "reviewed_by", "approved_by", "title_en"):
        v = getattr(a, fld)
        if v is not None:
            ch[fld] = v
    if a.period is not None:
        if a.period.strip().lower() in NONE_WORDS:
            ch["period_from"] = ch["period_to"] = None
        else:
            parts = [x.strip() for x in a.period.replace("—", "-").replace("–", "-").replace("～", "-").split("-")]
            if len(parts) != 2 or not all(parts):
                raise CliError(text("cli.plan.set_document.bad_period", value=a.period))
            ch["period_from"], ch["period_to"] = parts
    for fld in ("basis", "implementation", "safeguards"):
        f = getattr(a, f"{fld}_file")
        if f is None:
            continue
        if f.strip().lower() in NONE_WORDS:
            ch[fld] = None
            continue
        try:
            with open(f, encoding="utf-8-sig") as fh:
                ch[fld] = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(text("cli.plan.set_document.bad_file", path=f, error=exc)) from exc
    return ch


def _set_document(plan: Any, a: argparse.Namespace) -> None:
    from planner.plan_document import DocumentError, read_document, set_document

    changes = _document_changes(a)
    if not changes:
        raise CliError(text("cli.plan.set.nothing"))
    try:
        before = set_document(plan, changes, reason=a.reason)
    except DocumentError as exc:
        raise CliError(str(exc)) from exc
    after = read_document(plan)
    moved = [k for k in changes if before.get(k) != after[k]]
    for k in moved:
        print(text("cli.plan.changed", figure=text(f"document.{k}"),
                   before=_doc_text(before[k]), after=_doc_text(after[k])))
    if not moved:
        print(text("cli.plan.unchanged"))


def _doc_text(v: Any) -> str:
    if v is None:
        return text("cli.plan.unset")
    s = str(v)
    return s if len(s) <= 40 and "\n" not in s else s.split("\n")[0][:40] + "…"


def render_document(plan: Any) -> str:
    """The printed plan's particulars (``plan show``)."""
    from planner.plan_document import FIELDS, read_document

    doc = read_document(plan)
    rows = [[text(f"document.{k}"), _doc_text(doc[k])] for k in FIELDS]
    return "\n" + text("cli.plan.document") + "\n" + _table(rows, [text("cli.plan.col.field"),
                                                                   text("cli.plan.col.value")])


def _set_text(name: str, value: Any) -> str:
    return text("cli.plan.unset") if value is None else _figure_text(name, value)


#: modules that add commands: each defines functions ``add_<name>_parser(subparsers)``
COMMAND_MODULES = ("planner.scenario.check_cli", "planner.scenario.cli", "planner.report.cli")


def _add_module_commands(sub: argparse._SubParsersAction) -> None:
    """Commands provided by the scenario and report packages (check, compare, scenario, …)."""
    import importlib

    for mod_name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            if exc.name and mod_name.startswith(exc.name):
                continue  # that part is not built yet
            raise
        for name in sorted(dir(mod)):
            if name.startswith("add_") and name.endswith("_parser"):
                getattr(mod, name)(sub)


# -- parser ----------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="esplan-cli",
        description=text("cli.main.description"),
        epilog=text("cli.main.epilog"))
    p.add_argument("--version", action="version", version=f"esplan {__version__}")
    p.add_argument("--lang", choices=["zh", "en"], help=text("cli.main.lang"))
    p.add_argument("-v", "--verbose", action="count", default=0, help=text("cli.main.verbose"))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("new", help=text("cli.new.help"))
    s.add_argument("plan", help=text("cli.new.plan"))
    s.add_argument("--name", required=True, help=text("cli.new.name"))
    s.add_argument("--district-name")
    s.add_argument("--district-code", help=text("cli.new.district_code"))
    s.add_argument("--country", default="CN", help=text("cli.new.country"))
    s.add_argument("--force", action="store_true", help=text("cli.new.force"))
    s.set_defaults(func=cmd_new)

    s = sub.add_parser("info", help=text("cli.info.help"))
    s.add_argument("plan")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_info)

    s = sub.add_parser("import", help=text("cli.import.help"),
                       description=text("cli.import.description"))
    s.add_argument("plan")
    s.add_argument("kind", choices=IMPORT_KINDS)
    s.add_argument("file", help=text("cli.import.file"))
    s.add_argument("--mode", choices=list(IMPORT_MODES), default="insert",
                   help=text("cli.import.mode"))
    s.add_argument("--crs", default="wgs84", choices=["wgs84", "cgcs2000", "gcj02", "bd09"],
                   help=text("cli.import.crs"))
    s.add_argument("--sheet", help=text("cli.import.sheet"))
    s.add_argument("--encoding", help=text("cli.import.encoding"))
    s.add_argument("--replace", action="store_true", help=text("cli.import.replace"))
    s.add_argument("--no-clip", action="store_true", help=text("cli.import.no_clip"))
    s.add_argument("--clip-buffer-m", type=float, default=0.0,
                   help=text("cli.import.clip_buffer_m"))
    s.add_argument("--name", help=text("cli.import.name"))
    s.add_argument("--code", help=text("cli.import.code"))
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("export", help=text("cli.export.help"))
    s.add_argument("plan")
    s.add_argument("kind", choices=TABLE_KINDS)
    s.add_argument("file")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("template", help=text("cli.template.help"))
    s.add_argument("kind", choices=TABLE_KINDS)
    s.add_argument("file")
    s.set_defaults(func=cmd_template)

    s = sub.add_parser("list", help=text("cli.list.help"))
    s.add_argument("plan")
    s.add_argument("what", choices=["sites", "demand", "towns", "items", "stock", "scenarios", "runs"])
    s.add_argument("--kind", choices=["warehouse", "reserve_point", "shelter"])
    s.add_argument("--town", help=text("cli.list.town"))
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("demo", help=text("cli.demo.help"))
    s.add_argument("action", choices=["build", "path"])
    s.add_argument("name", nargs="?", default="all", choices=["all", "andorra", "shanting"])
    s.add_argument("--shared", help=text("cli.demo.shared"))
    s.add_argument("--out", help=text("cli.demo.out"))
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("plan", help=text("cli.plan.help"), description=text("cli.plan.description"))
    acts = s.add_subparsers(dest="action", required=True, metavar="ACTION")
    x = acts.add_parser("show", help=text("cli.plan.show.help"))
    x.add_argument("plan")
    x.add_argument("--json", action="store_true")
    x = acts.add_parser("set", help=text("cli.plan.set.help"), description=text("cli.plan.set.description"))
    x.add_argument("plan")
    x.add_argument("--planning-population", metavar="N|none", help=text("cli.plan.set.planning_population"))
    x.add_argument("--sheltering-share", metavar="X|none", help=text("cli.plan.set.sheltering_share"))
    x.add_argument("--supply-population", metavar="N|none", help=text("cli.plan.set.supply_population"))
    x.add_argument("--event-date", metavar="YYYY-MM-DD|none", help=text("cli.plan.set.event_date"))
    x.add_argument("--reason", help=text("cli.plan.set.reason"))
    x = acts.add_parser("set-document", help=text("cli.plan.set_document.help"),
                        description=text("cli.plan.set_document.description"))
    x.add_argument("plan")
    x.add_argument("--issuer", metavar="TEXT|none", help=text("document.issuer"))
    x.add_argument("--doc-number", metavar="TEXT|none", help=text("document.doc_number"))
    x.add_argument("--period", metavar="YYYY-YYYY|none", help=text("cli.plan.set_document.period"))
    x.add_argument("--prepared-by", metavar="NAME|none", help=text("document.prepared_by"))
    x.add_argument("--reviewed-by", metavar="NAME|none", help=text("document.reviewed_by"))
    x.add_argument("--approved-by", metavar="NAME|none", help=text("document.approved_by"))
    x.add_argument("--title-en", metavar="TEXT|none", help=text("document.title_en"))
    for fld in ("basis", "implementation", "safeguards"):
        x.add_argument(f"--{fld}-file", metavar="FILE|none", help=text("cli.plan.set_document.file",
                                                                       label=text(f"document.{fld}")))
    x.add_argument("--reason", help=text("cli.plan.set.reason"))
    x = acts.add_parser("set-town-share", help=text("cli.plan.set_town_share.help"))
    x.add_argument("plan")
    x.add_argument("town_code", help=text("cli.plan.set_town_share.town"))
    x.add_argument("share", metavar="X|none", help=text("cli.plan.set_town_share.share"))
    x.add_argument("--reason", help=text("cli.plan.set.reason"))
    s.set_defaults(func=cmd_plan)

    _add_module_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # frozen builds: a worker process must not re-run the program
    args = list(sys.argv[1:] if argv is None else argv)
    # the language must be in force before the help texts are built
    set_language(args[args.index("--lang") + 1] if "--lang" in args[:-1] else None)
    parser = build_parser()
    a = parser.parse_args(args)
    set_language(a.lang)
    setup_cli_logging(a.verbose)   # warnings always reach stderr; -v steps, -vv debug
    func: Callable[[argparse.Namespace], int] = a.func
    try:
        return int(func(a) or 0)
    except CliError as exc:
        print(text("cli.error", command="esplan-cli", error=exc), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # clear one-line message, not a traceback, for expected failures
        from planner.store import PlanError

        if isinstance(exc, (PlanError, OSError, ValueError)):
            print(text("cli.error", command="esplan-cli", error=exc), file=sys.stderr)
            return EXIT_ERROR
        raise


if __name__ == "__main__":
    sys.exit(main())
