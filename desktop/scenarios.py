"""Scenarios panel: what-if scenarios (hazard zones, closures, parameters), rerun, compare and
recommendations. Every change goes through the scenario service (``planner.scenario.store``) as
an undoable command whose undo calls the service's inverse; the panel writes no rows itself."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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
from shapely.geometry import Polygon

from desktop.fields import enum_label
from desktop.tables import RowRole
from planner.scenario import store


class ScenarioPanel(QWidget):
    scenarioChanged = Signal(object)     # scenario name, None = the baseline
    drawHazardRequested = Signal()
    closeSiteRequested = Signal()
    runRequested = Signal()
    compareRequested = Signal()
    recommendRequested = Signal()
    applyRecommendationRequested = Signal(list)     # the recommendations to apply together

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
        r5 = QHBoxLayout()
        self.rec_mode = QComboBox()        # which problem (planner.scenario.recommend)
        self.rec_k = QSpinBox()
        self.rec_k.setRange(1, 50)
        self.rec_k.setValue(3)
        self.rec_k.setPrefix("k = ")
        self.rec_mode.currentIndexChanged.connect(
            lambda: self.rec_k.setEnabled(self.rec_mode.currentData() == "best-k"))
        r5.addWidget(self.rec_mode, 1)
        r5.addWidget(self.rec_k)
        rl.addLayout(r5)
        self.recs = QListWidget()
        self.recs.setWordWrap(True)
        # several recommendations can be applied at once (Ctrl/Shift-click)
        self.recs.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        rl.addWidget(self.recs)
        self.rec_summary = QLabel()          # where the recommendation leaves the target
        self.rec_summary.setWordWrap(True)
        rl.addWidget(self.rec_summary)
        r4 = QHBoxLayout()
        self.btn_recommend, self.btn_apply_rec = QPushButton(), QPushButton()
        self.btn_recommend.clicked.connect(self.recommendRequested)
        self.btn_apply_rec.clicked.connect(self._apply_rec)
        r4.addWidget(self.btn_recommend)
        r4.addWidget(self.btn_apply_rec)
        rl.addLayout(r4)
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
        self.lbl_target.setText(self.tr("Supply population"))
        self.p_target.setToolTip(self.tr("保障人口: the people the 72-hour supply must cover in this scenario "
                                         "(— = the plan's figure, Plan ▸ Plan figures…)"))
        self.p_date.setToolTip(self.tr("灾害发生日期: stock must be unexpired on this day (empty = the plan's "
                                       "figure, Plan ▸ Plan figures…)"))
        self.lbl_threshold.setText(self.tr("Time limit, min"))
        self.lbl_walk.setText(self.tr("Walking speed, m/s"))
        self.lbl_date.setText(self.tr("Event date"))
        self.btn_apply_params.setText(self.tr("Apply parameters"))
        self.btn_run.setText(self.tr("Run scenario"))
        self.btn_compare.setText(self.tr("Compare scenarios"))
        self.box_rec.setTitle(self.tr("Recommendations"))
        self.btn_recommend.setText(self.tr("Recommend sites"))
        mode = self.rec_mode.currentData() or "shelters"
        self.rec_mode.blockSignals(True)
        self.rec_mode.clear()
        for data, label in (("shelters", self.tr("Fewest new shelters to reach the target")),
                            ("best-k", self.tr("The best k new shelters")),
                            ("points", self.tr("Reserve points within the delivery deadline"))):
            self.rec_mode.addItem(label, data)
        self.rec_mode.setCurrentIndex(max(0, self.rec_mode.findData(mode)))
        self.rec_mode.blockSignals(False)
        self.rec_k.setEnabled(mode == "best-k")
        self.btn_apply_rec.setText(self.tr("Apply to scenario"))
        if self.plan is not None:
            self.reload()

    # -- data -------------------------------------------------------------------------------
    def set_plan(self, plan: Any, editor: Any) -> None:
        self.plan, self.editor = plan, editor
        self.recs.clear()
        self.reload()

    def current_name(self) -> str | None:
        """The selected scenario's name; None for the baseline."""
        it = self.list.currentItem()
        return it.data(Qt.ItemDataRole.UserRole) if it is not None else None

    def current_scenario(self) -> dict[str, Any] | None:
        """The selected scenario as the scenario service gives it (hazards with their polygons)."""
        name = self.current_name()
        if name is None or self.plan is None:
            return None
        try:
            return store.get_scenario(self.plan, name, geometry=True)
        except store.ScenarioError:  # deleted meanwhile (by undo or by a colleague)
            return None

    def reload(self, select_name: str | None = None) -> None:
        keep = self.current_name() if select_name is None else select_name
        self._loading = True
        self.list.clear()
        base = QListWidgetItem(self.tr("Baseline (the plan as registered)"))
        base.setData(Qt.ItemDataRole.UserRole, None)
        self.list.addItem(base)
        cur = base
        if self.plan is not None:
            for n in store.scenario_names(self.plan):
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
        self.p_target.setValue(int(params.get("supply_population") or params.get("target_affected") or 0))
        self.p_threshold.setValue(float(params.get("threshold_min") or 0))
        self.p_walk.setValue(float(params.get("walk_speed_mps") or 0))
        self.p_date.setText(str(params.get("event_date") or ""))
        if not sc:
            return
        for h in sc["hazards"]:
            it = QListWidgetItem(self.tr("Hazard zone: {name} ({effect})").format(
                name=h["name"], effect=enum_label(h["effect"])))
            it.setData(RowRole, {"type": "hazard", "id": h["id"]})
            self.changes.addItem(it)
        for ch in sc["site_changes"]:
            it = QListWidgetItem(self.tr("Site {code}: {status}").format(
                code=ch.get("site_code"), status=enum_label(ch.get("status", ""))))
            it.setData(RowRole, {"type": "site_change", "site_code": ch.get("site_code")})
            self.changes.addItem(it)

    # -- actions: every change goes through the scenario service (planner.scenario.store) -----
    def _change(self, text: str, do: Any, undo: Any, select_name: str | None = None) -> Any:
        """One undoable change: ``do()`` and its inverse ``undo(value_of_do)`` (service calls)."""
        ok, value = self.editor.run_service(text, do, undo, tables=("scenario",))
        if ok and select_name is not None:
            self.reload(select_name=select_name)
            self.scenarioChanged.emit(select_name)
        else:
            self._show_current()
        return value if ok else None

    def _ask_name(self, title: str, default: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, self.tr("Scenario name:"), text=default)
        name = name.strip()
        if not ok or not name:
            return None
        if name in store.scenario_names(self.plan):
            QMessageBox.warning(self, title, self.tr("A scenario named “{name}” already exists.").format(name=name))
            return None
        return name

    def _unique(self, base: str) -> str:
        names = set(store.scenario_names(self.plan))
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
        plan = self.plan
        done = self._change(self.tr("New scenario {name}").format(name=name),
                            lambda: store.create_scenario(plan, name),
                            lambda _v: store.delete_scenario(plan, name), select_name=name)
        return name if done is not None else None

    def copy_scenario(self, name: str | None = None) -> str | None:
        """Copy the selected scenario (every hazard field, site, stock and parameter change) or,
        with the baseline selected, start an empty scenario."""
        if self.plan is None:
            return None
        src = self.current_name()
        name = name or self._ask_name(self.tr("Copy scenario"),
                                      self._unique((src or self.tr("Baseline")) + " " + self.tr("copy")))
        if not name:
            return None
        plan = self.plan
        done = self._change(self.tr("Copy scenario to {name}").format(name=name),
                            lambda: store.create_scenario(plan, name, copy_from=src),
                            lambda _v: store.delete_scenario(plan, name), select_name=name)
        return name if done is not None else None

    def rename_scenario(self, new: str | None = None) -> None:
        old = self.current_name()
        if old is None:
            return
        new = new or self._ask_name(self.tr("Rename scenario"), old)
        if not new:
            return
        plan = self.plan
        self._change(self.tr("Rename scenario to {name}").format(name=new),
                     lambda: store.rename_scenario(plan, old, new),
                     lambda _v: store.rename_scenario(plan, new, old), select_name=new)

    def delete_scenario(self, *, confirm: bool = True) -> None:
        name = self.current_name()
        if name is None:
            return
        if confirm and QMessageBox.question(
                self, self.tr("Delete scenario"),
                self.tr("Delete the scenario “{name}” with its hazard zones?").format(name=name)) \
                != QMessageBox.StandardButton.Yes:
            return
        plan = self.plan
        state = store.scenario_state(plan, name)
        if self._change(self.tr("Delete scenario {name}").format(name=name),
                        lambda: store.delete_scenario(plan, name) or True,
                        lambda _v: store.restore_scenario(plan, state)) is not None:
            self.reload(select_name=None)
            self.scenarioChanged.emit(None)

    def add_hazard(self, polygon_lonlat: list[tuple[float, float]], name: str | None = None) -> bool:
        """A drawn flood zone (blocks roads, closes the sites inside). The service checks the
        polygon exactly as for the CLI: a self-intersecting outline is refused, never repaired."""
        sc = self.current_scenario()
        if sc is None:
            return False
        scen, plan = sc["name"], self.plan
        name = name or self.tr("Flood zone {n}").format(n=len(sc["hazards"]) + 1)
        return self._change(self.tr("Draw hazard zone {name}").format(name=name),
                            lambda: store.add_hazard(plan, scen, Polygon(polygon_lonlat), name=name,
                                                     effect="block", closes_sites=True),
                            lambda hid: store.remove_hazard(plan, scen, hid)) is not None

    def close_site(self, code: str) -> bool:
        sc = self.current_scenario()
        if sc is None:
            return False
        scen, plan = sc["name"], self.plan
        before = store.get_site_change(plan, scen, code)
        return self._change(self.tr("Close site {code} in the scenario").format(code=code),
                            lambda: store.put_site_change(plan, scen, code, {**(before or {}), "status": "closed"})
                            or True,
                            lambda _v: store.put_site_change(plan, scen, code, before)) is not None

    def remove_change(self) -> None:
        it = self.changes.currentItem()
        sc = self.current_scenario()
        if it is None or sc is None:
            return
        ch, scen, plan = it.data(RowRole), sc["name"], self.plan
        if ch["type"] == "hazard":
            state = store.hazard_state(plan, scen, ch["id"])
            self._change(self.tr("Remove hazard zone"),
                         lambda: store.remove_hazard(plan, scen, ch["id"]) or True,
                         lambda _v: store.restore_hazard(plan, scen, state))
        else:
            code = ch["site_code"]
            before = store.get_site_change(plan, scen, code)
            self._change(self.tr("Reopen site in the scenario"),
                         lambda: store.put_site_change(plan, scen, code, None) or True,
                         lambda _v: store.put_site_change(plan, scen, code, before))

    def form_params(self) -> dict[str, Any]:
        """The scenario's overrides with the form's four fields (a field at “—” removes its override);
        the other overrides (set from the CLI) are kept. Validated by the service, not here."""
        sc = self.current_scenario()
        params = dict(sc["params"]) if sc else {}
        params.pop("target_affected", None)   # the old name of supply_population: the field shows it, and replaces it
        for key, val in (("supply_population", self.p_target.value()), ("threshold_min", self.p_threshold.value()),
                         ("walk_speed_mps", self.p_walk.value())):
            if val:
                params[key] = int(val) if key == "supply_population" else float(val)
            else:
                params.pop(key, None)
        date = self.p_date.text().strip()
        if date:
            params["event_date"] = date
        else:
            params.pop("event_date", None)
        return params

    def apply_params(self) -> None:
        sc = self.current_scenario()
        if sc is None:
            return
        scen, plan, old, new = sc["name"], self.plan, dict(sc["params"]), self.form_params()
        self._change(self.tr("Change scenario parameters"),
                     lambda: store.replace_params(plan, scen, new),
                     lambda _v: store.replace_params(plan, scen, old))

    # -- recommendations ----------------------------------------------------------------------
    def recommend_request(self) -> tuple[str, int]:
        """The chosen problem ("shelters", "best-k", "points") and k (for best-k)."""
        return self.rec_mode.currentData() or "shelters", self.rec_k.value()

    def set_recommendations(self, recs: list[dict[str, Any]], zh: bool, summary: str = "") -> None:
        self.recs.clear()
        self.rec_summary.setText(summary)
        for rec in recs:
            text = rec.get("zh" if zh else "en") or rec.get("text") or rec.get("name") or str(rec)
            it = QListWidgetItem(text)
            it.setData(RowRole, rec)
            self.recs.addItem(it)

    def mark_applied(self, rec: dict[str, Any], scenario: str) -> None:
        """An applied recommendation stays listed, marked, and can no longer be applied."""
        for k in range(self.recs.count()):
            it = self.recs.item(k)
            if it.data(RowRole) is rec or it.data(RowRole) == rec:
                it.setText(self.tr("Applied to “{scenario}”: {text}").format(scenario=scenario, text=it.text()))
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)

    def _apply_rec(self) -> None:
        """Apply the selected recommendations (several at once), else the current one."""
        items = [it for it in self.recs.selectedItems() if it.flags() & Qt.ItemFlag.ItemIsEnabled]
        if not items:
            it = self.recs.currentItem()
            items = [it] if it is not None and it.flags() & Qt.ItemFlag.ItemIsEnabled else []
        if items:
            self.applyRecommendationRequested.emit([it.data(RowRole) for it in items])
