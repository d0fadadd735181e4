"""The printed plan: a Chinese (or English) A4 PDF made with reportlab — no Qt here.

    from planner.report import write_report
    write_report("district.esplan", "plan.pdf", scenario=None, compare=["洪水"], lang="zh",
                 prepared_by="张三")

``plan`` is a :class:`planner.store.Plan` or a location (file path / database URL).
``result``: an already computed :class:`planner.engine.run.PlanResult` for ``scenario``
(otherwise the engine runs here). ``progress``: an object with ``set_progress(fraction,
message)`` and ``is_cancelled()`` (raises :class:`planner.progress.Cancelled` when cancelled; no
file is left behind). The CJK font is found by :func:`planner.report.fonts.find_cjk_font`.
"""
from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from planner.progress import Span, tell

__all__ = ["ReportError", "write_report"]

log = logging.getLogger(__name__)


class ReportError(Exception):
    """The report cannot be made (message is for the user)."""


def _scenario_arg(name: Any) -> Any:
    if name is None or (isinstance(name, str) and name.strip().lower() in ("", "baseline", "基准", "基准情景")):
        return None
    return name


def compare_results(results: list[Any]) -> dict[str, Any]:
    """``planner.scenario.compare.compare_results`` (a clear error when it is not available)."""
    try:
        from planner.scenario.compare import compare_results as cmp
    except ImportError as exc:
        raise ReportError("scenario comparison is not available in this build "
                          f"(planner.scenario.compare cannot be imported: {exc})") from exc
    return cmp(results)


def write_report(plan: Any, out_path: str | os.PathLike[str], *, scenario: str | None = None,
                 compare: Sequence[str] = (), lang: str = "zh", prepared_by: str | None = None,
                 progress: Any = None, result: Any = None, recommend: bool | dict[str, Any] = False) -> Path:
    """Write the printed plan for ``scenario`` (None = baseline) to ``out_path``; returns the path.

    ``recommend``: True runs the shelter recommendation (fewest new sites to the target, verified
    by a rerun) for the scenario and prints it in the layout chapter; a dict is such a result
    already computed (the GUI's)."""
    # lazy for start-up speed: importing any planner.report submodule runs this file (the GUI
    # imports planner.report.fonts early), so numpy, scipy, SQLAlchemy and reportlab load only
    # when a report is written
    from planner import __version__
    from planner.engine.run import run_plan
    from planner.report.data import ReportData, read_plan_context
    from planner.report.fonts import FontNotFound, register_cjk_font
    from planner.scenario.runs import load_snapshot

    if lang not in ("zh", "en"):
        raise ReportError(f"unknown report language {lang!r} (zh or en)")
    try:
        register_cjk_font()                      # fail early and clearly when no font is found
    except FontNotFound as exc:
        raise ReportError(str(exc)) from exc
    out = Path(out_path)
    if out.is_dir():
        raise ReportError(f"{out} is a folder; give the PDF file name")
    scenario = _scenario_arg(scenario)
    compare = [c for c in (compare or ())]

    opened = None
    session = None
    if isinstance(plan, (str, os.PathLike)):
        from planner.store import PlanError, open_plan

        try:
            plan = opened = open_plan(plan)
        except PlanError as exc:
            raise ReportError(str(exc)) from exc
    try:
        tell(progress, 0.0, "reading the plan")
        try:
            inp = load_snapshot(plan, scenario)
        except KeyError as exc:
            raise ReportError(str(exc.args[0]) if exc.args else str(exc)) from exc
        if result is not None and result.inputs_hash != inp.inputs_hash:
            # the plan changed since that result was computed: never print fresh maps beside stale figures
            log.info("the given result (inputs %s) is stale for the plan now (inputs %s): rerunning",
                     result.inputs_hash[:12], inp.inputs_hash[:12])
            result = None
        n_runs = (result is None) + len(compare)
        eng_hi = 0.1 + 0.5 * min(1, n_runs) if n_runs else 0.1
        step = (eng_hi - 0.05) / max(1, n_runs)
        lo = 0.05
        # the report's runs share one what-if session (the graph and its snapping built once,
        # the searches memoised; the same results as run_plan) — at a city's size the second
        # graph cost ≈ 12 s and 2.5 GB; one run needs none
        if n_runs > 1:
            from planner.engine.session import WhatIf

            session = whatif = WhatIf()
            run_one = lambda i, p: whatif.run_input(i, progress=p)  # noqa: E731
        else:
            run_one = run_plan
        if result is None:
            result = run_one(inp, Span(progress, lo, lo + step) if progress is not None else None)
            lo += step
        comparison = None
        runs: list[tuple[Any, Any, Any]] = []
        if compare:
            # every change is printed as scenario − reference: the baseline is the reference when
            # it is among the runs (``--scenario 洪水 --compare baseline`` compares the flood with
            # the baseline, never the other way round), otherwise the report's own scenario
            runs = [(scenario, inp, result)]
            for name in compare:
                name = _scenario_arg(name)
                if name == scenario or any(name == n for n, _i, _r in runs):
                    continue
                try:
                    other_inp = load_snapshot(plan, name)
                except KeyError as exc:
                    raise ReportError(str(exc.args[0]) if exc.args else str(exc)) from exc
                runs.append((name, other_inp, run_one(other_inp, Span(progress, lo, lo + step)
                                                      if progress is not None else None)))
                lo += step
            runs.sort(key=lambda nr: nr[0] is not None)       # the baseline (None) first, stable
            if len(runs) > 1:
                comparison = compare_results([r for _n, _i, r in runs])
        tell(progress, eng_hi, "map")
        rec = recommend if isinstance(recommend, dict) else None
        if recommend is True:
            from planner.scenario.recommend import recommend as run_recommend

            tell(progress, eng_hi, "recommend")
            rec = run_recommend(plan, "shelters", scenario=scenario, verify=True)
        ctx = read_plan_context(plan, scenario)
        data = ReportData(inp=inp, result=result, lang=lang, comparison=comparison, prepared_by=prepared_by,
                          version=__version__, location=os.path.basename(getattr(plan, "display_location", "") or ""),
                          recommendations=rec, comparison_runs=[(i, r) for _n, i, r in runs], **ctx)
        from planner.report.pdf import build_pdf

        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".pdf.part", dir=str(out.parent))
        os.close(fd)
        try:
            build_pdf(data, tmp, progress=progress, span=(eng_hi + 0.05, 0.99))
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        if progress is not None:
            progress.set_progress(1.0, "done")
        return out
    finally:
        if session is not None:
            session.close()
        if opened is not None:
            opened.dispose()
