"""Numbers as text outside Qt: the CLI tables, the engine's findings, the printed plan's primitives.

A leaf module (imports nothing of planner) so the engine's findings can use it as well as the
CLI and :mod:`planner.report.fmt` (which builds the PDF's formats on top of it).

Rules shared by every function here:

* unknown — ``None``, a non-number, NaN or ±inf — prints as ``"—"`` (:data:`DASH`), never as 0;
* thousands separators (``1,234``) on every number printed without decimals;
* shares are fractions (0.482) printed as percentages (``48.2%`` / ``48.2 %``).
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["DASH", "as_number", "delta", "num", "pct", "value"]

DASH = "—"


def as_number(x: Any) -> float | None:
    """``x`` as a finite float, or None when unknown (None, not a number, NaN, ±inf)."""
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def num(x: Any, digits: int = 4, big: float = 1000.0) -> str:
    """A plain number: ``digits`` significant digits below ``big``, whole with thousands
    separators from ``big`` up: 0.5 → '0.5', 12.345 → '12.35', 41012.4 → '41,012'; None → '—'.
    ``bool`` prints as ``True``/``False``."""
    if isinstance(x, bool):
        return str(x)
    f = as_number(x)
    if f is None:
        return DASH
    return f"{f:,.0f}" if abs(f) >= big else f"{f:,.{digits}g}"


def pct(x: Any, digits: int = 1, sep: str = "") -> str:
    """A share as a percentage: 0.482409 → '48.2%' (``sep=" "``: '48.2 %'); None → '—'."""
    f = as_number(x)
    return DASH if f is None else f"{f * 100:,.{digits}f}{sep}%"


def value(x: Any, unit: str | None, fixed: int | None = None, unknown: str = DASH) -> str:
    """A check value with its unit: shares as '48.2 %', others '12.5 min' (:func:`num`, or
    ``fixed`` decimals). Unknown → ``unknown`` ('—' unless the caller says what it means)."""
    f = as_number(x)
    if f is None:
        return unknown
    if unit == "share":
        return pct(f, 1, " ")
    text = num(f) if fixed is None else f"{f:.{fixed}f}"
    return text if unit is None else f"{text} {unit}"


def delta(x: Any, unit: str | None = None) -> str:
    """A change, in brackets with its sign: ' (+1,234)', ' (-0.5)', shares ' (+2.5 pp)';
    '' for no change or unknown."""
    f = as_number(x)
    if f is None or f == 0:
        return ""
    if unit == "share":
        return f" ({f * 100:+.1f} pp)"
    return f" ({f:+,.0f})" if abs(f) >= 100 else f" ({f:+.3g})"
