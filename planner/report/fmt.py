"""Number formatting and labels for the printed plan (Chinese first, English second)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.engine.texts import item_unit
from planner.report.typeset import nobr
from planner.text import label, text
from planner.textfmt import DASH, as_number as _num, pct as _pct

if TYPE_CHECKING:
    from planner.engine.results import SupplyLine


def integer(x: Any) -> str:
    """41012.4 → '41,012' (千分位)."""
    f = _num(x)
    return DASH if f is None else f"{round(f):,}"


def qty(x: Any) -> str:
    """A quantity with sensible decimals: 168749.9 → '168,750'; 9.031 → '9.03'; 0 → '0'."""
    f = _num(x)
    if f is None:
        return DASH
    a = abs(f)
    if a >= 100 or f == int(f):
        return f"{round(f):,}"
    if a >= 10:
        return f"{f:,.1f}"
    return f"{f:,.2f}".rstrip("0").rstrip(".")


def pct(x: Any, digits: int = 1) -> str:
    """0.482409 → '48.2%'."""
    return _pct(x, digits)


def minutes(x: Any, lang: str = "zh") -> str:
    f = _num(x)
    if f is None:
        return DASH
    return nobr(text("report.fmt.minutes", lang, minutes=f))


def money(x: Any, lang: str = "zh") -> str:
    """Money in a summary: '675.90万元' (万元, two decimals) in Chinese; '¥6,759,000' in English."""
    f = _num(x)
    if f is None:
        return DASH
    if lang != "zh":
        return text("report.fmt.yuan", lang, yuan=round(f))
    return nobr(text("report.fmt.wan_yuan", lang, wan=f / 10_000))


def yuan(x: Any, lang: str = "zh") -> str:
    """Money in a detail table: whole yuan, '8,500元' / '¥8,500'."""
    f = _num(x)
    return DASH if f is None else nobr(text("report.fmt.yuan", lang, yuan=round(f)))


def people(x: Any, lang: str = "zh") -> str:
    """'85,015人' (number and unit never parted); unknown '—'."""
    if _num(x) is None:
        return DASH
    return nobr(text("report.fmt.people", lang, people=integer(x)))


def pp(x: Any, lang: str = "zh") -> str:
    """A difference of two shares in percentage points: '+2.9个百分点' / '+2.9 pp'; unknown '—'."""
    f = _num(x)
    if f is None:
        return DASH
    v = round(f * 100, 1)
    return nobr(text("doc.fmt.pp", lang, pp=0.0 if v == 0 else v))


def date_text(d: Any, lang: str = "zh") -> str:
    """'2026年12月1日' / '1 December 2026' (a date or an ISO string; '—' when unknown)."""
    import datetime as dt

    if d is None or d == "":
        return DASH
    if isinstance(d, str):
        try:
            d = dt.date.fromisoformat(d[:10])
        except ValueError:
            return d
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {d.strftime('%B')} {d.year}"


def unit_label(u: Any, lang: str = "zh") -> str:
    """An item's unit in the report's language: 床 / 张 / 顶 / 个 are 'pcs' in English."""
    return item_unit(u, lang)


def area(x: Any) -> str:
    f = _num(x)
    return DASH if f is None else f"{round(f):,}"


# -- labels: enum values are labelled from the text catalogue (planner.text.label, enum.<group>.<value>)
#: the reasons stock is not usable (engine.supply.REASONS), in the order the report lists them
UNUSABLE_CODES = ("site_closed", "unlocated", "off_network", "expired", "agreement_no_lead_time",
                  "agreement_too_slow", "too_far")


def norm_rate(item: SupplyLine, lang: str) -> str:
    """'3 L/人·天', '1 床/人', '每 4 人 1 顶'."""
    rate, basis, unit = item.rate, item.basis, item.unit or ""
    n = _num(rate)
    r = qty(rate) if n is None or n >= 0.01 else f"{rate:.4g}"
    unit = unit_label(unit, lang)
    if basis == "per_n_persons":
        return text("report.norm_per_n_persons", lang, rate=r, unit=unit)
    return text("report.norm_rate", lang, rate=r, unit=unit, basis=label("basis", basis, lang))
