"""Scenarios panel: what-if scenarios (hazard zones, closures, parameters), rerun, compare,
and the recommendations hook (``planner.scenario`` when it is available)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from desktop.tables import RowRole, enum_label
from planner import models as m

BASELINE = ""   # list key of the baseline


def scenario_module() -> Any | None:
    """planner.scenario's recommendation module, if this build has it (guarded import)."""
    import importlib

    try:
        return importlib.import_module("planner.scenario.recommend")
    except Exception:
        return None


def recommend_fn() -> Any | None:
    mod = scenario_module()
    fn = getattr(mod, "recommend", None) if mod is not None else None
    return fn if callable(fn) else None


def apply_fn() -> Any | None:
    mod = scenario_module()
    fn = getattr(mod, "apply_actions", None) if mod is not None else None
    return fn if callable(fn) else None


class ScenarioPanel(QWidget):
    scenarioChanged = Signal(str)        # "" = baseline
    drawHazardRequested = Signal()
    closeSiteRequested = Signal()
    runRequested = Signal()
    compareRequested = Signal()
    recommendRequested = Signal()
    applyRecommendationRequested = Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plan: Any = None
        self.editor: Any = None
        self._loading = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.list = QListWidget()
        self.list.setMaximumHeight(120)
        self.list.currentItemChanged.connect(self._on_current)
        lay.addWidget(self.list)
        row = QHBoxLayout()
        self.btn_new, self.btn_copy, self.btn_rename, self.btn_delete = (QPushButton() for _ in range(4))
        for b in (self.btn_new, self.btn_copy, self.btn_rename, self.btn_delete):
            row.addWidget(b)
        lay.addLayout(row)
        self.btn_new.clicked.connect(self.new_scenario)
        self.btn_copy.clicked.connect(self.copy_scenario)
        self.btn_rename.clicked.connect(self.rename_scenario)
        self.btn_delete.clicked.connect(self.delete_scenario)

        self.box_changes = QGroupBox()
        bl = QVBoxLayout(self.box_changes)
        self.changes = QListWidget()
        self.changes.setMaximumHeight(110)
        bl.addWidget(self.changes)
        r2 = QHBoxLayout()
        self.btn_draw, self.btn_close_site, self.btn_remove_change = QPushButton(), QPushButton(), QPushButton()
        for b in (self.btn_draw, self.btn_close_site, self.btn_remove_change):
            r2.addWidget(b)
        bl.addLayout(r2)
        self.btn_draw.clicked.connect(self.drawHazardRequested)
        self.btn_close_site.clicked.connect(self.closeSiteRequested)
        self.btn_remove_change.clicked.connect(self.remove_change)
        lay.addWidget(self.box_changes)

        self.box_params = QGroupBox()
        form = QFormLayout(self.box_params)
        self.p_target = QSpinBox()
        self.p_target.setRange(0, 50_000_000)
        self.p_target.setSingleStep(1000)
        self.p_target.setSpecialValueText("—")
        self.p_threshold = QDoubleSpinBox()
        self.p_threshold.setRange(0, 240)
        self.p_threshold.setSpecialValueText("—")
        self.p_walk = QDoubleSpinBox()
        self.p_walk.setRange(0, 3)
        self.p_walk.setDecimals(2)
        self.p_walk.setSingleStep(0.05)
        self.p_walk.setSpecialValueText("—")
        self.p_date = QLineEdit()
        self.p_date.setPlaceholderText("YYYY-MM-DD")
        self.lbl_target, self.lbl_threshold, self.lbl_walk, self.lbl_date = QLabel(), QLabel(), QLabel(), QLabel()
        form.addRow(self.lbl_target, self.p_target)
        form.addRow(self.lbl_threshold, self.p_threshold)
        form.addRow(self.lbl_walk, self.p_walk)
        form.addRow(self.lbl_date, self.p_date)
        self.btn_apply_params = QPushButton()
        self.btn_apply_params.clicked.connect(self.apply_params)
        form.addRow(self.btn_apply_params)
        lay.addWidget(self.box_params)

        r3 = QHBoxLayout()
        self.btn_run, self.btn_compare = QPushButton(), QPushButton()
        self.btn_run.clicked.connect(self.runRequested)
        self.btn_compare.clicked.connect(self.compareRequested)
        r3.addWidget(self.btn_run)
        r3.addWidget(self.btn_compare)
        lay.addLayout(r3)

        self.box_rec = QGroupBox()
        rl = QVBoxLayout(self.box_rec)
        self.recs = QListWidget()
        self.recs.setWordWrap(True)
        rl.addWidget(self.recs)
        r4 = QHBoxLayout()
        self.btn_recommend, self.btn_apply_rec = QPushButton(), QPushButton()
        self.btn_recommend.clicked.connect(self.recommendRequested)
        self.btn_apply_rec.clicked.connect(self._apply_rec)
        r4.addWidget(self.btn_recommend)
        r4.addWidget(self.btn_apply_rec)
        rl.addLayout(r4)
        self.rec_note = QLabel()
        self.rec_note.setWordWrap(True)
        rl.addWidget(self.rec_note)
        lay.addWidget(self.box_rec, 1)
        self.retranslate()

    # -- texts ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.btn_new.setText(self.tr("New"))
        self.btn_copy.setText(self.tr("Copy"))
        self.btn_rename.setText(self.tr("Rename"))
        self.btn_delete.setText(self.tr("Delete"))
        self.box_changes.setTitle(self.tr("Hazard zones and closures"))
        self.btn_draw.setText(self.tr("Draw flood zone"))
        self.btn_close_site.setText(self.tr("Close selected site"))
        self.btn_remove_change.setText(self.tr("Remove"))
        self.box_params.setTitle(self.tr("Parameters (— = plan default)"))
        self.lbl_target.setText(self.tr("Target affected people"))
        self.lbl_threshold.setText(self.tr("Time limit, min"))
        self.lbl_walk.setText(self.tr("Walking speed, m/s"))
        self.lbl_date.setText(self.tr("Event date"))
        self.btn_apply_params.setText(self.tr("Apply parameters"))
        self.btn_run.setText(self.tr("Run scenario"))
        self.btn_compare.setText(self.tr("Compare scenarios"))
        self.box_rec.setTitle(self.tr("Recommendations"))
        self.btn_recommend.setText(self.tr("Recommend sites"))
        self.btn_apply_rec.setText(self.tr("Apply to scenario"))
        available = recommend_fn() is not None
        self.btn_recommend.setEnabled(available)
        self.btn_apply_rec.setEnabled(available)
        self.rec_note.setText("" if available else self.tr(
            "Recommendations need the planner.scenario module, which this build does not have yet."))
        if self.plan is not None:
            self.reload()

    # -- data -------------------------------------------------------------------------------
    def set_plan(self, plan: Any, editor: Any) -> None:
        self.plan, self.editor = plan, editor
        self.recs.clear()
        self.reload()

    def current_name(self) -> str:
        it = self.list.currentItem()
        return it.data(Qt.ItemDataRole.UserRole) if it is not None else BASELINE

    def current_scenario(self) -> dict[str, Any] | None:
        name = self.current_name()
        if not name or self.plan is None:
            return None
        with self.plan.session() as s:
            sc = s.scalars(select(m.Scenario).where(m.Scenario.name == name)).first()
            if sc is None:
                return None
            return dict(id=sc.id, version=sc.version, name=sc.name, params=dict(sc.params or {}),
                        site_changes=list(sc.site_changes or []),
                        hazards=[(h.id, h.name, h.effect.value, h.geometry) for h in sc.hazards])

    def reload(self, select_name: str | None = None) -> None:
        keep = self.current_name() if select_name is None else select_name
        self._loading = True
        self.list.clear()
        base = QListWidgetItem(self.tr("Baseline (the plan as registered)"))
        base.setData(Qt.ItemDataRole.UserRole, BASELINE)
        self.list.addItem(base)
        cur = base
        if self.plan is not None:
            with self.plan.session() as s:
                names = list(s.scalars(select(m.Scenario.name).order_by(m.Scenario.id)))
            for n in names:
                it = QListWidgetItem(n)
                it.setData(Qt.ItemDataRole.UserRole, n)
                self.list.addItem(it)
                if n == keep:
                    cur = it
        self.list.setCurrentItem(cur)
        self._loading = False
        self._show_current()

    def _on_current(self, *_args) -> None:
        if self._loading:
            return
        self._show_current()
        self.scenarioChanged.emit(self.current_name())

    def _show_current(self) -> None:
        sc = self.current_scenario()
        is_scen = sc is not None
        for w in (self.btn_rename, self.btn_delete, self.box_changes, self.box_params):
            w.setEnabled(is_scen)
        self.btn_copy.setEnabled(True)
        self.changes.clear()
        params = sc["params"] if sc else {}
        self.p_target.setValue(int(params.get("target_affected") or 0))
        self.p_threshold.setValue(float(params.get("threshold_min") or 0))
        self.p_walk.setValue(float(params.get("walk_speed_mps") or 0))
        self.p_date.setText(str(params.get("event_date") or ""))
        if not sc:
            return
        for hid, name, effect, _g in sc["hazards"]:
            it = QListWidgetItem(self.tr("Hazard zone: {name} ({effect})").format(name=name, effect=enum_label(effect)))
            it.setData(RowRole, {"type": "hazard", "id": hid})
            self.changes.addItem(it)
        for k, ch in enumerate(sc["site_changes"]):
            it = QListWidgetItem(self.tr("Site {code}: {status}").format(
                code=ch.get("site_code"), status=enum_label(ch.get("status", ""))))
            it.setData(RowRole, {"type": "site_change", "index": k})
            self.changes.addItem(it)

    # -- actions ----------------------------------------------------------------------------
    def _ask_name(self, title: str, default: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, self.tr("Scenario name:"), text=default)
        name = name.strip()
        if not ok or not name:
            return None
        with self.plan.session() as s:
            if s.scalars(select(m.Scenario.id).where(m.Scenario.name == name)).first() is not None:
                QMessageBox.warning(self, title, self.tr("A scenario named “{name}” already exists.").format(name=name))
                return None
        return name

    def _unique(self, base: str) -> str:
        with self.plan.session() as s:
            names = set(s.scalars(select(m.Scenario.name)))
        k, name = 1, base
        while name in names:
            k += 1
            name = f"{base} {k}"
        return name

    def new_scenario(self, name: str | None = None) -> str | None:
        if self.plan is None:
            return None
        name = name or self._ask_name(self.tr("New scenario"), self._unique(self.tr("Flood")))
        if not name:
            return None
        if self.editor.insert(m.Scenario, {"name": name, "params": {}, "site_changes": [], "stock_changes": []},
                              text=self.tr("New scenario {name}").format(name=name)) is None:
            return None
        self.reload(select_name=name)
        self.scenarioChanged.emit(name)
        return name

    def copy_scenario(self) -> None:
        if self.plan is None:
            return
        src = self.current_scenario()
        name = self._ask_name(self.tr("Copy scenario"), self._unique((src["name"] if src else self.tr("Baseline")) + " " + self.tr("copy")))
        if not name:
            return
        vals = {"name": name, "params": dict(src["params"]) if src else {},
                "site_changes": list(src["site_changes"]) if src else [], "stock_changes": []}
        self.editor.stack.beginMacro(self.tr("Copy scenario to {name}").format(name=name))
        try:
            sid = self.editor.insert(m.Scenario, vals)
            if sid is not None and src:
                for _hid, hname, effect, geom in src["hazards"]:
                    self.editor.insert(m.HazardZone, {"scenario_id": sid, "name": hname, "effect": effect,
                                                      "factor": 1.0, "closes_sites": True, "geometry": geom})
        finally:
            self.editor.stack.endMacro()
        self.reload(select_name=name)
        self.scenarioChanged.emit(name)

    def rename_scenario(self) -> None:
        sc = self.current_scenario()
        if sc is None:
            return
        name = self._ask_name(self.tr("Rename scenario"), sc["name"])
        if name and self.editor.update(m.Scenario, sc["id"], {"name": name}, expected_version=sc["version"],
                                       text=self.tr("Rename scenario to {name}").format(name=name)):
            self.reload(select_name=name)
            self.scenarioChanged.emit(name)

    def delete_scenario(self) -> None:
        sc = self.current_scenario()
        if sc is None:
            return
        if QMessageBox.question(self, self.tr("Delete scenario"),
                                self.tr("Delete the scenario “{name}” with its hazard zones?").format(name=sc["name"])) \
                != QMessageBox.StandardButton.Yes:
            return
        if self.editor.delete(m.Scenario, sc["id"], text=self.tr("Delete scenario {name}").format(name=sc["name"])):
            self.reload(select_name=BASELINE)
            self.scenarioChanged.emit(BASELINE)

    def add_hazard(self, polygon_lonlat: list[tuple[float, float]], name: str | None = None) -> bool:
        from shapely.geometry import Polygon

        sc = self.current_scenario()
        if sc is None:
            return False
        poly = Polygon(polygon_lonlat)
        if not poly.is_valid:
            poly = poly.buffer(0)
        if poly.is_empty or poly.area <= 0:
            return False
        name = name or self.tr("Flood zone {n}").format(n=len(sc["hazards"]) + 1)
        ok = self.editor.insert(m.HazardZone, {"scenario_id": sc["id"], "name": name, "effect": "block",
                                               "factor": 1.0, "closes_sites": True, "geometry": poly},
                                text=self.tr("Draw hazard zone {name}").format(name=name)) is not None
        self._show_current()
        return ok

    def close_site(self, code: str) -> bool:
        sc = self.current_scenario()
        if sc is None:
            return False
        changes = [c for c in sc["site_changes"] if c.get("site_code") != code]
        changes.append({"site_code": code, "status": "closed"})
        ok = self.editor.update(m.Scenario, sc["id"], {"site_changes": changes}, expected_version=sc["version"],
                                text=self.tr("Close site {code} in the scenario").format(code=code))
        self._show_current()
        return ok

    def remove_change(self) -> None:
        it = self.changes.currentItem()
        sc = self.current_scenario()
        if it is None or sc is None:
            return
        ch = it.data(RowRole)
        if ch["type"] == "hazard":
            self.editor.delete(m.HazardZone, ch["id"], text=self.tr("Remove hazard zone"))
        else:
            changes = list(sc["site_changes"])
            changes.pop(ch["index"])
            self.editor.update(m.Scenario, sc["id"], {"site_changes": changes}, expected_version=sc["version"],
                               text=self.tr("Reopen site in the scenario"))
        self._show_current()

    def apply_params(self) -> None:
        sc = self.current_scenario()
        if sc is None:
            return
        params = dict(sc["params"])
        for key, val in (("target_affected", self.p_target.value()), ("threshold_min", self.p_threshold.value()),
                         ("walk_speed_mps", self.p_walk.value())):
            if val:
                params[key] = int(val) if key == "target_affected" else float(val)
            else:
                params.pop(key, None)
        date = self.p_date.text().strip()
        if date:
            try:
                params["event_date"] = dt.date.fromisoformat(date).isoformat()
            except ValueError:
                QMessageBox.warning(self, self.tr("Parameters"),
                                    self.tr("“{value}” is not a date (use YYYY-MM-DD).").format(value=date))
                return
        else:
            params.pop("event_date", None)
        self.editor.update(m.Scenario, sc["id"], {"params": params}, expected_version=sc["version"],
                           text=self.tr("Change scenario parameters"))

    # -- recommendations ----------------------------------------------------------------------
    def set_recommendations(self, recs: list[dict[str, Any]], zh: bool) -> None:
        self.recs.clear()
        for rec in recs:
            text = rec.get("zh" if zh else "en") or rec.get("text") or rec.get("name") or str(rec)
            it = QListWidgetItem(text)
            it.setData(RowRole, rec)
            self.recs.addItem(it)

    def _apply_rec(self) -> None:
        it = self.recs.currentItem()
        if it is not None:
            self.applyRecommendationRequested.emit(it.data(RowRole))
