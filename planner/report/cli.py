"""``esplan-cli report PLAN [--scenario S] [--compare S2 …] [--lang zh|en] [--prepared-by NAME] -o plan.pdf``.

Exit status: 0 the PDF was written, 2 error (plan or scenario not found, no CJK font,
comparison unavailable, file not writable). planner/cli.py discovers :func:`add_report_parser`.
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "report", help="write the printed plan (A4 PDF, Chinese by default)",
        description="Run the engine and write the plan as an A4 PDF: cover with sign-off fields, checks "
                    "against targets, district map, coverage by town, shelters, 72-hour supply, allocation "
                    "manifests and dispatch lists, isolated villages, actions, scenario comparison, "
                    "parameters and their sources. Exit 0 when written, 2 on error.")
    p.add_argument("plan", help="plan file (.esplan) or database URL")
    p.add_argument("-o", "--output", required=True, help="the PDF to write")
    p.add_argument("--scenario", "-s", default=None, help="scenario name (default: baseline)")
    p.add_argument("--compare", nargs="+", action="extend", default=[], metavar="SCENARIO",
                   help="also compare with these scenarios (the report's scenario is the reference)")
    p.add_argument("--lang", dest="report_lang", choices=("zh", "en"), default=None,
                   help="language of the report (default zh)")
    p.add_argument("--prepared-by", default=None, help="name printed in the 编制 (prepared by) field")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    p.set_defaults(func=cmd_report)
    return p


def cmd_report(args: argparse.Namespace) -> int:
    from planner.report import ReportError, write_report

    lang = args.report_lang or getattr(args, "lang", None) or "zh"
    t0 = time.perf_counter()
    try:
        out = write_report(args.plan, args.output, scenario=args.scenario, compare=args.compare, lang=lang,
                           prepared_by=args.prepared_by)
    except ReportError as exc:
        print(f"esplan-cli report: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - any failure: one clear line and status 2
        print(f"esplan-cli report: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"{out}: {count_pages(out)} pages, {out.stat().st_size / 1024:,.0f} KB, "
              f"{time.perf_counter() - t0:.1f} s")
    return 0


def count_pages(path: Any) -> int:
    """Pages of a PDF written by reportlab (page objects are uncompressed there)."""
    import re
    from pathlib import Path

    return len(re.findall(rb"/Type /Page[^s]", Path(path).read_bytes()))
