"""Check names and findings rendered from the text catalogue (:mod:`planner.text`).

The engine emits a finding as a ``code`` and its ``args`` (numbers, codes, and the bilingual
names of plan data such as supply items: ``{"zh": ..., "en": ...}``); :func:`finding_text`
renders it in one language from ``finding.<code>``. Rules for ``args``:

* a ``{"zh": ..., "en": ...}`` dict is the value in that language (names of plan data);
* a list is rendered item by item and joined with ``finding.<code>.sep``;
* a dict with a ``"code"`` is the sub-text ``finding.<code>.<its code>`` with its other entries;
* numbers named in :data:`NUMBERS` print like every number in a finding (:func:`fmt_number`);
  ``value``/``target`` print with the check's ``unit`` (:func:`fmt_check`).
"""
from __future__ import annotations

from typing import Any

from planner.text import catalogue, label, language, text
from planner.textfmt import DASH, as_number, num, pct, value

#: args printed as finding numbers (3 significant digits below 10, whole above)
NUMBERS = frozenset({"people", "minutes", "shortfall", "amount"})


def fmt_number(x: Any) -> str:
    """A number in a finding (planner.textfmt): 3 significant digits below 10, whole above."""
    return num(x, 3, 10.0)


def fmt_check(x: Any, unit: str, lang: str | None = None) -> str:
    """A check's value or target in a finding: Chinese "53.9%", "15.0分钟"; English "53.9 %",
    "15.0 min". A time with no value fails because somebody has no shelter place at all."""
    if unit == "min":
        if as_number(x) is None:
            return text("check.value_no_place", lang)
        return text("check.minutes", lang, minutes=float(x))
    if unit == "share" and as_number(x) is not None:
        return pct(x, 1, "" if (lang or language()) == "zh" else " ")
    return value(x, unit, fixed=1, unknown=DASH)


def item_unit(u: Any, lang: str | None) -> str:
    """An item's unit in ``lang``: the catalogue's Chinese counting words (床, 张, 顶, 个 …) are
    'pcs', 'tents' … in English (``enum.unit.<u>``); L, kg stay as they are."""
    if not u:
        return ""
    return label("unit", str(u), lang) if (lang or language()) == "en" else str(u)


def check_name(cid: str, lang: str, **args: Any) -> str:
    """The name of check ``cid``: ``check.<cid>``; the 72-hour supply checks share ``check.supply``."""
    a = {k: v[lang] if isinstance(v, dict) and set(v) == {"zh", "en"} else v for k, v in args.items()}
    return text("check.supply" if cid.startswith("supply_") else f"check.{cid}", lang, **a)


def _arg(key: str, name: str, v: Any, lang: str, args: dict[str, Any]) -> Any:
    if isinstance(v, dict) and set(v) == {"zh", "en"}:
        return v[lang]
    if isinstance(v, dict) and "code" in v:
        sub = {k: _arg(key, k, x, lang, v) for k, x in v.items() if k != "code"}
        return text(f"{key}.{v['code']}", lang, **sub)
    if isinstance(v, list):
        return text(f"{key}.sep", lang).join(str(_arg(key, name, x, lang, args)) for x in v)
    if name in NUMBERS:
        return fmt_number(v)
    if name in ("value", "target"):
        return fmt_check(v, args.get("unit") or "", lang)
    if name == "unit" and key != "finding.not_met":
        return item_unit(v, lang)       # an item's counting word: 床 in Chinese, pcs in English
    return "" if v is None else v


def finding_text(code: str, args: dict[str, Any], lang: str) -> str:
    """A finding in ``lang`` from its code and args."""
    key = f"finding.{code}"
    a = {k: _arg(key, k, v, lang, args) for k, v in args.items()}
    if code == "not_met":
        a["op"] = "≤" if args.get("unit") == "min" else "≥"
    elif code == "supply_shortfall":
        cost = args.get("cost")
        a["cost"] = text(f"{key}.cost", lang, cost=cost) if cost else (
            text(f"{key}.cost_unknown", lang) if cost is None else "")
    elif code == "flagged_village":
        parts = ([] if args.get("reachable") else [text(f"{key}.unreachable", lang)]) + (
            [text(f"{key}.unsupplied", lang)] if args.get("supplied") is False else [])
        a["state"] = text("finding.data_gaps.sep", lang).join(parts)
    elif code == "unusable":
        a["reasons"] = text(f"{key}.sep", lang).join(
            text(f"{key}.part", lang, reason=text(f"reason.{k}", lang) if f"reason.{k}" in catalogue() else k,
                 amount=fmt_number(n))
            for k, n in sorted(args["reasons"].items()))
    return text(key, lang, **a)


def finding(kind: str, severity: str, ref: str, code: str, **args: Any) -> dict[str, Any]:
    """A finding row: its code and args, and its texts in both languages (kept for scripts)."""
    return {"kind": kind, "severity": severity, "ref": ref, "code": code, "args": args,
            "zh": finding_text(code, args, "zh"), "en": finding_text(code, args, "en")}


#: the unit of each figure a check divides (``figure.<name>``); None: a count without a unit
_FIGURE_UNIT = {"served": "people", "sheltering_demand": "people", "capacity": "people",
                "indoor_capacity": "people", "fixed_capacity": "people", "planning_population": "people",
                "vulnerable_served": "people", "vulnerable_demand": "people", "indoor_area": "m2",
                "fixed_area": "m2", "towns_met": None, "towns": None, "shipped": "item", "required": "item"}


def check_basis(c: Any, lang: str) -> str:
    """What a check divides, in ``lang``: "可安置人数 47,725 人 / 避难需求人口 85,015 人" — the one
    text every reader (GUI, CLI, PDF) prints for a check's numerator and denominator, with what
    is incomplete. ``c``: a check row (dict) or :class:`planner.engine.rows.Check`."""
    get = c.get if isinstance(c, dict) else (lambda k, d=None: getattr(c, k, d))
    cid = get("id") or ""
    parts = []
    gaps = get("incomplete") or {}
    if get("numerator_of") and get("denominator_of"):
        for name, v in ((get("numerator_of"), get("numerator")), (get("denominator_of"), get("denominator"))):
            unit = _FIGURE_UNIT.get(str(name))
            qu = item_unit(get("quantity_unit"), lang)
            u = {"people": text("basis.people", lang), "m2": " m²", "item": f" {qu}".rstrip(),
                 None: ""}[unit]
            # a sum of nothing known (0 with data missing) is unknown, not 0
            known = v is not None and not (v == 0 and gaps)
            parts.append(f"{text(f'figure.{name}', lang)} {fmt_number(v) if known else DASH}{u}")
        out = " / ".join(parts)
    elif cid in ("mean_time_min", "p95_time_min", "max_time_min"):
        out = text("basis.time", lang, mode=text(f"basis.mode.{get('mode') or 'walk'}", lang))
    else:
        out = ""
    if gaps:
        out += text("basis.incomplete", lang, what=text("finding.data_gaps.sep", lang).join(
            text(f"basis.gap.{k}", lang, n=n) for k, n in sorted(gaps.items())))
    return out
