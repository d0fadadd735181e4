"""The record forms of the registers: what a new site, stock lot, demand unit or supply item
asks for, and the values the user gave (checked by :class:`desktop.dialogs.RecordDialog`).

Each ``ask_*`` function shows its form and returns the values to store, or None when the user
cancelled; the caller stores them through the editor (undoable, audited).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from desktop import i18n
from desktop.dialogs import RecordDialog
from desktop.fields import Col
from desktop.tables import CLASSES, MODES, SITE_KINDS, STATUSES, TIERS, ItemModel
from planner import registry
from planner.engine.texts import item_unit


def site_fields(row: dict[str, Any] | None) -> list[tuple[Col, Any]]:
    """The site form (code and kind only for a new site)."""
    r = row or {}
    new = row is None or "id" not in row
    return [
        (Col("code", "Code", required=True, editable=new), r.get("code")),
        (Col("name", "Name", required=True), r.get("name")),
        (Col("kind", "Kind", "enum", required=True, choices=SITE_KINDS, editable=new), r.get("kind", "shelter")),
        (Col("status", "Status", "enum", required=True, choices=STATUSES), r.get("status", "built")),
        (Col("tier", "Tier", "enum", choices=TIERS), r.get("tier")),
        (Col("shelter_class", "Class / tier", "enum", choices=CLASSES), r.get("shelter_class")),
        (Col("indoor_area_m2", "Indoor m²", "float"), r.get("indoor_area_m2")),
        (Col("outdoor_area_m2", "Outdoor m²", "float"), r.get("outdoor_area_m2")),
        (Col("stated_capacity", "Stated capacity", "int"), r.get("stated_capacity")),
        (Col("storage_area_m2", "Storage m²", "float"), r.get("storage_area_m2")),
        (Col("town_code", "Town"), r.get("town_code")),
        (Col("address", "Address"), r.get("address")),
        (Col("contact", "Contact"), r.get("contact")),
        (Col("phone", "Phone"), r.get("phone")),
        (Col("lon", "Longitude", "lonlat", minimum=-180, maximum=180), r.get("lon")),
        (Col("lat", "Latitude", "lonlat", minimum=-90, maximum=90), r.get("lat")),
    ]


def ask_new_site(parent: QWidget, towns: list[tuple[str, str]], lon: float | None = None,
                 lat: float | None = None) -> dict[str, Any] | None:
    init = {"lon": round(lon, 6) if lon is not None else None, "lat": round(lat, 6) if lat is not None else None}
    dlg = RecordDialog(QCoreApplication.translate("Forms", "Add site"), site_fields(init), parent,
                       choices={"town_code": towns})
    return dlg.values if dlg.exec() else None


def ask_site_changes(parent: QWidget, row: dict[str, Any], towns: list[tuple[str, str]]) -> dict[str, Any] | None:
    """The fields the user changed (code and kind stay), or None."""
    dlg = RecordDialog(QCoreApplication.translate("Forms", "Edit site {code}").format(code=row["code"]),
                       site_fields(row), parent, choices={"town_code": towns})
    if not dlg.exec():
        return None
    return {k: v for k, v in dlg.values.items() if k not in ("code", "kind") and v != row.get(k)} or None


def ask_new_stock_lot(parent: QWidget, plan: Any, site_id: int | None) -> dict[str, Any] | None:
    """A stock lot of a store or shelter (agreement stock needs its lead time)."""
    all_sites = registry.read(plan, "site", ["id", "code", "name", "kind"], order_by=("code",))
    # stores first (warehouses and reserve points), then shelters
    sites = [(o["id"], f"{o['code']} {o['name']}") for o in sorted(all_sites, key=lambda o: o["kind"] == "shelter")]
    zh = i18n.is_chinese()
    lang = "zh" if zh else "en"
    items = [(pk, f"{name_zh if zh else (name_en or name_zh)} ({item_unit(unit, lang)})")
             for pk, name_zh, name_en, unit
             in registry.values(plan, "supply_item", "id", "name_zh", "name_en", "unit", order_by=("code",))]
    fields = [(Col("site_id", "Site", required=True), site_id),
              (Col("item_id", "Item", required=True), None),
              (Col("quantity", "Quantity", "float", required=True), None),
              (Col("mode", "Mode", "enum", required=True, choices=MODES), "physical"),
              (Col("batch", "Batch"), None), (Col("expiry_date", "Expiry", "date"), None),
              (Col("lead_time_h", "Lead time h", "float"), None), (Col("supplier", "Supplier"), None)]
    dlg = RecordDialog(QCoreApplication.translate("Forms", "Add stock lot"), fields, parent,
                       choices={"site_id": sites, "item_id": items})
    while dlg.exec():
        v = dlg.values
        if v["mode"] == "agreement" and v.get("lead_time_h") is None:
            dlg.error.setText(QCoreApplication.translate("Forms", "Agreement stock needs a lead time."))
            continue
        return v
    return None


def ask_new_demand_unit(parent: QWidget, towns: list[tuple[str, str]]) -> dict[str, Any] | None:
    fields = [(Col("code", "Code", required=True), None), (Col("name", "Name", required=True), None),
              (Col("town_code", "Town"), None), (Col("population", "Population", "int"), None),
              (Col("vulnerable", "Vulnerable", "int"), None),
              (Col("lon", "Longitude", "lonlat", minimum=-180, maximum=180), None),
              (Col("lat", "Latitude", "lonlat", minimum=-90, maximum=90), None)]
    dlg = RecordDialog(QCoreApplication.translate("Forms", "Add demand unit"), fields, parent,
                       choices={"town_code": towns})
    return dlg.values if dlg.exec() else None


def ask_new_supply_item(parent: QWidget) -> dict[str, Any] | None:
    fields = [(Col("code", "Code", required=True), None)] + [(c, None) for c in ItemModel.COLUMNS[1:]]
    dlg = RecordDialog(QCoreApplication.translate("Forms", "Add supply item"), fields, parent)
    if not dlg.exec():
        return None
    v = dlg.values
    if v.get("category") is None:
        v["category"] = "living"
    return v
