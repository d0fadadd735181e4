"""Number formatting and labels for the printed plan (Chinese first, English second)."""
from __future__ import annotations

from typing import Any

from planner.textfmt import DASH, as_number as _num, pct as _pct


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
    return f"{f:,.1f} " + ("分钟" if lang == "zh" else "min")


def money(x: Any, lang: str = "zh") -> str:
    """Yuan: '8,500 元', '1,428.01 万元' (≥ 10,000 元) in Chinese; '¥14,280,108' in English."""
    f = _num(x)
    if f is None:
        return DASH
    if lang != "zh":
        return f"¥{round(f):,}"
    if abs(f) >= 10_000:
        return f"{f / 10_000:,.2f} 万元"
    return f"{round(f):,} 元"


def people(x: Any, lang: str = "zh") -> str:
    return integer(x) + (" 人" if lang == "zh" else "")


def area(x: Any) -> str:
    f = _num(x)
    return DASH if f is None else f"{round(f):,}"


# -- labels ------------------------------------------------------------------------------------
SHELTER_CLASS = {"zh": {"emergency": "紧急", "short": "短期", "medium": "中期", "long": "长期"},
                 "en": {"emergency": "emerg.", "short": "short", "medium": "medium", "long": "long"}}
STATUS = {"zh": {"built": "已建", "planned": "规划", "closed": "关闭"},
          "en": {"built": "built", "planned": "planned", "closed": "closed"}}
SITE_KIND = {"zh": {"warehouse": "储备仓库", "reserve_point": "前置储备点", "shelter": "避难场所"},
             "en": {"warehouse": "warehouse", "reserve_point": "reserve point", "shelter": "shelter"}}
TIER = {"zh": {"district": "区级", "town": "镇级", "village": "村级"},
        "en": {"district": "district", "town": "town", "village": "village"}}
UNUSABLE = {
    "zh": {"site_closed": "站点关闭/未建", "unlocated": "站点无坐标", "off_network": "站点不在路网上",
           "expired": "已过期", "agreement_no_lead_time": "协议储备未约定时限",
           "agreement_too_slow": "协议储备响应超时", "too_far": "超出送达时限"},
    "en": {"site_closed": "site closed / not built", "unlocated": "site not located",
           "off_network": "site off the road network", "expired": "expired",
           "agreement_no_lead_time": "agreement without lead time",
           "agreement_too_slow": "agreement lead time too long", "too_far": "beyond the delivery deadline"},
}
UNMET = {"zh": {"no_stock": "无库存", "unreachable": "道路不可达", "beyond_deadline": "超出首批时限",
                "insufficient_stock": "库存不足"},
         "en": {"no_stock": "no stock", "unreachable": "unreachable", "beyond_deadline": "beyond deadline",
                "insufficient_stock": "insufficient stock"}}
SNAP = {"zh": {"ok": "正常", "off_network": "距路网过远", "unlocated": "无坐标"},
        "en": {"ok": "ok", "off_network": "off network", "unlocated": "not located"}}
BASIS = {"zh": {"per_person_per_day": "人·天", "per_person": "人", "per_n_persons": "每 {r} 人 1"},
         "en": {"per_person_per_day": "person-day", "per_person": "person", "per_n_persons": "1 per {r} people"}}
PARAM_ZH = {
    "target_affected": "潜在受灾（保障目标）人口", "sheltering_share": "需避难人口比例",
    "threshold_min": "避难圈时间阈值（分钟）", "walk_speed_mps": "步行速度（米/秒）",
    "drive_speed_factor": "车速系数", "mode": "前往避难场所的方式", "previous_response_min": "以往响应时间（分钟）",
    "event_date": "评估基准日（库存须在当日未过期）", "first_batch_deadline_h": "首批物资送达时限（小时）",
    "horizon_h": "基本生活保障时长（小时）", "post_disaster_speed_factor": "灾后车速折减系数",
    "snap_max_m": "吸附路网最大距离（米）", "capacity_share_target": "避难容量占避难需求比例目标",
    "indoor_share_target": "室内容量占总容量比例目标",
    "fixed_share_target": "固定避难场所容量占规划人口比例目标",
    "include_planned": "规划（未建）避难场所计入", "scale_to_target": "按目标人口缩放单元人口",
    "norms_profile": "保障标准方案",
    "vulnerable_walk_speed_mps": "老弱病残孕步行速度（米/秒）",
    "indoor_area_share_fixed_target": "固定避难场所室内有效面积占比目标",
}
CONFIDENCE = {
    "zh": {"V": "已核实（原文）", "S": "二手来源", "R": "凭记忆，须对照标准原文核对", "D": "推导值",
           "A": "假设"},
    "en": {"V": "verified against the text", "S": "secondary source",
           "R": "recalled — check against the purchased standard", "D": "derived", "A": "assumption"},
}


def label(table: dict[str, dict[str, str]], key: Any, lang: str) -> str:
    if key is None:
        return DASH
    key = getattr(key, "value", key)   # enums (str subclasses) print as their value
    return table.get(lang, table["en"]).get(str(key), str(key))


def norm_rate(item: dict[str, Any], lang: str) -> str:
    """'3 L/人·天', '1 床/人', '每 4 人 1 顶'."""
    rate, basis, unit = item.get("rate"), item.get("basis"), item.get("unit") or ""
    n = _num(rate)
    r = qty(rate) if n is None or n >= 0.01 else f"{rate:.4g}"
    if basis == "per_n_persons":
        return (f"每 {r} 人 1 {unit}" if lang == "zh" else f"1 {unit} per {r} people")
    b = label(BASIS, basis, lang)
    return f"{r} {unit}/{b}"
