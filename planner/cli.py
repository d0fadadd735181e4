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
from planner.i18n import _, set_language
from planner.io.dispatch import IMPORT_KINDS, TABLE_KINDS

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
                           district_code=a.district_code, overwrite=a.force)
    except PlanError as exc:
        raise CliError(str(exc)) from exc
    print(_("Created plan {name!r} at {where}").format(name=a.name, where=plan.display_location))
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
    print(f"{_('Plan')}: {data['name']}  ({data['location']})")
    print(f"{_('District')}: {data['district'] or '-'} {data['district_code'] or ''}")
    print(f"{_('Boundary')}: {data['boundary'] or _('none')}")
    print(f"{_('Road network')}: {counts['road_nodes']} {_('nodes')}, {counts['road_edges']} "
          f"{_('edges')}, {data['road_km']} km")
    kinds = data["sites_by_kind"]
    print(f"{_('Sites')}: {_('warehouses')} {kinds.get('warehouse', 0)}, {_('reserve points')} "
          f"{kinds.get('reserve_point', 0)}, {_('shelters')} {kinds.get('shelter', 0)}")
    print(f"{_('Demand units')}: {counts['demand_units']} ({_('population')} {pop:,}; "
          f"{_('not yet located')}: {unlocated})")
    print(f"{_('Towns')}: {counts['admin_units']}   {_('Supply items')}: {counts['supply_items']}   "
          f"{_('Stock lots')}: {counts['stock_lots']}")
    print(f"{_('Scenarios')}: {counts['scenarios']}   {_('Saved runs')}: {counts['plan_runs']}   "
          f"{_('Audit entries')}: {counts['audit_log']}")
    if data["attribution"]:
        print(f"{_('Data')}: {data['attribution']}")
    return EXIT_OK


def cmd_import(a: argparse.Namespace) -> int:
    from planner.io.dispatch import import_file
    from planner.io.errors import ImportFailed

    plan = _open(a.plan)
    path = Path(a.file)
    if not path.exists():
        raise CliError(_("file not found: {path}").format(path=path))
    try:
        report = import_file(plan, a.kind, path, clip=not a.no_clip, clip_buffer_m=a.clip_buffer_m,
                             name=a.name, code=a.code, mode=a.mode, crs=a.crs, sheet=a.sheet)
    except ImportFailed as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    print(report)
    return EXIT_OK


def cmd_export(a: argparse.Namespace) -> int:
    from planner.io.tables import export_table

    plan = _open(a.plan)
    n = export_table(plan, a.kind, Path(a.file))
    print(_("Wrote {file}").format(file=a.file) + (f" ({n} rows)" if isinstance(n, int) else ""))
    return EXIT_OK


def cmd_template(a: argparse.Namespace) -> int:
    from planner.io.tables import write_template

    write_template(a.kind, Path(a.file))
    print(_("Wrote the {kind} template to {file}").format(kind=a.kind, file=a.file))
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
        print(_("{n} rows").format(n=len(rows)))
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
        print(_("Built demo plan {name} at {path} in {s:.1f} s ({mb:.1f} MB)")
              .format(name=n, path=path, s=seconds, mb=size))
    return EXIT_OK


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
        description=_("esplan — emergency supplies & shelter planner (应急物资与避难场所规划), headless."),
        epilog=_("Exit codes: 0 success, 1 a check failed, 2 error (nothing written)."))
    p.add_argument("--version", action="version", version=f"esplan {__version__}")
    p.add_argument("--lang", choices=["zh", "en"], help=_("language of messages (default: system)"))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("new", help=_("create an empty plan (SQLite file or PostgreSQL URL)"))
    s.add_argument("plan", help=_("plan file (*.esplan) or postgresql+psycopg://user@host/db"))
    s.add_argument("--name", required=True, help=_("plan name"))
    s.add_argument("--district-name")
    s.add_argument("--district-code", help=_("6-digit district code, e.g. 370406"))
    s.add_argument("--force", action="store_true", help=_("replace an existing plan"))
    s.set_defaults(func=cmd_new)

    s = sub.add_parser("info", help=_("summarise a plan"))
    s.add_argument("plan")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_info)

    s = sub.add_parser("import", help=_("import a road network, boundary or registry table"),
                       description=_("Import into a plan. The whole file is one transaction: on any bad "
                                     "row nothing is written and every problem is listed with its "
                                     "row and field."))
    s.add_argument("plan")
    s.add_argument("kind", choices=IMPORT_KINDS)
    s.add_argument("file", help=_(".osm/.osm.pbf, .geojson, .csv or .xlsx"))
    s.add_argument("--mode", choices=["insert", "upsert"], default="insert",
                   help=_("upsert: update rows whose code already exists"))
    s.add_argument("--crs", default="wgs84", choices=["wgs84", "cgcs2000", "gcj02", "bd09"],
                   help=_("coordinate system of lon/lat columns (AMap: gcj02, Baidu: bd09)"))
    s.add_argument("--sheet", help=_("XLSX sheet name (default: the first)"))
    s.add_argument("--no-clip", action="store_true", help=_("do not clip roads to the district boundary"))
    s.add_argument("--clip-buffer-m", type=float, default=0.0,
                   help=_("keep roads within this distance outside the boundary"))
    s.add_argument("--name", help=_("boundary name"))
    s.add_argument("--code", help=_("boundary administrative code"))
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("export", help=_("export a registry table (CSV, XLSX or GeoJSON by suffix)"))
    s.add_argument("plan")
    s.add_argument("kind", choices=TABLE_KINDS)
    s.add_argument("file")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("template", help=_("write an empty import template (CSV or XLSX)"))
    s.add_argument("kind", choices=TABLE_KINDS)
    s.add_argument("file")
    s.set_defaults(func=cmd_template)

    s = sub.add_parser("list", help=_("list sites, demand units, towns, items, stock, scenarios or runs"))
    s.add_argument("plan")
    s.add_argument("what", choices=["sites", "demand", "towns", "items", "stock", "scenarios", "runs"])
    s.add_argument("--kind", choices=["warehouse", "reserve_point", "shelter"])
    s.add_argument("--town", help=_("town code"))
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("demo", help=_("build the demo plans from ../shared/data, or print their paths"))
    s.add_argument("action", choices=["build", "path"])
    s.add_argument("name", nargs="?", default="all", choices=["all", "andorra", "shanting"])
    s.add_argument("--shared", help=_("the shared data folder (default: ../shared or $ESPLAN_SHARED)"))
    s.add_argument("--out", help=_("output folder (default: resources/demo)"))
    s.set_defaults(func=cmd_demo)

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
    func: Callable[[argparse.Namespace], int] = a.func
    try:
        return int(func(a) or 0)
    except CliError as exc:
        print(f"esplan-cli: {_('error')}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # clear one-line message, not a traceback, for expected failures
        from planner.store import PlanError

        if isinstance(exc, (PlanError, OSError, ValueError)):
            print(f"esplan-cli: {_('error')}: {exc}", file=sys.stderr)
            return EXIT_ERROR
        raise


if __name__ == "__main__":
    sys.exit(main())
