"""The main window: map canvas in the centre, docks for the registries, scenarios and results."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.dialogs import CompareDialog, ImportDialog, RecordDialog, ReportDialog, ask_database_url, show_conflict
from desktop.editing import Editor, apply_actions_command
from desktop.mapcanvas import MapCanvas
from desktop.results import ResultsPanel, fmt_value
from desktop.scenarios import ScenarioPanel
from desktop.settings import Settings
from desktop.tables import (
    CLASSES,
    MODES,
    SITE_KINDS,
    STATUSES,
    TIERS,
    Col,
    DemandModel,
    IdRole,
    ItemModel,
    RowFilterProxy,
    RowRole,
    SiteModel,
    StockModel,
    enum_label,
)
from desktop.runner import Runner
from desktop.worker import EngineCache, Task, run_plan_task
from planner import logs, registry
from planner.store import PlanError, create_plan, open_plan
from planner.scenario import store as scenario_store
from planner.engine.results import closed_site_codes, places_for, result_counts, unusable_lot_ids


def _icon(widget: QWidget, name: str) -> QIcon:
    return widget.style().standardIcon(getattr(QStyle.StandardPixmap, name))


def app_icon() -> QIcon:
    p = Path(__file__).resolve().parents[1] / "resources" / "icons" / "esplan.svg"
    try:
        import esplan_resources

        p2 = Path(esplan_resources.path("icons", "esplan.svg"))
        if p2.exists():
            p = p2
    except Exception:
        pass
    return QIcon(str(p)) if p.exists() else QIcon()


class MainWindow(QMainWindow):
    def __init__(self, plan_location: str | Path | None = None, *, settings: Settings | None = None):
        super().__init__()
        self.settings = settings or Settings()
        self.plan: Any = None
        self.editor: Editor | None = None
        self.result: Any = None
        self.result_stale = False
        self.runner = Runner(self)       # background work: cancel + restart, never a silent drop
        self._edits = 0                  # plan changes seen; a result computed before the last one is stale
        self.engine_cache = EngineCache()  # what-if state kept between runs of this plan
        self._auto_rerun = False
        self._place_action = "move"
        self._selecting = False
        self.setWindowIcon(app_icon())
        self.resize(1400, 880)
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_statusbar()
        self.retranslate()
        geo, state = self.settings.geometry, self.settings.state
        if not geo.isEmpty():
            self.restoreGeometry(geo)
        if not state.isEmpty():
            self.restoreState(state)
        if plan_location is not None:
            self.open_location(str(plan_location))

    # ================================================================== building the window
    def _build_central(self) -> None:
        self.canvas = MapCanvas(self)
        self.setCentralWidget(self.canvas)
        self.canvas.siteSelected.connect(self._map_selected_site)
        self.canvas.unitSelected.connect(self._map_selected_unit)
        self.canvas.hazardDrawn.connect(self._hazard_drawn)
        self.canvas.pointPicked.connect(self._point_picked)
        self.canvas.cursorMoved.connect(lambda lon, lat: self.coord_label.setText(f"{lon:.5f}, {lat:.5f}"))

    def _table(self, model, proxy) -> QTableView:
        proxy.setSourceModel(model)
        v = QTableView()
        v.setModel(proxy)
        v.setSortingEnabled(True)
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        v.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        v.setAlternatingRowColors(True)
        v.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                          | QAbstractItemView.EditTrigger.AnyKeyPressed)
        v.verticalHeader().setDefaultSectionSize(22)
        v.verticalHeader().hide()
        v.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        v.horizontalHeader().setStretchLastSection(True)
        model.invalid.connect(self._invalid_edit)
        model.edit_handler = lambda row, changes, _m=model: self._edit_row(_m, row, changes)
        return v

    def _dock(self, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        d = QDockWidget(self)
        d.setObjectName(name)
        d.setWidget(widget)
        self.addDockWidget(area, d)
        return d

    def _build_docks(self) -> None:
        # sites
        self.site_model, self.site_proxy = SiteModel(self), RowFilterProxy(self)
        self.site_view = self._table(self.site_model, self.site_proxy)
        self.site_view.selectionModel().currentRowChanged.connect(self._table_selected_site)
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(2, 2, 2, 2)
        bar = QHBoxLayout()
        self.f_kind, self.f_town, self.f_status = QComboBox(), QComboBox(), QComboBox()
        self.f_text = QLineEdit()
        self.f_text.setClearButtonEnabled(True)
        for wdg in (self.f_kind, self.f_status, self.f_town):
            bar.addWidget(wdg)
        bar.addWidget(self.f_text, 1)
        self.f_kind.currentIndexChanged.connect(lambda: self.site_proxy.set_field_filter("kind", self.f_kind.currentData()))
        self.f_status.currentIndexChanged.connect(lambda: self.site_proxy.set_field_filter("status", self.f_status.currentData()))
        self.f_town.currentIndexChanged.connect(lambda: self.site_proxy.set_field_filter("town_code", self.f_town.currentData()))
        self.f_text.textChanged.connect(self.site_proxy.setFilterFixedString)
        lay.addLayout(bar)
        lay.addWidget(self.site_view)
        self.dock_sites = self._dock("dock_sites", w, Qt.DockWidgetArea.LeftDockWidgetArea)
        # stock
        self.stock_model, self.stock_proxy = StockModel(self), RowFilterProxy(self)
        self.stock_view = self._table(self.stock_model, self.stock_proxy)
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(2, 2, 2, 2)
        bar = QHBoxLayout()
        self.stock_label = QLabel()
        self.btn_all_stock, self.btn_add_lot, self.btn_del_lot = QPushButton(), QPushButton(), QPushButton()
        bar.addWidget(self.stock_label, 1)
        for b in (self.btn_all_stock, self.btn_add_lot, self.btn_del_lot):
            bar.addWidget(b)
        self.btn_all_stock.clicked.connect(lambda: self._show_stock_of(None))
        self.btn_add_lot.clicked.connect(self.add_stock_lot)
        self.btn_del_lot.clicked.connect(self.delete_stock_lot)
        lay.addLayout(bar)
        lay.addWidget(self.stock_view)
        self.dock_stock = self._dock("dock_stock", w, Qt.DockWidgetArea.LeftDockWidgetArea)
        # population
        self.demand_model, self.demand_proxy = DemandModel(self), RowFilterProxy(self)
        self.demand_view = self._table(self.demand_model, self.demand_proxy)
        self.demand_view.selectionModel().currentRowChanged.connect(self._table_selected_unit)
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(2, 2, 2, 2)
        bar = QHBoxLayout()
        self.d_outcome = QComboBox()
        self.d_text = QLineEdit()
        self.d_text.setClearButtonEnabled(True)
        self.d_text.textChanged.connect(self.demand_proxy.setFilterFixedString)
        self.d_outcome.currentIndexChanged.connect(self._filter_outcome)
        bar.addWidget(self.d_outcome)
        bar.addWidget(self.d_text, 1)
        lay.addLayout(bar)
        lay.addWidget(self.demand_view)
        self.dock_demand = self._dock("dock_demand", w, Qt.DockWidgetArea.BottomDockWidgetArea)
        # supply items
        self.item_model, self.item_proxy = ItemModel(self), RowFilterProxy(self)
        self.item_view = self._table(self.item_model, self.item_proxy)
        self.dock_items = self._dock("dock_items", self.item_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        # log
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.dock_log = self._dock("dock_log", self.log_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        # results and scenarios
        self.results = ResultsPanel(self)
        self.results.checkActivated.connect(self.show_check)
        self.results.findingActivated.connect(self.show_finding)
        self.dock_results = self._dock("dock_results", self.results, Qt.DockWidgetArea.RightDockWidgetArea)
        self.scenarios = ScenarioPanel(self)
        self.scenarios.scenarioChanged.connect(self._scenario_changed)
        self.scenarios.drawHazardRequested.connect(lambda: self.act_draw.trigger())
        self.scenarios.closeSiteRequested.connect(self.close_selected_site)
        self.scenarios.runRequested.connect(self.run_plan)
        self.scenarios.compareRequested.connect(self.compare_scenarios)
        self.scenarios.recommendRequested.connect(self.recommend)
        self.scenarios.applyRecommendationRequested.connect(self.apply_recommendation)
        self.dock_scenarios = self._dock("dock_scenarios", self.scenarios, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.dock_demand, self.dock_items)
        self.tabifyDockWidget(self.dock_items, self.dock_log)
        self.dock_demand.raise_()
        self.tabifyDockWidget(self.dock_results, self.dock_scenarios)
        self.dock_results.raise_()
        self.resizeDocks([self.dock_sites, self.dock_results], [430, 420], Qt.Orientation.Horizontal)
        self.resizeDocks([self.dock_sites, self.dock_stock], [470, 280], Qt.Orientation.Vertical)
        self.resizeDocks([self.dock_demand], [200], Qt.Orientation.Vertical)

    def _action(self, slot, icon: str | None = None, shortcut: Any = None, checkable: bool = False) -> QAction:
        a = QAction(self)
        if icon:
            a.setIcon(_icon(self, icon))
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.setCheckable(checkable)
        if slot is not None:
            a.triggered.connect(slot)
        return a

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.act_new = self._action(self.new_plan, "SP_FileIcon", K.New)
        self.act_open = self._action(self.open_plan_dialog, "SP_DialogOpenButton", K.Open)
        self.act_open_url = self._action(self.open_url_dialog, "SP_DriveNetIcon")
        self.act_save_as = self._action(self.save_as, "SP_DialogSaveButton", K.SaveAs)
        self.act_import = self._action(self.import_dialog, "SP_ArrowDown", "Ctrl+I")
        self.act_print = self._action(self.print_dialog, "SP_FileDialogDetailedView", K.Print)
        self.act_quit = self._action(self.close, None, K.Quit)
        self.act_undo = self._action(self.undo, "SP_ArrowBack", K.Undo)
        self.act_redo = self._action(self.redo, "SP_ArrowForward", K.Redo)
        self.act_add_site = self._action(self.add_site, None, "Ctrl+Shift+S")
        self.act_edit_site = self._action(self.edit_site, None, "Ctrl+E")
        self.act_del_site = self._action(self.delete_site, None)
        self.act_add_lot = self._action(self.add_stock_lot, None, "Ctrl+Shift+L")
        self.act_add_unit = self._action(self.add_demand_unit, None)
        self.act_add_item = self._action(self.add_supply_item, None)
        self.act_fit = self._action(self.canvas.fit, "SP_DesktopIcon", "Ctrl+0")
        self.act_zoom_in = self._action(lambda: self.canvas.zoom(1.25), None, K.ZoomIn)
        self.act_zoom_out = self._action(lambda: self.canvas.zoom(0.8), None, K.ZoomOut)
        self.act_labels = self._action(self._toggle_labels, None, None, True)
        self.act_labels.setChecked(self.settings.show_labels)
        self.act_areas = self._action(self._toggle_areas, None, None, True)
        self.act_areas.setChecked(self.settings.show_service_areas)
        self.act_run = self._action(self.run_plan, "SP_MediaPlay", "F5")
        self.act_cancel = self._action(self.cancel_run, "SP_MediaStop", "Esc")
        self.act_cancel.setEnabled(False)
        self.act_compare = self._action(self.compare_scenarios, None)
        self.mode_group = QActionGroup(self)
        self.act_select = self._action(lambda: self.canvas.set_mode("select"), "SP_ArrowUp", "S", True)
        self.act_draw = self._action(self._start_draw, "SP_DialogResetButton", "H", True)
        self.act_place = self._action(self._start_place, "SP_DialogApplyButton", "M", True)
        for a in (self.act_select, self.act_draw, self.act_place):
            self.mode_group.addAction(a)
        self.act_select.setChecked(True)
        self.canvas.modeChanged.connect(self._mode_changed)
        self.lang_group = QActionGroup(self)
        self.act_lang = {}
        for code, label in i18n.LANGUAGES.items():
            a = QAction(label, self)
            a.setCheckable(True)
            a.setData(code)
            a.triggered.connect(lambda _c=False, code=code: self.set_language(code))
            self.lang_group.addAction(a)
            self.act_lang[code] = a
        self.act_about = self._action(self.about, None)
        self.act_log_file = self._action(self.open_log_file, None)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.menu_file = mb.addMenu("")
        f = self.menu_file
        f.addAction(self.act_new)
        f.addAction(self.act_open)
        self.menu_recent = f.addMenu("")
        f.addAction(self.act_open_url)
        f.addAction(self.act_save_as)
        f.addSeparator()
        f.addAction(self.act_import)
        self.menu_export = f.addMenu("")
        self.act_export = {}
        for kind in ("sites", "items", "stock", "demand", "towns", "boundary"):
            a = QAction(self)
            a.triggered.connect(lambda _c=False, k=kind: self.export_dialog(k))
            self.menu_export.addAction(a)
            self.act_export[kind] = a
        f.addSeparator()
        f.addAction(self.act_print)
        f.addSeparator()
        f.addAction(self.act_quit)
        self.menu_edit = mb.addMenu("")
        e = self.menu_edit
        for a in (self.act_undo, self.act_redo):
            e.addAction(a)
        e.addSeparator()
        for a in (self.act_add_site, self.act_edit_site, self.act_del_site):
            e.addAction(a)
        e.addSeparator()
        for a in (self.act_add_lot, self.act_add_unit, self.act_add_item):
            e.addAction(a)
        self.menu_view = mb.addMenu("")
        v = self.menu_view
        for a in (self.act_fit, self.act_zoom_in, self.act_zoom_out):
            v.addAction(a)
        v.addSeparator()
        v.addAction(self.act_labels)
        v.addAction(self.act_areas)
        v.addSeparator()
        self.menu_panels = v.addMenu("")
        for d in (self.dock_sites, self.dock_stock, self.dock_demand, self.dock_items, self.dock_results,
                  self.dock_scenarios, self.dock_log):
            self.menu_panels.addAction(d.toggleViewAction())
        self.menu_lang = v.addMenu("")
        for a in self.act_lang.values():
            self.menu_lang.addAction(a)
        self.menu_plan = mb.addMenu("")
        p = self.menu_plan
        for a in (self.act_run, self.act_cancel):
            p.addAction(a)
        p.addSeparator()
        for a in (self.act_select, self.act_draw, self.act_place):
            p.addAction(a)
        p.addSeparator()
        p.addAction(self.act_compare)
        self.menu_help = mb.addMenu("")
        self.menu_help.addAction(self.act_log_file)
        self.menu_help.addSeparator()
        self.menu_help.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        tb = self.addToolBar("")
        tb.setObjectName("toolbar_main")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar = tb
        for a in (self.act_open, self.act_import, None, self.act_undo, self.act_redo, None, self.act_run,
                  self.act_cancel, None, self.act_select, self.act_draw, self.act_place, self.act_fit, None,
                  self.act_print):
            tb.addSeparator() if a is None else tb.addAction(a)

    def _build_statusbar(self) -> None:
        sb = self.statusBar()
        self.stale_label = QLabel()
        self.stale_label.setStyleSheet("color: #b35c00")
        self.coord_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QToolButton()
        self.cancel_button.setDefaultAction(self.act_cancel)
        self.cancel_button.hide()
        sb.addPermanentWidget(self.stale_label)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_button)
        sb.addPermanentWidget(self.coord_label)
        self.runner.started.connect(self._task_started)
        self.runner.progress.connect(self._task_progress)
        self.runner.idle.connect(self._task_idle)
        self.runner.failed.connect(self._task_failed)
        self.runner.cancelled.connect(self._task_cancelled)

    # ================================================================== texts
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        name = self._plan_name()
        self.setWindowTitle(self.tr("esplan — emergency supplies & shelter planner") + (f" — {name}" if name else ""))
        self.menu_file.setTitle(self.tr("&File"))
        self.menu_edit.setTitle(self.tr("&Edit"))
        self.menu_view.setTitle(self.tr("&View"))
        self.menu_plan.setTitle(self.tr("&Plan"))
        self.menu_help.setTitle(self.tr("&Help"))
        self.menu_recent.setTitle(self.tr("Recent plans"))
        self.menu_export.setTitle(self.tr("Export"))
        self.menu_panels.setTitle(self.tr("Panels"))
        self.menu_lang.setTitle(self.tr("Language"))
        texts = {
            self.act_new: self.tr("&New plan…"), self.act_open: self.tr("&Open plan…"),
            self.act_open_url: self.tr("Open &shared plan (PostgreSQL)…"), self.act_save_as: self.tr("Save plan &as…"),
            self.act_import: self.tr("&Import…"), self.act_print: self.tr("&Print plan (PDF)…"), self.act_quit: self.tr("&Quit"),
            self.act_undo: self.tr("&Undo"), self.act_redo: self.tr("&Redo"), self.act_add_site: self.tr("Add &site…"),
            self.act_edit_site: self.tr("&Edit selected site…"), self.act_del_site: self.tr("&Delete selected site"),
            self.act_add_lot: self.tr("Add stock &lot…"), self.act_add_unit: self.tr("Add &demand unit…"),
            self.act_add_item: self.tr("Add supply &item…"), self.act_fit: self.tr("&Fit map"),
            self.act_zoom_in: self.tr("Zoom &in"), self.act_zoom_out: self.tr("Zoom &out"),
            self.act_labels: self.tr("Show &labels"), self.act_areas: self.tr("Show service &areas"),
            self.act_run: self.tr("&Run"), self.act_cancel: self.tr("&Cancel run"),
            self.act_compare: self.tr("&Compare scenarios…"), self.act_select: self.tr("&Select / pan"),
            self.act_draw: self.tr("Draw &hazard zone"), self.act_place: self.tr("&Place / move site"),
            self.act_about: self.tr("&About esplan"),
            self.act_log_file: self.tr("Open the &log file"),
        }
        for a, t in texts.items():
            a.setText(t)
        self.act_run.setToolTip(self.tr("Run the checks for the current scenario (F5)"))
        self.act_draw.setToolTip(self.tr("Click the corners of a flood zone; double-click to finish (H)"))
        self.act_place.setToolTip(self.tr("Click the map to move the selected site, or to place a new one (M)"))
        export_texts = {"sites": self.tr("Sites…"), "items": self.tr("Supply catalogue…"), "stock": self.tr("Stock lots…"),
                        "demand": self.tr("Demand units…"), "towns": self.tr("Towns…"), "boundary": self.tr("Boundaries (GeoJSON)…")}
        for k, a in self.act_export.items():
            a.setText(export_texts[k])
        self.toolbar.setWindowTitle(self.tr("Main toolbar"))
        self.dock_sites.setWindowTitle(self.tr("Sites"))
        self.dock_stock.setWindowTitle(self.tr("Stock"))
        self.dock_demand.setWindowTitle(self.tr("Population"))
        self.dock_items.setWindowTitle(self.tr("Supply catalogue"))
        self.dock_log.setWindowTitle(self.tr("Messages"))
        self.dock_results.setWindowTitle(self.tr("Results"))
        self.dock_scenarios.setWindowTitle(self.tr("Scenarios"))
        self.btn_all_stock.setText(self.tr("All sites"))
        self.btn_add_lot.setText(self.tr("Add lot…"))
        self.btn_del_lot.setText(self.tr("Delete lot"))
        self.f_text.setPlaceholderText(self.tr("Search sites…"))
        self.d_text.setPlaceholderText(self.tr("Search villages / communities…"))
        self._fill_filters()
        self.canvas.legend = {"warehouse": enum_label("warehouse"), "reserve_point": enum_label("reserve_point"),
                              "shelter": enum_label("shelter"), "served": enum_label("served"),
                              "over_capacity": enum_label("over_capacity"), "unreachable": enum_label("unreachable"),
                              "hazard": self.tr("Hazard zone")}
        self._update_unlocated_note()
        self.canvas.viewport().update()
        self._update_stock_label()
        self._update_stale()
        for mdl in (self.site_model, self.stock_model, self.demand_model, self.item_model):
            mdl.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, mdl.columnCount() - 1))
            if mdl.rowCount():
                mdl.dataChanged.emit(mdl.index(0, 0), mdl.index(mdl.rowCount() - 1, mdl.columnCount() - 1))
        self.results.retranslate()
        self.scenarios.retranslate()
        for code, a in self.act_lang.items():
            a.setChecked(code == i18n.current_language())
        self._fill_recent()

    def _fill_filters(self) -> None:
        def fill(combo: QComboBox, items: list[tuple[Any, str]]) -> None:
            cur = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for data, text in items:
                combo.addItem(text, data)
            k = combo.findData(cur)
            combo.setCurrentIndex(k if k >= 0 else 0)
            combo.blockSignals(False)

        fill(self.f_kind, [(None, self.tr("All kinds"))] + [(k, enum_label(k)) for k in SITE_KINDS])
        fill(self.f_status, [(None, self.tr("All statuses"))] + [(k, enum_label(k)) for k in STATUSES])
        fill(self.f_town, [(None, self.tr("All towns"))] + sorted(((c, n) for c, n in self.site_model.towns.items()),
                                                                  key=lambda t: t[0]))
        fill(self.d_outcome, [(None, self.tr("All outcomes"))] + [(k, enum_label(k)) for k in
                                                                  ("served", "over_capacity", "unreachable", "unlocated")])

    def _plan_name(self) -> str:
        if self.plan is None:
            return ""
        info = self.plan.info()
        return info.name if info else ""

    # ================================================================== plan lifecycle
    def open_location(self, location: str) -> bool:
        try:
            plan = open_plan(location)
        except PlanError as exc:
            QMessageBox.warning(self, self.tr("Cannot open plan"), str(exc))
            return False
        self._stop_task()
        if self.plan is not None:
            self.plan.dispose()
        self.plan = plan
        self.engine_cache.clear()
        if self.editor is not None:
            self.editor.deleteLater()
        self.editor = Editor(plan, self)
        self.editor.changed.connect(self._plan_changed)
        self.editor.conflict.connect(self._conflict)
        self.editor.failed.connect(self._refused)
        self.editor.stack.canUndoChanged.connect(self.act_undo.setEnabled)
        self.editor.stack.canRedoChanged.connect(self.act_redo.setEnabled)
        self.editor.stack.undoTextChanged.connect(self.act_undo.setStatusTip)
        self.act_undo.setEnabled(False)
        self.act_redo.setEnabled(False)
        self.result = None
        for mdl in (self.site_model, self.demand_model, self.item_model):
            mdl.set_plan(plan)
        self.stock_model.site_ids = None
        self.stock_model.set_plan(plan)
        self.canvas.load(plan)
        self.scenarios.set_plan(plan, self.editor)
        self._apply_result(None)
        self._show_stock_of(None)
        self.retranslate()
        QTimer.singleShot(0, self.canvas.fit)
        for v in (self.site_view, self.stock_view, self.demand_view, self.item_view):
            v.resizeColumnsToContents()
            for c in range(v.model().columnCount()):
                v.setColumnWidth(c, min(v.columnWidth(c), 220))
        if plan.is_sqlite:
            self.settings.add_recent(str(Path(plan.location).resolve()))
        else:
            self.settings.add_recent(plan.location)
        self._fill_recent()
        c = plan.counts()
        self.log(self.tr("Opened {loc}: {sites} sites, {units} demand units, {lots} stock lots, {edges} road edges.").format(
            loc=plan.display_location, sites=c["sites"], units=c["demand_units"], lots=c["stock_lots"],
            edges=c["road_edges"]))
        return True

    def _fill_recent(self) -> None:
        self.menu_recent.clear()
        for loc in self.settings.recent:
            display = loc
            if "://" in loc:
                from sqlalchemy.engine import make_url

                try:
                    display = make_url(loc).render_as_string(hide_password=True)
                except Exception:
                    pass
            a = self.menu_recent.addAction(display)
            a.triggered.connect(lambda _c=False, loc=loc: self.open_location(loc))
        self.menu_recent.setEnabled(bool(self.settings.recent))

    def new_plan(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("New plan"), self.settings.last_dir,
                                              self.tr("esplan plans (*.esplan)"))
        if not path:
            return
        if not path.endswith(".esplan"):
            path += ".esplan"
        try:
            plan = create_plan(path, name=Path(path).stem, overwrite=Path(path).exists())
            plan.dispose()
        except PlanError as exc:
            QMessageBox.warning(self, self.tr("New plan"), str(exc))
            return
        self.settings.last_dir = str(Path(path).parent)
        self.open_location(path)

    def open_plan_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open plan"), self.settings.last_dir,
                                              self.tr("esplan plans (*.esplan);;All files (*)"))
        if path:
            self.settings.last_dir = str(Path(path).parent)
            self.open_location(path)

    def open_url_dialog(self) -> None:
        url = ask_database_url(self)
        if url:
            self.open_location(url)

    def save_as(self, path: str | None = None) -> bool:
        """Copy the plan file (a consistent SQLite backup, WAL included) and continue in the copy."""
        if self.plan is None:
            return False
        if not self.plan.is_sqlite:
            QMessageBox.information(self, self.tr("Save plan as"),
                                    self.tr("A shared PostgreSQL plan is saved on the server; use the "
                                            "database's own backup to copy it."))
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save plan as"), self.settings.last_dir,
                                                  self.tr("esplan plans (*.esplan)"))
            if not path:
                return False
            if not path.endswith(".esplan"):
                path += ".esplan"
        try:
            self.plan.backup_to(path)
        except (PlanError, OSError) as exc:
            QMessageBox.warning(self, self.tr("Save plan as"), str(exc))
            return False
        self.log(self.tr("Saved a copy as {path}; you are now working in the copy.").format(path=path))
        return self.open_location(path)

    # ================================================================== logging & messages
    def log(self, text: str) -> None:
        self.log_view.appendPlainText(f"{dt.datetime.now():%H:%M:%S}  {text}")
        self.statusBar().showMessage(text, 8000)

    def _invalid_edit(self, message: str) -> None:
        self.log(self.tr("Refused: {msg}").format(msg=message))
        QMessageBox.warning(self, self.tr("Invalid value"), message)

    def _refused(self, message: str) -> None:
        self.log(message)
        QMessageBox.warning(self, self.tr("Change refused"), message)

    def _conflict(self, exc: Any) -> None:
        self.log(self.tr("Edit conflict: {msg}").format(msg=exc))
        for mdl in (self.site_model, self.stock_model, self.demand_model, self.item_model):
            mdl.reload()
        show_conflict(self, exc)

    # ================================================================== editing
    def _edit_row(self, model, row: dict[str, Any], changes: dict[str, Any]) -> bool:
        if self.editor is None:
            return False
        label = row.get("code") or row.get("name") or f"#{row['id']}"
        from PySide6.QtCore import QCoreApplication

        fields = ", ".join(QCoreApplication.translate("Columns", c.header) for c in model.COLUMNS if c.key in changes)
        return self.editor.update(model.ENTITY, row["id"], changes, expected_version=row["version"],
                                  text=self.tr("Edit {what} of {row}").format(what=fields, row=label))

    def undo(self) -> None:
        if self.editor is not None and self.editor.stack.canUndo():
            text = self.editor.stack.undoText()
            self.editor.stack.undo()
            self.log(self.tr("Undone: {text}").format(text=text))

    def redo(self) -> None:
        if self.editor is not None and self.editor.stack.canRedo():
            text = self.editor.stack.redoText()
            self.editor.stack.redo()
            self.log(self.tr("Redone: {text}").format(text=text))

    def _plan_changed(self, table: str, pk: int) -> None:
        if table == "site":
            if pk and self.site_model.row_of(pk) is not None:
                self.site_model.refresh_row(pk)
                self.canvas.set_site_row(self.site_model.rows[self.site_model.row_of(pk)])
            else:
                self.site_model.reload()
                self.canvas.load(self.plan)
                self._load_hazards()
            self.stock_model.reload()
        elif table == "stock_lot":
            if pk and self.stock_model.row_of(pk) is not None:
                self.stock_model.refresh_row(pk)
            else:
                self.stock_model.reload()
        elif table == "demand_unit":
            self.demand_model.reload() if not pk or self.demand_model.row_of(pk) is None else self.demand_model.refresh_row(pk)
            self.canvas.load(self.plan)
            self._load_hazards()
            self.canvas.set_result(self.result, self._closed_codes())
        elif table == "supply_item":
            self.item_model.reload() if not pk or self.item_model.row_of(pk) is None else self.item_model.refresh_row(pk)
            self.stock_model.reload()
        elif table in ("scenario", "hazard_zone"):
            self.scenarios.reload()
            self._load_hazards()
            if self._auto_rerun:
                QTimer.singleShot(0, self.run_plan)
            self._auto_rerun = False
        self._edits += 1
        self.result_stale = self.result is not None
        self._update_stale()
        self._update_unlocated_note()

    def _update_stale(self) -> None:
        self.stale_label.setText(self.tr("Results are out of date — press F5 to rerun") if self.result_stale else "")

    def _update_unlocated_note(self) -> None:
        n, p, s = getattr(self.canvas, "unlocated", (0, 0, 0))
        if n or s:
            self.canvas.unlocated_note = self.tr("Not on the map: {n} units ({p:,} people), {s} sites").format(
                n=n, p=int(p), s=s)
        else:
            self.canvas.unlocated_note = ""
        self.canvas.viewport().update()

    def selected_site(self) -> dict[str, Any] | None:
        idx = self.site_view.selectionModel().currentIndex()
        return idx.data(RowRole) if idx.isValid() else None

    def _town_choices(self) -> list[tuple[str, str]]:
        return sorted(((c, f"{n} ({c})") for c, n in self.site_model.towns.items()), key=lambda t: t[0])

    def _site_fields(self, row: dict[str, Any] | None) -> list[tuple[Col, Any]]:
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

    def add_site(self, lon: float | None = None, lat: float | None = None) -> None:
        if self.plan is None:
            return
        init = {"lon": round(lon, 6) if lon is not None else None, "lat": round(lat, 6) if lat is not None else None}
        dlg = RecordDialog(self.tr("Add site"), self._site_fields(init), self, choices={"town_code": self._town_choices()})
        if dlg.exec():
            vals = dlg.values
            pk = self.editor.insert("site", vals, text=self.tr("Add site {code}").format(code=vals["code"]))
            if pk:
                self.select_site(pk)

    def edit_site(self) -> None:
        row = self.selected_site()
        if row is None:
            return
        dlg = RecordDialog(self.tr("Edit site {code}").format(code=row["code"]), self._site_fields(row), self,
                           choices={"town_code": self._town_choices()})
        if dlg.exec():
            changes = {k: v for k, v in dlg.values.items() if k not in ("code", "kind") and v != row.get(k)}
            if changes:
                self.editor.update("site", row["id"], changes, expected_version=row["version"],
                                   text=self.tr("Edit site {code}").format(code=row["code"]))

    def delete_site(self) -> None:
        row = self.selected_site()
        if row is None:
            return
        if QMessageBox.question(self, self.tr("Delete site"), self.tr(
                "Delete {code} {name} and its stock lots? (Undo restores them.)").format(**row)) \
                == QMessageBox.StandardButton.Yes:
            self.editor.delete("site", row["id"], text=self.tr("Delete site {code}").format(code=row["code"]))

    def add_stock_lot(self) -> None:
        if self.plan is None:
            return
        all_sites = registry.read(self.plan, "site", ["id", "code", "name", "kind"], order_by=("code",))
        # stores first (warehouses and reserve points), then shelters
        sites = [(o["id"], f"{o['code']} {o['name']}") for o in sorted(all_sites, key=lambda o: o["kind"] == "shelter")]
        items = [(pk, f"{zh if i18n.is_chinese() else (en or zh)} ({unit})") for pk, zh, en, unit
                 in registry.values(self.plan, "supply_item", "id", "name_zh", "name_en", "unit", order_by=("code",))]
        sel = self.selected_site()
        fields = [(Col("site_id", "Site", required=True), sel["id"] if sel else None),
                  (Col("item_id", "Item", required=True), None),
                  (Col("quantity", "Quantity", "float", required=True), None),
                  (Col("mode", "Mode", "enum", required=True, choices=MODES), "physical"),
                  (Col("batch", "Batch"), None), (Col("expiry_date", "Expiry", "date"), None),
                  (Col("lead_time_h", "Lead time h", "float"), None), (Col("supplier", "Supplier"), None)]
        dlg = RecordDialog(self.tr("Add stock lot"), fields, self, choices={"site_id": sites, "item_id": items})
        while dlg.exec():
            v = dlg.values
            if v["mode"] == "agreement" and v.get("lead_time_h") is None:
                dlg.error.setText(self.tr("Agreement stock needs a lead time."))
                continue
            self.editor.insert("stock_lot", v, text=self.tr("Add stock lot"))
            break

    def delete_stock_lot(self) -> None:
        idx = self.stock_view.selectionModel().currentIndex()
        if idx.isValid():
            self.editor.delete("stock_lot", idx.data(IdRole), text=self.tr("Delete stock lot"))

    def add_demand_unit(self) -> None:
        if self.plan is None:
            return
        fields = [(Col("code", "Code", required=True), None), (Col("name", "Name", required=True), None),
                  (Col("town_code", "Town"), None), (Col("population", "Population", "int"), None),
                  (Col("vulnerable", "Vulnerable", "int"), None),
                  (Col("lon", "Longitude", "lonlat", minimum=-180, maximum=180), None),
                  (Col("lat", "Latitude", "lonlat", minimum=-90, maximum=90), None)]
        dlg = RecordDialog(self.tr("Add demand unit"), fields, self, choices={"town_code": self._town_choices()})
        if dlg.exec():
            self.editor.insert("demand_unit", dlg.values, text=self.tr("Add demand unit {code}").format(code=dlg.values["code"]))

    def add_supply_item(self) -> None:
        if self.plan is None:
            return
        fields = [(Col("code", "Code", required=True), None)] + [(c, None) for c in ItemModel.COLUMNS[1:]]
        dlg = RecordDialog(self.tr("Add supply item"), fields, self)
        if dlg.exec():
            v = dlg.values
            v.setdefault("category", "living")
            if v.get("category") is None:
                v["category"] = "living"
            self.editor.insert("supply_item", v, text=self.tr("Add supply item {code}").format(code=v["code"]))

    # ================================================================== selection sync
    def select_site(self, pk: int) -> None:
        r = self.site_model.row_of(pk)
        if r is None:
            return
        idx = self.site_proxy.mapFromSource(self.site_model.index(r, 0))
        if not idx.isValid():   # hidden by a filter: clear the filters
            for cb in (self.f_kind, self.f_status, self.f_town):
                cb.setCurrentIndex(0)
            self.f_text.clear()
            idx = self.site_proxy.mapFromSource(self.site_model.index(r, 0))
        self.site_view.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.site_view.scrollTo(idx)

    def _table_selected_site(self, current: QModelIndex, _prev: QModelIndex) -> None:
        row = current.data(RowRole) if current.isValid() else None
        if row is None:
            return
        self._show_stock_of(row)
        if not self._selecting:
            self._selecting = True
            self.canvas.select_site(row["id"])
            self._selecting = False

    def _map_selected_site(self, pk: int) -> None:
        if self._selecting:
            return
        self._selecting = True
        self.select_site(pk)
        self._selecting = False

    def _table_selected_unit(self, current: QModelIndex, _prev: QModelIndex) -> None:
        row = current.data(RowRole) if current.isValid() else None
        if row is not None and not self._selecting:
            self._selecting = True
            self.canvas.select_unit(row["id"])
            self._selecting = False

    def _map_selected_unit(self, pk: int) -> None:
        if self._selecting:
            return
        r = self.demand_model.row_of(pk)
        if r is None:
            return
        self._selecting = True
        idx = self.demand_proxy.mapFromSource(self.demand_model.index(r, 0))
        if idx.isValid():
            self.demand_view.selectionModel().setCurrentIndex(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.demand_view.scrollTo(idx)
            self.dock_demand.raise_()
        self._selecting = False

    def _show_stock_of(self, row: dict[str, Any] | None) -> None:
        self._stock_site = row
        self.stock_model.set_sites({row["id"]} if row else None)
        self._update_stock_label()

    def _update_stock_label(self) -> None:
        row = getattr(self, "_stock_site", None)
        self.stock_label.setText(self.tr("Stock of {code} {name}").format(**row) if row else self.tr("Stock of all sites"))

    def _filter_outcome(self) -> None:
        want = self.d_outcome.currentData()
        if not want:
            self.demand_proxy.set_ids(None)
            return
        col = next(c for c in self.demand_model.COLUMNS if c.key == "outcome")
        self.demand_proxy.set_ids({r["id"] for r in self.demand_model.rows
                                   if self.demand_model.value(r, col) == want})

    # ================================================================== map modes
    def _mode_changed(self, mode: str) -> None:
        {"select": self.act_select, "draw": self.act_draw, "place": self.act_place}[mode].setChecked(True)
        if mode == "draw":
            self.statusBar().showMessage(self.tr("Click the corners of the hazard zone; double-click to finish, Esc to cancel."))
        elif mode == "place":
            self.statusBar().showMessage(self.tr("Click the map to place the site; Esc to cancel."))

    def _start_draw(self) -> None:
        if self.scenarios.current_scenario() is None:
            name = self.scenarios.new_scenario(self.scenarios._unique(self.tr("Flood")))
            if not name:
                self.canvas.set_mode("select")
                return
            self.log(self.tr("Hazard zones belong to a scenario: created scenario “{name}”.").format(name=name))
        self.canvas.set_mode("draw")

    def _start_place(self) -> None:
        self._place_action = "move" if self.selected_site() is not None else "new"
        self.canvas.set_mode("place")

    def _hazard_drawn(self, lonlat: list) -> None:
        self._auto_rerun = True
        if self.scenarios.add_hazard(lonlat):
            self.log(self.tr("Hazard zone added to scenario “{name}” ({n} corners); rerunning.").format(
                name=self.scenarios.current_name(), n=len(lonlat)))
        else:
            self._auto_rerun = False

    def _point_picked(self, lon: float, lat: float) -> None:
        row = self.selected_site()
        if self._place_action == "move" and row is not None:
            self.editor.update("site", row["id"], {"lon": round(lon, 7), "lat": round(lat, 7)},
                               expected_version=row["version"],
                               text=self.tr("Move site {code}").format(code=row["code"]))
        else:
            self.add_site(lon, lat)

    def _toggle_labels(self, on: bool) -> None:
        self.settings.show_labels = on
        self.canvas.set_show_labels(on)

    def _toggle_areas(self, on: bool) -> None:
        self.settings.show_service_areas = on
        self.canvas.set_show_service_areas(on)

    # ================================================================== scenarios
    def _scenario_changed(self, name: str | None) -> None:
        self._load_hazards()
        if self.result is not None and self.result.scenario != (name or scenario_store.BASELINE):
            self.result_stale = True
            self._update_stale()

    def _load_hazards(self) -> None:
        sc = self.scenarios.current_scenario()
        self.canvas.set_hazards([(h["id"], h["effect"], h["geometry"]) for h in sc["hazards"]] if sc else [])

    def _closed_codes(self) -> set[str]:
        return closed_site_codes(self.result) if self.result is not None else set()

    def close_selected_site(self) -> None:
        row = self.selected_site()
        if row is None:
            QMessageBox.information(self, self.tr("Close a site"), self.tr("Select a site in the table or on the map first."))
            return
        self._auto_rerun = True
        if not self.scenarios.close_site(row["code"]):
            self._auto_rerun = False

    def compare_scenarios(self) -> None:
        if self.plan is None:
            return
        names = [None, *scenario_store.scenario_names(self.plan)]
        plan = self.plan

        def job(state):
            from planner.engine import Cancelled, run_plan
            from planner.scenario.runs import load_snapshot

            out = {}
            for k, n in enumerate(names):
                if state.is_cancelled():
                    raise Cancelled("cancelled")
                state.set_progress(k / len(names), n or "baseline")
                r = run_plan(load_snapshot(plan, n))
                out[r.scenario] = r
            return out

        self._start_task("compare", job, self._compare_done, self.tr("Comparing {n} scenarios…").format(n=len(names)))

    def _compare_done(self, results: dict[str, Any]) -> None:
        dlg = CompareDialog(results, self, zh=i18n.is_chinese())
        dlg.setObjectName("compareDialog")
        dlg.open()
        self._compare_dialog = dlg

    def recommend(self) -> None:
        if self.plan is None:
            return
        plan, scen = self.plan, self.scenarios.current_name()

        def job(state):
            # imported here, on the worker thread: recommend.py pulls in scipy.optimize, which
            # would add ~0.5 s to the window's start-up
            from planner.scenario.recommend import recommend

            state.set_progress(0.1, "recommend")
            return recommend(plan, "shelters", scenario=scen)

        self._start_task("recommend", job, self._recommend_done, self.tr("Looking for shelter sites to close the gap…"))

    def _recommend_done(self, rec: Any) -> None:
        actions = list(rec.get("actions") or []) if isinstance(rec, dict) else list(rec or [])
        self.scenarios.set_recommendations(actions, i18n.is_chinese())
        self.canvas.set_recommendations([(a["lon"], a["lat"], a.get("name") or a.get("site_code") or "")
                                         for a in actions if a.get("lon") is not None and a.get("lat") is not None])
        if isinstance(rec, dict) and rec.get("promised_share") is not None:
            self.log(self.tr("{n} recommended action(s): served share {a:.1%} → {b:.1%}.").format(
                n=len(actions), a=rec.get("base_share") or 0, b=rec.get("promised_share") or 0))
        else:
            self.log(self.tr("{n} recommended action(s).").format(n=len(actions)))
        self.dock_scenarios.raise_()

    def apply_recommendation(self, rec: dict[str, Any]) -> None:
        if self.plan is None or self.editor is None:
            return
        name = self.scenarios.current_name() or self.scenarios._unique(self.tr("Recommended"))
        cmd = apply_actions_command(self.editor, name, [rec],
                                    self.tr("Apply recommendation to scenario {name}").format(name=name))
        self._auto_rerun = False
        if not self.editor._push(cmd):
            return
        self.scenarios.reload(select_name=name)
        self._load_hazards()
        self.log(self.tr("Recommendation applied to scenario “{name}”.").format(name=name))
        self.run_plan()

    # ================================================================== running
    @property
    def task(self) -> Task | None:
        """The running background job, if any (the runner owns it)."""
        return self.runner.task

    def _start_task(self, kind: str, fn, on_done, message: str, *args) -> None:
        """Run ``fn(*args, state)`` off the GUI thread; a new request of the same kind while one
        runs cancels it and restarts (desktop.runner)."""
        self.runner.submit(kind, fn, on_done, message, *args)

    def _task_started(self, message: str) -> None:
        self.progress.setValue(0)
        self.progress.setFormat(message)
        self.progress.show()
        self.cancel_button.show()
        self.act_cancel.setEnabled(True)
        self.log(message)

    def _task_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 100))
        self.progress.setFormat(f"{message} %p%")

    def _task_idle(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.act_cancel.setEnabled(False)

    def _task_failed(self, exc: Any, tb: str) -> None:
        self.log(self.tr("Failed: {err}").format(err=exc))
        self.log(tb)
        QMessageBox.warning(self, self.tr("The run failed"), str(exc))

    def _task_cancelled(self, _kind: str) -> None:
        self.log(self.tr("Cancelled."))

    def _stop_task(self) -> None:
        self.runner.stop()
        self._task_idle()

    def run_plan(self) -> None:
        if self.plan is None:
            return
        scen = self.scenarios.current_name()
        edits = self._edits

        def done(out: tuple[Any, Any]) -> None:
            self._run_done(out, stale=edits != self._edits)

        self._start_task("run", run_plan_task, done,
                         self.tr("Running the checks ({scenario})…").format(scenario=scen or self.tr("baseline")),
                         self.plan, scen, self.engine_cache)

    def cancel_run(self) -> None:
        self.runner.cancel()

    def _run_done(self, out: tuple[Any, Any], stale: bool = False) -> None:
        _inp, result = out
        self._apply_result(result)
        if stale or result.scenario != (self.scenarios.current_name() or scenario_store.BASELINE):
            # the plan was edited, or another scenario chosen, while this ran
            self.result_stale = True
            self._update_stale()
        counts = result_counts(result)
        self.log(self.tr("Run finished: {passed} checks passed, {failed} failed, {unknown} not assessable; "
                         "served within the limit {share}.").format(
            passed=counts.passed, failed=counts.failed, unknown=counts.unknown,
            share=fmt_value(result.summary.get("served_share"), "share")))

    def _apply_result(self, result: Any) -> None:
        self.result = result
        self.result_stale = False
        self._update_stale()
        self.results.set_result(result)
        self.canvas.set_result(result, self._closed_codes())
        self.site_model.set_run(result)
        self.stock_model.set_run(result)
        self.demand_model.set_run(result)
        for mdl in (self.site_model, self.demand_model):
            mdl.set_highlight(set())
        self.canvas.set_highlight(set(), set())

    # ================================================================== check → places
    def places_for(self, ref: str) -> tuple[set[int], set[int]]:
        """Site ids and demand-unit ids behind a check or finding (the rule: planner.engine.results)."""
        if self.result is None:
            return set(), set()
        site_codes, unit_codes = places_for(self.result, ref)
        site_id = {row["code"]: row["id"] for row in self.site_model.rows}
        unit_id = {row["code"]: row["id"] for row in self.demand_model.rows}
        return ({site_id[c] for c in site_codes if c in site_id}, {unit_id[c] for c in unit_codes if c in unit_id})

    def show_check(self, check: dict[str, Any]) -> None:
        self._show_places(check["id"], check.get("name_zh") if i18n.is_chinese() else check.get("name_en"))

    def show_finding(self, finding: dict[str, Any]) -> None:
        self._show_places(finding.get("ref", ""), finding.get("zh") if i18n.is_chinese() else finding.get("en"))

    def _show_places(self, ref: str, label: str | None) -> None:
        sites, units = self.places_for(ref)
        self.site_model.set_highlight(sites)
        self.demand_model.set_highlight(units)
        self.canvas.set_highlight(sites, units)
        if ref.startswith("supply_") or ref.startswith("unusable_"):
            self.stock_model.set_sites(sites or None)
            lots = unusable_lot_ids(self.result, ref) if self.result else set()
            self.stock_model.set_highlight(lots)
            self._stock_site = None
            self._update_stock_label()
            self.dock_stock.raise_()
        if units:
            first = min(self.demand_model.row_of(u) for u in units if self.demand_model.row_of(u) is not None)
            self.demand_view.scrollTo(self.demand_proxy.mapFromSource(self.demand_model.index(first, 0)))
            self.dock_demand.raise_()
        if sites:
            first = min(self.site_model.row_of(s) for s in sites if self.site_model.row_of(s) is not None)
            self.site_view.scrollTo(self.site_proxy.mapFromSource(self.site_model.index(first, 0)))
        self.log(self.tr("{label}: {s} sites and {u} villages / communities highlighted.").format(
            label=label or ref, s=len(sites), u=len(units)))

    # ================================================================== import / export / print
    def import_dialog(self) -> None:
        if self.plan is None:
            return
        dlg = ImportDialog(self.plan, self)
        dlg.exec()
        if dlg.report is not None:
            self.log(str(dlg.report))
            for mdl in (self.site_model, self.stock_model, self.demand_model, self.item_model):
                mdl.reload()
            self.canvas.load(self.plan)
            self._load_hazards()
            self._fill_filters()
            self.canvas.fit()
            self._edits += 1
            self.result_stale = self.result is not None
            self._update_stale()

    def export_dialog(self, kind: str, path: str | None = None) -> int | None:
        if self.plan is None:
            return None
        if path is None:
            filt = "GeoJSON (*.geojson)" if kind == "boundary" else \
                self.tr("Excel (*.xlsx);;CSV (*.csv);;GeoJSON (*.geojson)")
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export"), str(Path(self.settings.last_dir or Path.home()) / kind), filt)
            if not path:
                return None
            if Path(path).suffix == "":
                path += ".geojson" if kind == "boundary" else ".xlsx"
        from planner.io.tables import export_table

        try:
            n = export_table(self.plan, kind, path)
        except Exception as exc:
            QMessageBox.warning(self, self.tr("Export"), str(exc))
            return None
        self.log(self.tr("Exported {n} rows to {path}.").format(n=n, path=path))
        return n

    def print_dialog(self) -> ReportDialog | None:
        if self.plan is None:
            return None
        names = scenario_store.scenario_names(self.plan)
        dlg = ReportDialog(self.plan, names, self.scenarios.current_name() or "", self,
                           prepared_by=self.settings.prepared_by, default_dir=self.settings.last_dir,
                           lang="zh" if i18n.is_chinese() else "en",
                           result=None if self.result_stale else self.result)  # the report checks the inputs too
        dlg.accepted.connect(lambda: self._report_written(dlg))
        dlg.open()
        self._report_dialog = dlg
        return dlg

    def _report_written(self, dlg: ReportDialog) -> None:
        self.settings.prepared_by = dlg.prepared.text().strip()
        self.log(self.tr("Report written: {path}").format(path=dlg.out_path))

    # ================================================================== language, about, closing
    def set_language(self, lang: str) -> None:
        i18n.install_language(lang)
        self.settings.language = lang
        self.retranslate()   # LanguageChange also arrives; retranslating twice is harmless
        self.log(self.tr("Language: {lang}").format(lang=i18n.LANGUAGES.get(lang, lang)))

    def open_log_file(self) -> None:
        """The program's log (what went wrong or was skipped), for the user or their IT staff."""
        path = logs.current_log_file()
        if path is None or not path.exists():
            QMessageBox.information(self, self.tr("Log file"), self.tr("No log file has been written yet."))
            return
        self.log(self.tr("Log file: {path}").format(path=path))
        if not os.environ.get("ESPLAN_NO_OPEN"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About esplan"), self.tr(
            "<h3>esplan — emergency supplies &amp; shelter planner</h3>"
            "<p>Registry, 72-hour supply and 15-minute shelter coverage checks, what-if scenarios and the "
            "printed plan, offline.</p><p>Maps: © OpenStreetMap contributors (ODbL).</p><p>GPL-3.0-or-later</p>"))

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_task()
        if self.editor is not None:
            self.editor.stack.blockSignals(True)
        self.settings.geometry = self.saveGeometry()
        self.settings.state = self.saveState()
        self.settings.sync()
        if self.plan is not None:
            self.plan.dispose()
        super().closeEvent(event)
