"""Each scenario's map beside the reference's, as SVG text for a window (the printed plan's
图 x-y (a)/(b) figure: :func:`planner.report.maps.paired_maps`, the same symbols, scale and
legend), so the compare dialog and the PDF draw one picture of one comparison."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from reportlab.lib.units import mm


def paired_map_svgs(plan: Any, runs: list[tuple[Any, Any]], lang: str = "zh", *,
                    font_family: str | None = None, width_mm: float = 170.0) -> list[dict[str, Any]]:
    """``runs``: (input, result) pairs, the reference (the baseline) first. For each other run:
    ``{"scenario", "svg", "notes"}`` — the SVG of the reference's map (a) beside the scenario's (b)
    and the notes of what the scenario map does not draw. ``font_family``: the family the viewer
    knows the CJK font by (the SVG names the font as the PDF registers it)."""
    from reportlab.graphics import renderSVG

    from planner.report.data import ReportData, read_plan_context
    from planner.report.fonts import register_cjk_font
    from planner.report.maps import paired_maps

    if len(runs) < 2:
        return []
    font = register_cjk_font()
    ctx = read_plan_context(plan, None)
    ctx.pop("scenario_description", None)
    base = ReportData(inp=runs[0][0], result=runs[0][1], lang=lang, **ctx)
    out = []
    for inp, res in runs[1:]:
        m = paired_maps(base, replace(base, inp=inp, result=res), font, width=width_mm * mm)
        svg = renderSVG.drawToString(m.drawing)
        # reportlab leaves out the fill of stroked-only shapes; SVG's default fill is black
        svg = svg.replace("<svg ", '<svg fill="none" ', 1)
        if font_family:
            svg = svg.replace(f"font-family: {font};", f"font-family: '{font_family}';")
        out.append({"scenario": res.scenario, "svg": svg, "notes": list(m.notes)})
    return out
