"""``esplan-cli report PLAN [--scenario S] [--compare S2 …] [--lang zh|en] [--prepared-by NAME] -o plan.pdf``.

Exit status: 0 the PDF was written, 2 error (plan or scenario not found, no CJK font,
comparison unavailable, file not writable). planner/cli.py discovers :func:`add_report_parser`.
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from planner.text import text


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "report", help=text("cli.report.help"),
        description=text("cli.report.description"))
    p.add_argument("plan", help=text("cli.report.plan"))
    p.add_argument("-o", "--output", required=True, help=text("cli.report.o"))
    p.add_argument("--scenario", "-s", default=None, help=text("cli.report.scenario"))
    p.add_argument("--compare", nargs="+", action="extend", default=[], metavar="SCENARIO",
                   help=text("cli.report.compare"))
    p.add_argument("--lang", dest="report_lang", choices=("zh", "en"), default=None,
                   help=text("cli.report.lang"))
    p.add_argument("--prepared-by", default=None, help=text("cli.report.prepared_by"))
    p.add_argument("--recommend", action="store_true", help=text("cli.report.recommend"))
    p.add_argument("--quiet", "-q", action="store_true", help=text("cli.report.quiet"))
    p.set_defaults(func=cmd_report)
    return p


def cmd_report(args: argparse.Namespace) -> int:
    from planner.report import ReportError, write_report

    lang = args.report_lang or getattr(args, "lang", None) or "zh"
    t0 = time.perf_counter()
    try:
        out = write_report(args.plan, args.output, scenario=args.scenario, compare=args.compare, lang=lang,
                           prepared_by=args.prepared_by, recommend=args.recommend)
    except ReportError as exc:
        print(text("cli.error", command="esplan-cli report", error=exc), file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - any failure: one clear line and status 2
        print(text("cli.error", command="esplan-cli report", error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 2
    if not args.quiet:
        print(text("cli.report.written", path=out, pages=count_pages(out), kb=out.stat().st_size / 1024,
                   s=time.perf_counter() - t0))
    return 0


def count_pages(path: Any) -> int:
    """Pages of a PDF written by reportlab (page objects are uncompressed there)."""
    import re
    from pathlib import Path

    return len(re.findall(rb"/Type /Page[^s]", Path(path).read_bytes()))
