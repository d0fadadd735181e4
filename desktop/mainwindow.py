"""The main window: map canvas in the centre, docks for the registries, scenarios and results."""
from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QStringListModel, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QIcon,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)
from PySide6.QtWidgets import (
    QCompleter,
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QStyle,
    QTabBar,
    QToolButton,
    QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

import esplan_resources
from desktop import forms, i18n
from desktop.analysis import Analysis
from desktop.completeness import CompletenessPanel
from desktop.dialogs import (
    CompareDialog,
    ImportDialog,
    ManualDialog,
    ReportDialog,
    ask_database_url,
    show_conflict,
)
from desktop.document import PlanDocumentDialog
from desktop.editing import Editor, apply_actions_command, set_plan_document, set_plan_figures
from desktop.fields import enum_label
from desktop.figures import PlanFiguresDialog, figure_names
from desktop.identify import IdentifyPanel
from desktop.layers import LayerPanel
from desktop.mapcanvas import MapCanvas
from desktop.registers import DemandPanel, ItemsPanel, SitesPanel, StockPanel
from desktop.results import ResultsPanel, fmt_value
from desktop.scenarios import ScenarioPanel
from desktop.settings import Settings
from desktop.worker import Task
from planner import logs
from planner.engine.results import (
    Check,
    Finding,
    closed_site_codes,
    places_for,
    typed,
    unusable_lot_ids,
)
from planner.scenario import store as scenario_store
from planner.store import PlanError, open_plan

if TYPE_CHECKING:
    from desktop.wizard import NewPlanWizard

log = logging.getLogger(__name__)


def _icon(widget: QWidget, name: str) -> QIcon:
    return widget.style().standardIcon(getattr(QStyle.StandardPixmap, name))


def app_icon() -> QIcon:
    p = Path(esplan_resources.path("icons", "esplan.svg"))
    if not p.exists():
        log.warning("application icon missing: %s", p)
        return QIcon()
    return QIcon(str(p))


class MainWindow(QMainWindow):
    loaded = Signal()      # a plan opened by open_location is on screen

    def __init__(self, plan_location: str | Path | None = None, *, settings: Settings | None = None):
        super().__init__()
        self.settings = settings or Settings()
        self.plan: Any = None
        self.editor: Editor | None = None
        self.result: Any = None
        self.result_stale = False
        # runs, comparisons, recommendations off the GUI thread; owns the engine's what-if session
        self.analysis = Analysis(self)
        self.runner = self.analysis.runner
        self._auto_rerun = False
        self._place_action = "move"
        self._last_pick = "site"     # what was selected last, a site or a village (Place / move acts on it)
        self._search_index: dict[str, tuple[str, int]] = {}
        self._selecting = False
        self._loader: Iterator[float | None] | None = None   # the steps of opening a plan (open_location)
        self._after_load: list[Callable[[], None]] = []
        self.loading = False
        self._painted = False          # the map's first paint happened (see eventFilter)
        self._load_timer = QTimer(self)
        self._load_timer.setSingleShot(True)
        self._load_timer.timeout.connect(self._load_next)
        self._warm_timer = QTimer(self)          # the engine imported while the window idles
        self._warm_timer.setSingleShot(True)
        self._warm_timer.timeout.connect(self._warm_engine)
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
        self.canvas.contextRequested.connect(self._map_context)
        self.canvas.itemDoubleClicked.connect(self._map_double_clicked)
        self.canvas.viewport().installEventFilter(self)

    def _dock(self, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        d = QDockWidget(self)
        d.setObjectName(name)
        d.setWidget(widget)
        self.addDockWidget(area, d)
        return d

    def _build_docks(self) -> None:
        # the registers: each panel owns its model, filter proxy, view and bar (desktop.registers)
        self.sites_panel, self.stock_panel = SitesPanel(self), StockPanel(self)
        self.demand_panel, self.items_panel = DemandPanel(self), ItemsPanel(self)
        for panel in (self.sites_panel, self.stock_panel, self.demand_panel, self.items_panel):
            panel.model.invalid.connect(self._invalid_edit)
            panel.model.edit_handler = lambda row, changes, _m=panel.model: self._edit_row(_m, row, changes)
        # the names the rest of the window (and its tests) use
        self.site_model, self.site_proxy, self.site_view = (self.sites_panel.model, self.sites_panel.proxy,
                                                            self.sites_panel.view)
        self.stock_model, self.stock_proxy, self.stock_view = (self.stock_panel.model, self.stock_panel.proxy,
                                                               self.stock_panel.view)
        self.demand_model, self.demand_proxy, self.demand_view = (self.demand_panel.model, self.demand_panel.proxy,
                                                                  self.demand_panel.view)
        self.item_model, self.item_view = self.items_panel.model, self.items_panel.view
        self.f_kind = self.sites_panel.f_kind
        self.sites_panel.currentChanged.connect(self._table_selected_site)
        self.demand_panel.currentChanged.connect(self._table_selected_unit)
        self.stock_panel.addRequested.connect(self.add_stock_lot)
        self.stock_panel.deleteRequested.connect(self.delete_stock_lot)
        self.sites_panel.deleteRequested.connect(self.delete_site)
        self.dock_sites = self._dock("dock_sites", self.sites_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.dock_stock = self._dock("dock_stock", self.stock_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.dock_demand = self._dock("dock_demand", self.demand_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.dock_items = self._dock("dock_items", self.items_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
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
        scroll = QScrollArea()   # the panel is tall: it scrolls rather than push the window past a 768 px screen
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.scenarios)
        self.dock_scenarios = self._dock("dock_scenarios", scroll, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.dock_demand, self.dock_items)
        self.tabifyDockWidget(self.dock_items, self.dock_log)
        self.dock_demand.raise_()
        self.resizeDocks([self.dock_sites, self.dock_results], [430, 420], Qt.Orientation.Horizontal)
        self.resizeDocks([self.dock_sites, self.dock_stock], [470, 280], Qt.Orientation.Vertical)
        self.resizeDocks([self.dock_demand], [200], Qt.Orientation.Vertical)
        # scenarios beside the stock (left), so the results stay in view while a scenario is edited
        self.tabifyDockWidget(self.dock_stock, self.dock_scenarios)
        # identify: every attribute of what was clicked, editable like the tables
        self.identify = IdentifyPanel(self)
        self.dock_identify = self._dock("dock_identify", self.identify, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.dock_results, self.dock_identify)
        # data completeness: what data the checks lack, how many rows, what to do
        self.completeness = CompletenessPanel(self)
        self.completeness.gapActivated.connect(self.show_gap)
        self.dock_completeness = self._dock("dock_completeness", self.completeness,
                                            Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.dock_identify, self.dock_completeness)
        # map layers: show, hide and restack them; the basemap and the online tiles (desktop.layers)
        self.layers = LayerPanel(self.canvas, self.settings, self)
        self.dock_layers = self._dock("dock_layers", self.layers, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.dock_completeness, self.dock_layers)
        self.canvas.layersChanged.connect(self._layers_changed)
        self.dock_results.raise_()
        self.dock_stock.raise_()

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
        self.act_add_site = self._action(self.add_site, None, "Ctrl+Shift+A")   # Ctrl+Shift+S is Save As
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
        self.act_legend = self._action(self._toggle_legend, None, None, True)
        self.act_legend.setChecked(self.settings.show_legend)
        self.canvas.set_show_legend(self.settings.show_legend)
        self.act_run = self._action(self.run_plan, "SP_MediaPlay", "F5")
        self.act_cancel = self._action(self.cancel_run, "SP_MediaStop", "Esc")
        self.act_cancel.setEnabled(False)
        self.act_compare = self._action(self.compare_scenarios, None)
        self.act_figures = self._action(self.edit_plan_figures, None)
        self.act_document = self._action(self.edit_plan_document, None)
        self.mode_group = QActionGroup(self)
        self.act_select = self._action(lambda: self.canvas.set_mode("select"), "SP_ArrowUp", "S", True)
        self.act_draw = self._action(self._start_draw, "SP_DialogResetButton", "H", True)
        self.act_place = self._action(self._start_place, "SP_DialogApplyButton", "M", True)
        self.act_measure = self._action(lambda: self.canvas.set_mode("measure"), "SP_ToolBarHorizontalExtensionButton",
                                        "D", True)
        self.act_zoom_sel = self._action(self.zoom_to_selection, "SP_FileDialogContentsView", "Z")
        for a in (self.act_select, self.act_draw, self.act_place, self.act_measure):
            self.mode_group.addAction(a)
            # single letters act on the map only: typed into a table or a form they stay letters
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.canvas.addAction(a)
        self.act_zoom_sel.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.canvas.addAction(self.act_zoom_sel)
        self.measure_text = ""
        self.act_select.setChecked(True)
        # edits are stored as they are made; Ctrl+S says so instead of doing nothing
        self.act_saved = self._action(self._say_saved, None, K.Save)
        # right-click menus of the map and the tables
        self.act_identify_site = self._action(lambda: self._identify_current("site"), None)
        self.act_identify_unit = self._action(lambda: self._identify_current("unit"), None)
        self.act_close_site = self._action(self.close_selected_site, None)
        self.sites_panel.menu_actions = [self.act_identify_site, self.act_edit_site, self.act_close_site]
        self.demand_panel.menu_actions = [self.act_identify_unit]
        self.sites_panel.can_delete = self.stock_panel.can_delete = True
        self.canvas.modeChanged.connect(self._mode_changed)
        self.canvas.measured.connect(self._measured)
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
        self.act_manual = self._action(self.open_manual, None, QKeySequence.StandardKey.HelpContents)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.menu_file = mb.addMenu("")
        f = self.menu_file
        f.addAction(self.act_new)
        f.addAction(self.act_open)
        self.menu_recent = f.addMenu("")
        f.addAction(self.act_open_url)
        f.addAction(self.act_saved)
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
        self.menu_export.addSeparator()
        self.act_export_map = self._action(self.export_map_view, None)
        self.menu_export.addAction(self.act_export_map)
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
        for a in (self.act_fit, self.act_zoom_in, self.act_zoom_out, self.act_zoom_sel):
            v.addAction(a)
        v.addAction(self.act_measure)
        v.addSeparator()
        v.addAction(self.act_labels)
        v.addAction(self.act_areas)
        v.addAction(self.act_legend)
        v.addAction(self.dock_layers.toggleViewAction())
        v.addSeparator()
        self.menu_panels = v.addMenu("")
        for d in (self.dock_sites, self.dock_stock, self.dock_demand, self.dock_items, self.dock_results,
                  self.dock_scenarios, self.dock_log, self.dock_layers):
            self.menu_panels.addAction(d.toggleViewAction())
        self.menu_lang = v.addMenu("")
        for a in self.act_lang.values():
            self.menu_lang.addAction(a)
        self.menu_plan = mb.addMenu("")
        p = self.menu_plan
        p.addAction(self.act_figures)
        p.addAction(self.act_document)
        p.addSeparator()
        for a in (self.act_run, self.act_cancel):
            p.addAction(a)
        p.addSeparator()
        for a in (self.act_select, self.act_draw, self.act_place):
            p.addAction(a)
        p.addSeparator()
        p.addAction(self.act_compare)
        self.menu_help = mb.addMenu("")
        self.menu_help.addAction(self.act_manual)
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
        # search on the map: a site or a village by code or name (Ctrl+F)
        self.map_search = QLineEdit()
        self.map_search.setClearButtonEnabled(True)
        self.map_search.setMaximumWidth(180)
        self.search_model = QStringListModel(self)
        completer = QCompleter(self.search_model, self.map_search)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self.find_on_map)
        self.map_search.setCompleter(completer)
        self.map_search.returnPressed.connect(lambda: self.find_on_map(self.map_search.text()))
        tb.addSeparator()
        tb.addWidget(self.map_search)
        self.act_find = self._action(lambda: (self.map_search.setFocus(), self.map_search.selectAll()), None,
                                     QKeySequence.StandardKey.Find)

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
        self.analysis.resultReady.connect(self._run_done)
        self.analysis.compared.connect(self._compare_done)
        self.analysis.recommended.connect(self._recommend_done)

    def _hide_stale_tab_bars(self) -> None:
        """Qt (6.10–6.11) leaves an extra, empty dock tab bar behind when a second group of docks is
        tabified, and shows it over the map or a table. Every real dock tab has a title, so a tab
        bar of the window whose tabs are all untitled is that leftover: hide it."""
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.count() and not any(bar.tabText(i) for i in range(bar.count())) and bar.isVisible():
                log.debug("hiding Qt's leftover empty dock tab bar at %s", bar.geometry().getRect())
                bar.hide()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._hide_stale_tab_bars()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._hide_stale_tab_bars()

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
        self.map_search.setPlaceholderText(self.tr("Find on the map…"))
        self.map_search.setToolTip(self.tr("A site or a village / community by code or name (Ctrl+F)"))
        self.menu_panels.setTitle(self.tr("Panels"))
        self.menu_lang.setTitle(self.tr("Language"))
        texts = {
            self.act_new: self.tr("&New plan…"), self.act_open: self.tr("&Open plan…"),
            self.act_open_url: self.tr("Open &shared plan (PostgreSQL)…"), self.act_save_as: self.tr("Save plan &as…"),
            self.act_import: self.tr("&Import…"), self.act_print: self.tr("&Print plan (PDF)…"),
            self.act_quit: self.tr("&Quit"),
            self.act_undo: self.tr("&Undo"), self.act_redo: self.tr("&Redo"), self.act_add_site: self.tr("Add &site…"),
            self.act_edit_site: self.tr("&Edit selected site…"), self.act_del_site: self.tr("&Delete selected site"),
            self.act_add_lot: self.tr("Add stock &lot…"), self.act_add_unit: self.tr("Add &demand unit…"),
            self.act_add_item: self.tr("Add supply &item…"), self.act_fit: self.tr("&Fit map"),
            self.act_zoom_in: self.tr("Zoom &in"), self.act_zoom_out: self.tr("Zoom &out"),
            self.act_labels: self.tr("Show &labels"), self.act_areas: self.tr("Show service &areas"),
            self.act_legend: self.tr("Show the l&egend"),
            self.act_run: self.tr("&Run"), self.act_cancel: self.tr("&Cancel run"),
            self.act_compare: self.tr("&Compare scenarios…"), self.act_figures: self.tr("Plan &figures…"),
            self.act_document: self.tr("Printed plan &particulars…"),
            self.act_select: self.tr("&Select / pan"),
            self.act_draw: self.tr("Draw &hazard zone"), self.act_place: self.tr("&Place / move on the map"),
            self.act_measure: self.tr("&Measure distance / area"), self.act_zoom_sel: self.tr("Zoom to &selection"),
            self.act_about: self.tr("&About esplan"),
            self.act_log_file: self.tr("Open the &log file"),
            self.act_manual: self.tr("User &manual"),
            self.act_saved: self.tr("&Save (automatic)"),
            self.act_identify_site: self.tr("Identify (all attributes)"),
            self.act_identify_unit: self.tr("Identify (all attributes)"),
            self.act_close_site: self.tr("Close in the current scenario"),
            self.act_export_map: self.tr("Map view (PNG or PDF)…"),
        }
        for a, t in texts.items():
            a.setText(t)
        self.act_run.setToolTip(self.tr("Run the checks for the current scenario (F5)"))
        self.act_draw.setToolTip(self.tr("Click the corners of a flood zone; double-click to finish (H)"))
        self.act_measure.setToolTip(self.tr("Measure a distance along a line, or the area it encloses (D)"))
        self.act_zoom_sel.setToolTip(self.tr("Fit the map to the selected or highlighted sites and villages (Z)"))
        self.act_place.setToolTip(self.tr("Click the map to move the selected site or village (also one not yet "
                                          "located), or to place a new site (M)"))
        export_texts = {"sites": self.tr("Sites…"), "items": self.tr("Supply catalogue…"),
                        "stock": self.tr("Stock lots…"), "demand": self.tr("Demand units…"),
                        "towns": self.tr("Towns…"), "boundary": self.tr("Boundaries (GeoJSON)…")}
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
        self.dock_identify.setWindowTitle(self.tr("Identify"))
        self.identify.retranslate()
        self.dock_completeness.setWindowTitle(self.tr("Data completeness"))
        self.dock_layers.setWindowTitle(self.tr("Map layers"))
        self.completeness.retranslate()
        for panel in (self.sites_panel, self.stock_panel, self.demand_panel, self.items_panel):
            panel.retranslate()
        self.canvas.legend = {"warehouse": enum_label("warehouse"), "reserve_point": enum_label("reserve_point"),
                              "shelter": enum_label("shelter"), "served": enum_label("served"),
                              "over_capacity": enum_label("over_capacity"), "unreachable": enum_label("unreachable"),
                              "off_network": enum_label("off_network"),
                              "demand": self.tr("Village / community (no run yet)"),
                              "no_people": self.tr("Village / community without population (not counted)"),
                              "hazard": self.tr("Hazard zone"), "planned": self.tr("Planned (not built yet)"),
                              "closed": self.tr("Closed (in the plan or the scenario)"),
                              "isolated": self.tr("Cut off by road (no supply source reaches it)"),
                              "service_area": self.tr("Shelter service area (walking)")}
        self._update_unlocated_note()
        self.canvas.viewport().update()
        self._update_stale()
        self.results.retranslate()
        self.scenarios.retranslate()
        for code, a in self.act_lang.items():
            a.setChecked(code == i18n.current_language())
        self._fill_recent()

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
        self.analysis.set_plan(plan)
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
        # the plan is drawn and its tables filled in steps, the event loop turning between them
        # (opening Andorra in one go stalled the window for 0.3–0.9 s); a run asked for meanwhile
        # starts when the plan is on screen (see :meth:`when_loaded`)
        if self._loader is not None:
            self._loader.close()
        self._loader = self._load_steps(plan)
        self.loading = True
        self.canvas.drawn = False
        self.statusBar().showMessage(self.tr("Opening {loc}…").format(loc=plan.display_location))
        # a window that has not painted yet paints first (the frame and an empty map at once),
        # then draws the plan; a window never shown starts anyway after a moment
        self._load_timer.start(0 if self._painted else 250)
        return True

    def _load_steps(self, plan: Any) -> Iterator[float | None]:
        for mdl in (self.site_model, self.demand_model, self.item_model):
            mdl.set_plan(plan)
            yield
        self.stock_model.site_ids = None
        self.stock_model.set_plan(plan)
        yield
        yield from self.canvas.load_steps(plan)
        self._fill_search()
        yield
        self.scenarios.set_plan(plan, self.editor)
        yield
        self._apply_result(None)
        yield
        self.stock_panel.show_site(None)
        # what of the window names the plan (a full retranslate() re-sorted every table: 75 ms)
        name = self._plan_name()
        self.setWindowTitle(self.tr("esplan — emergency supplies & shelter planner") + (f" — {name}" if name else ""))
        self._update_unlocated_note()
        self._update_stale()
        QTimer.singleShot(0, self.canvas, self.canvas.fit)   # dropped if the window goes first
        yield
        for panel in (self.sites_panel, self.stock_panel, self.demand_panel, self.items_panel):
            panel.fit_columns()
            yield
        if plan.is_sqlite:
            self.settings.add_recent(str(Path(plan.location).resolve()))
        else:
            self.settings.add_recent(plan.location)
        self._fill_recent()
        c = plan.counts()
        self.log(self.tr(
            "Opened {loc}: {sites} sites, {units} demand units, {lots} stock lots, {edges} road edges.").format(
            loc=plan.display_location, sites=c["sites"], units=c["demand_units"], lots=c["stock_lots"],
            edges=c["road_edges"]))

    def _load_next(self, budget: float = 0.015, *, at_once: bool = False) -> None:
        """Run opening steps for about ``budget`` seconds, then let the event loop turn (a step
        waiting for work off the GUI thread is looked at again after a while); ``at_once``: all
        of them now, waiting where they wait."""
        loader = self._loader
        if loader is None:
            return
        end = time.perf_counter() + budget
        try:
            while True:
                wait = next(loader)
                if wait and at_once:
                    time.sleep(wait)
                elif wait:
                    if loader is self._loader:
                        self._load_timer.start(int(wait * 1000))
                    return
                elif not at_once and time.perf_counter() >= end:
                    break
        except StopIteration:
            if loader is self._loader:
                self._loader = None
                self.loading = False
                waiting, self._after_load = self._after_load, []
                self.loaded.emit()
                for fn in waiting:
                    fn()
                if not waiting:
                    self._warm_timer.start(50)
            return
        if loader is self._loader:
            self._load_timer.start(0)

    #: the engine's modules, imported one at a time while the window idles after a plan opens
    #: (each ≤ ~65 ms here). Imported by the first run on the worker thread instead, their C
    #: extensions' set-up held the interpreter lock and froze the window for up to 0.2 s.
    ENGINE_MODULES = ("scipy._lib.array_api_compat.numpy", "scipy._lib._array_api", "scipy._lib._util",
                      "scipy.sparse", "scipy.linalg", "scipy.sparse.linalg", "scipy.sparse.csgraph",
                      "ortools.graph.python.min_cost_flow", "pyproj", "planner.engine.graph",
                      "planner.engine.coverage", "planner.engine.supply", "planner.engine.allocation",
                      "planner.engine.isolation", "planner.engine.run", "planner.engine.session",
                      "planner.scenario.runs")

    def _warm_engine(self) -> None:
        """Import the next engine module not yet imported (one per idle moment); stop when all
        are, or when work runs (a run imports what is left on its own thread)."""
        if self.task is not None or self.loading:
            return
        for name in self.ENGINE_MODULES:
            if name not in sys.modules:
                try:
                    importlib.import_module(name)
                except ImportError:
                    log.info("engine warm-up: %s is not importable here (the run imports what it needs)", name)
                self._warm_timer.start(30)
                return

    def finish_loading(self) -> None:
        """Finish opening the plan now (scripts and tests that need it drawn at once)."""
        while self._loader is not None:
            self._load_next(at_once=True)

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if not self._painted and event.type() == QEvent.Type.Paint and obj is self.canvas.viewport():
            self._painted = True          # the window is on screen: draw the plan now
            if self._loader is not None:
                self._load_timer.start(0)
        return super().eventFilter(obj, event)

    def when_loaded(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` now, or once the plan being opened is on screen."""
        if self._loader is None:
            fn()
        else:
            self._after_load.append(fn)

    def _fill_recent(self) -> None:
        self.menu_recent.clear()
        for loc in self.settings.recent:
            display = loc
            if "://" in loc:
                try:
                    display = make_url(loc).render_as_string(hide_password=True)
                except ArgumentError:   # not a URL after all: shown as it was stored
                    log.info("recent plan %r is not a database URL", loc)
            a = self.menu_recent.addAction(display)
            a.triggered.connect(lambda _c=False, loc=loc: self.open_location(loc))
        self.menu_recent.setEnabled(bool(self.settings.recent))

    def new_plan(self) -> NewPlanWizard:
        """File ▸ New plan…: the wizard (desktop.wizard); the plan it creates opens and is checked."""
        from desktop.wizard import NewPlanWizard

        wiz = NewPlanWizard(self.settings, self)
        wiz.created.connect(self._new_plan_created)
        self._wizard = wiz
        wiz.open()
        return wiz

    def _new_plan_created(self, path: str) -> None:
        for rep in getattr(self._wizard, "reports", []):
            self.log(str(rep))
        if self.open_location(path):
            self.run_plan()

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

    def _fill_search(self) -> None:
        """The names the map search offers: every site and village, "code name"."""
        self._search_index = {f"{r['code']} {r['name'] or ''}".strip(): ("site", r["id"]) for r in self.site_model.rows}
        self._search_index.update({f"{r['code']} {r['name'] or ''}".strip(): ("unit", r["id"])
                                   for r in self.demand_model.rows})
        self.search_model.setStringList(sorted(self._search_index))

    def find_on_map(self, text: str) -> bool:
        """Select and centre the site or village named ``text`` (a "code name" entry, a code or a
        name; the first containing it otherwise)."""
        text = text.strip()
        if not text:
            return False
        hit = self._search_index.get(text) or next(
            (v for k, v in self._search_index.items() if k.split(" ", 1)[0] == text or k.endswith(" " + text)), None) \
            or next((v for k, v in self._search_index.items() if text.lower() in k.lower()), None)
        if hit is None:
            self.statusBar().showMessage(self.tr("No site or village matches “{text}”.").format(text=text), 5000)
            return False
        kind, pk = hit
        if kind == "site":
            self.select_site(pk)
            self.canvas.select_site(pk)
        else:
            self.demand_panel.select(pk)
            self.dock_demand.raise_()
            self.canvas.select_unit(pk)
        if pk not in (self.canvas.site_items if kind == "site" else self.canvas.unit_items):
            self.statusBar().showMessage(self.tr("“{text}” has no coordinates: it is not on the map.").format(
                text=text), 5000)
        return True

    def _plan_changed(self, table: str, pk: int) -> None:
        if self.loading:       # an edit while the plan was still being drawn: draw the rest first
            self.finish_loading()
        if table in ("site", "demand_unit"):
            QTimer.singleShot(0, self, self._fill_search)
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
            if pk and self.demand_model.row_of(pk) is not None:
                self.demand_model.refresh_row(pk)
            else:
                self.demand_model.reload()
            self.canvas.load(self.plan)
            self._load_hazards()
            self.canvas.set_result(self.result, self._closed_codes())
        elif table == "supply_item":
            if pk and self.item_model.row_of(pk) is not None:
                self.item_model.refresh_row(pk)
            else:
                self.item_model.reload()
            self.stock_model.reload()
        elif table in ("scenario", "hazard_zone"):
            self.scenarios.reload()
            self._load_hazards()
            if self._auto_rerun:
                QTimer.singleShot(0, self, self.run_plan)
            self._auto_rerun = False
        elif table == "plan_info":
            if self._auto_rerun:    # the figures were just saved: every check depends on them
                QTimer.singleShot(0, self, self.run_plan)
            self._auto_rerun = False
        self.analysis.plan_changed()
        self.result_stale = self.result is not None
        self._update_stale()
        self._update_unlocated_note()

    def _update_stale(self) -> None:
        self.stale_label.setText(self.tr("Results are out of date — press F5 to rerun") if self.result_stale else "")

    def _update_unlocated_note(self) -> None:
        n, p, s = getattr(self.canvas, "unlocated", (0, 0, 0))
        if (n or s) and not p:   # no population known for them: no "(0 people)"
            self.canvas.unlocated_note = self.tr("Not on the map: {n} units, {s} sites").format(n=n, s=s)
        elif n or s:
            self.canvas.unlocated_note = self.tr("Not on the map: {n} units ({p:,} people), {s} sites").format(
                n=n, p=int(p), s=s)
        else:
            self.canvas.unlocated_note = ""
        self.canvas.viewport().update()

    def selected_site(self) -> dict[str, Any] | None:
        return self.sites_panel.current_row()

    def add_site(self, lon: float | None = None, lat: float | None = None) -> None:
        if self.plan is None:
            return
        vals = forms.ask_new_site(self, self.sites_panel.town_choices(), lon, lat)
        if vals:
            pk = self.editor.insert("site", vals, text=self.tr("Add site {code}").format(code=vals["code"]))
            if pk:
                self.select_site(pk)

    def edit_site(self) -> None:
        row = self.selected_site()
        if row is None:
            return
        changes = forms.ask_site_changes(self, row, self.sites_panel.town_choices())
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
        sel = self.selected_site()
        vals = forms.ask_new_stock_lot(self, self.plan, sel["id"] if sel else None)
        if vals:
            self.editor.insert("stock_lot", vals, text=self.tr("Add stock lot"))

    def delete_stock_lot(self) -> None:
        row = self.stock_panel.current_row()
        if row is not None:
            self.editor.delete("stock_lot", row["id"], text=self.tr("Delete stock lot"))

    def add_demand_unit(self) -> None:
        if self.plan is None:
            return
        vals = forms.ask_new_demand_unit(self, self.sites_panel.town_choices())
        if vals:
            self.editor.insert("demand_unit", vals, text=self.tr("Add demand unit {code}").format(code=vals["code"]))

    def add_supply_item(self) -> None:
        if self.plan is None:
            return
        vals = forms.ask_new_supply_item(self)
        if vals:
            self.editor.insert("supply_item", vals, text=self.tr("Add supply item {code}").format(code=vals["code"]))

    def edit_plan_figures(self) -> PlanFiguresDialog | None:
        """Plan ▸ Plan figures…: saved through the planner's service as one undoable edit, then rerun."""
        if self.plan is None:
            return None
        dlg = PlanFiguresDialog(self.plan, self._save_plan_figures, self)
        dlg.setObjectName("planFiguresDialog")
        dlg.open()
        self._figures_dialog = dlg
        return dlg

    def edit_plan_document(self) -> PlanDocumentDialog | None:
        """Plan ▸ Printed plan particulars…: the cover and the bureau's chapters, one undoable edit."""
        if self.plan is None:
            return None
        dlg = PlanDocumentDialog(self.plan, self._save_plan_document, self)
        dlg.setObjectName("planDocumentDialog")
        dlg.open()
        self._document_dialog = dlg
        return dlg

    def _save_plan_document(self, changes: dict[str, Any], version: int) -> bool:
        text = self.tr("Change the printed plan's particulars")
        if not set_plan_document(self.editor, changes, version, text):
            return False
        self.log(text)
        return True

    def _save_plan_figures(self, changes: dict[str, Any], version: int) -> bool:
        names = figure_names()
        text = self.tr("Change plan figures: {names}").format(names=", ".join(names[k] for k in changes))
        self._auto_rerun = True
        if not set_plan_figures(self.editor, changes, version, text):
            self._auto_rerun = False
            return False
        self.log(self.tr("{what}; rerunning.").format(what=text))
        return True

    # ================================================================== selection sync
    def select_site(self, pk: int) -> None:
        self.sites_panel.select(pk)

    def _table_selected_site(self, row: dict[str, Any] | None) -> None:
        if row is None:
            return
        self.identify.show_row("site", self.site_model, row["id"])
        self._last_pick = "site"
        self.stock_panel.show_site(row)
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

    def _table_selected_unit(self, row: dict[str, Any] | None) -> None:
        if row is not None:
            self.identify.show_row("unit", self.demand_model, row["id"])
            self._last_pick = "unit"
        if row is not None and not self._selecting:
            self._selecting = True
            self.canvas.select_unit(row["id"])
            self._selecting = False

    def _map_selected_unit(self, pk: int) -> None:
        if self._selecting:
            return
        self._selecting = True
        if self.demand_panel.select(pk):
            self.dock_demand.raise_()
        self._selecting = False

    # ================================================================== identify, menus, double-click
    def _identify_current(self, kind: str) -> None:
        """Show the selected site / unit in the identify panel and bring the panel forward."""
        row = self.selected_site() if kind == "site" else self.demand_panel.current_row()
        if row is not None:
            self.identify.show_row(kind, self.site_model if kind == "site" else self.demand_model, row["id"])
            self.dock_identify.show()
            self.dock_identify.raise_()

    def map_menu(self, kind: str, pk: int, lon: float, lat: float) -> QMenu:
        """The map's right-click menu: for a site, a village / community, or an empty spot."""
        m = QMenu(self)
        if kind == "site":
            self.select_site(pk)
            m.addAction(self.act_identify_site)
            m.addAction(self.act_edit_site)
            m.addAction(self.act_close_site)
            m.addAction(self.tr("Move on the map"), self._start_place)
            m.addSeparator()
            m.addAction(self.act_del_site)
        elif kind == "unit":
            self._map_selected_unit(pk)
            self.canvas.select_unit(pk, center=False)
            m.addAction(self.act_identify_unit)
        else:
            m.addAction(self.tr("Add a site here…"), lambda: self.add_site(lon, lat))
            m.addAction(self.act_draw)
            m.addAction(self.act_measure)
            m.addAction(self.act_fit)
            m.addAction(self.act_zoom_sel)
            m.addAction(self.act_legend)
        return m

    def _map_context(self, kind: str, pk: int, lon: float, lat: float, pos: QPoint) -> None:
        self.map_menu(kind, pk, lon, lat).popup(pos)

    def _map_double_clicked(self, kind: str, pk: int) -> None:
        """Double-click a site: its form; a village / community: its attributes to edit."""
        if kind == "site":
            self.select_site(pk)
            self.edit_site()
        else:
            self._map_selected_unit(pk)
            self._identify_current("unit")

    # ================================================================== map modes
    def _mode_changed(self, mode: str) -> None:
        {"select": self.act_select, "draw": self.act_draw, "place": self.act_place,
         "measure": self.act_measure}[mode].setChecked(True)
        if mode == "measure":
            self.statusBar().showMessage(self.tr(
                "Click points along the way; double-click or right-click to finish (three points or "
                "more: also the area they enclose); Esc to stop."))
        if mode == "draw":
            self.statusBar().showMessage(
                self.tr("Click the corners of the hazard zone; double-click to finish, Esc to cancel."))
        elif mode == "place":
            self.statusBar().showMessage(self.tr("Click the map to place the site; Esc to cancel."))

    def _measured(self, length_m: float, area_m2: Any) -> None:
        """The measure tool's figures in the status bar: km / m, 平方公里 / 平方米 (公顷 too)."""
        dist = (self.tr("{v:,.2f} km").format(v=length_m / 1000) if length_m >= 1000
                else self.tr("{v:,.0f} m").format(v=length_m))
        text = self.tr("Distance along the line: {d}").format(d=dist)
        if area_m2 is not None:
            area = (self.tr("{v:,.2f} km²").format(v=area_m2 / 1e6) if area_m2 >= 1e6
                    else self.tr("{v:,.0f} m² ({ha:,.2f} ha)").format(v=area_m2, ha=area_m2 / 1e4))
            text += self.tr("; area enclosed: {a}").format(a=area)
        self.statusBar().showMessage(text)
        self.measure_text = text

    def zoom_to_selection(self) -> None:
        if not self.canvas.zoom_to_selection():
            self.statusBar().showMessage(self.tr("Nothing is selected or highlighted on the map."), 4000)

    def _start_draw(self) -> None:
        if self.scenarios.current_scenario() is None:
            name = self.scenarios.new_scenario(self.scenarios._unique(self.tr("Flood")))
            if not name:
                self.canvas.set_mode("select")
                return
            self.log(self.tr("Hazard zones belong to a scenario: created scenario “{name}”.").format(name=name))
        self.canvas.set_mode("draw")

    def _start_place(self) -> None:
        unit = self.demand_panel.current_row()
        if self._last_pick == "unit" and unit is not None:
            self._place_action = "move_unit"       # place / move a village (one without coordinates too)
            self.canvas.set_mode("place")
            self.statusBar().showMessage(self.tr("Click the map where {code} {name} lies; Esc to cancel.").format(
                code=unit["code"], name=unit["name"]))
        else:
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
        unit = self.demand_panel.current_row()
        if self._place_action == "move_unit" and unit is not None:
            self.editor.update("demand_unit", unit["id"], {"lon": round(lon, 7), "lat": round(lat, 7)},
                               expected_version=unit["version"],
                               text=self.tr("Place {code} {name} on the map").format(code=unit["code"],
                                                                                    name=unit["name"]))
            return
        row = self.selected_site()
        if self._place_action == "move" and row is not None:
            self.editor.update("site", row["id"], {"lon": round(lon, 7), "lat": round(lat, 7)},
                               expected_version=row["version"],
                               text=self.tr("Move site {code}").format(code=row["code"]))
        else:
            self.add_site(lon, lat)

    def _layers_changed(self) -> None:
        """The View menu's switches follow the layer panel."""
        for act, key in ((self.act_labels, "labels"), (self.act_areas, "service_areas")):
            act.setChecked(self.canvas.layer_visible.get(key, True))

    def _toggle_labels(self, on: bool) -> None:
        self.settings.show_labels = on
        self.canvas.set_show_labels(on)

    def _toggle_legend(self, on: bool) -> None:
        self.settings.show_legend = on
        self.canvas.set_show_legend(on)

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
            QMessageBox.information(self, self.tr("Close a site"),
                                    self.tr("Select a site in the table or on the map first."))
            return
        self._auto_rerun = True
        if not self.scenarios.close_site(row["code"]):
            self._auto_rerun = False

    def compare_scenarios(self) -> None:
        if self.plan is not None:
            self.analysis.compare([None, *scenario_store.scenario_names(self.plan)],
                                  lang="zh" if i18n.is_chinese() else "en", font_family=i18n.cjk_family())

    def _compare_done(self, out: dict[str, Any]) -> None:
        dlg = CompareDialog(out["results"], self, zh=i18n.is_chinese(), maps=out.get("maps"),
                            maps_failed=out.get("maps") is None)
        dlg.setObjectName("compareDialog")
        dlg.open()
        self._compare_dialog = dlg

    def recommend(self) -> None:
        problem, k = self.scenarios.recommend_request()
        self.analysis.recommend(self.scenarios.current_name(), problem, k)

    def _recommend_done(self, rec: Any) -> None:
        actions = list(rec.get("actions") or []) if isinstance(rec, dict) else list(rec or [])
        self.scenarios.set_recommendations(actions, i18n.is_chinese(), self.recommendation_summary(rec))
        self.canvas.set_recommendations([(a["lon"], a["lat"], a.get("name") or a.get("site_code") or "")
                                         for a in actions if a.get("lon") is not None and a.get("lat") is not None])
        if isinstance(rec, dict) and rec.get("promised_share") is not None:
            self.log(self.tr("{n} recommended action(s): served share {a:.1%} → {b:.1%}.").format(
                n=len(actions), a=rec.get("base_share") or 0, b=rec.get("promised_share") or 0))
        elif isinstance(rec, dict) and rec.get("problem") == "points" and not actions:
            self.log(self.tr("No reserve point is needed: {n} of {m} located villages / communities are within "
                             "the delivery deadline; {u} are not located or far from the roads.").format(
                n=rec.get("units_within_deadline"), m=rec.get("units_on_network"),
                u=len(rec.get("units_unlocated_or_off_network") or [])))
        else:
            self.log(self.tr("{n} recommended action(s).").format(n=len(actions)))
        solver = rec.get("solver") if isinstance(rec, dict) else None
        if solver:
            self.log(self.solver_text(solver))
        self.dock_scenarios.raise_()

    def recommendation_summary(self, rec: Any) -> str:
        """Where the recommendation leaves the target: served share now → with all applied,
        against the target (个百分点 short or over)."""
        if not isinstance(rec, dict) or rec.get("base_share") is None or rec.get("promised_share") is None:
            return ""
        a, b, t = rec["base_share"], rec["promised_share"], rec.get("target_share")
        text = self.tr("Served within the limit: {a:.1%} now → {b:.1%} with all applied").format(a=a, b=b)
        if t is not None:
            gap = round(100 * b, 1) - round(100 * t, 1)
            text += self.tr(" (target {t:.1%}: {gap:+.1f} pp)").format(t=t, gap=gap)
        return text + "."

    def solver_text(self, solver: dict[str, Any]) -> str:
        """How good the recommendation is proven to be: the solver's status, the proven gap
        between the answer and the best possible one, the time limit and the time taken."""
        status = {"optimal": self.tr("optimal (proven)"), "feasible": self.tr("feasible, not proven optimal"),
                  "infeasible": self.tr("the target cannot be reached with these candidates"),
                  "already_met": self.tr("the target is already met")}.get(solver.get("status") or "",
                                                                            str(solver.get("status")))
        gap = solver.get("gap")
        gap_text = self.tr("no bound") if gap is None else f"{100 * gap:.2f} %"
        took = solver.get("solve_s")
        return self.tr("Solver: {status}; proven gap {gap}; time limit {limit:g} s{took}.").format(
            status=status, gap=gap_text, limit=solver.get("time_limit_s") or 0,
            took="" if took is None else self.tr(", took {s:.1f} s").format(s=took))

    def apply_recommendation(self, recs: dict[str, Any] | list[dict[str, Any]]) -> None:
        """Apply one recommendation or several together (one undoable step), then rerun."""
        recs = [recs] if isinstance(recs, dict) else list(recs)
        if self.plan is None or self.editor is None or not recs:
            return
        name = self.scenarios.current_name() or self.scenarios._unique(self.tr("Recommended"))
        cmd = apply_actions_command(self.editor, name, recs,
                                    self.tr("Apply recommendation to scenario {name}").format(name=name))
        self._auto_rerun = False
        if not self.editor._push(cmd):
            return
        self.scenarios.reload(select_name=name)
        for rec in recs:
            self.scenarios.mark_applied(rec, name)
        self._load_hazards()
        self.log(self.tr("{n} recommendation(s) applied to scenario “{name}”.").format(n=len(recs), name=name))
        self.run_plan()

    # ================================================================== running
    @property
    def task(self) -> Task | None:
        """The running background job, if any."""
        return self.analysis.task

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
        self.analysis.stop()
        self._task_idle()

    def run_plan(self) -> None:
        if self.loading:      # the plan is still being drawn: run once it is on screen
            if self.run_plan not in self._after_load:
                self._after_load.append(self.run_plan)
            return
        self.analysis.run(self.scenarios.current_name())

    def cancel_run(self) -> None:
        self.analysis.cancel()

    def _run_done(self, result: Any, stale: bool = False) -> None:
        self._apply_result(result)
        if stale or result.scenario != (self.scenarios.current_name() or scenario_store.BASELINE):
            # the plan was edited, or another scenario chosen, while this ran
            self.result_stale = True
            self._update_stale()
        counts = typed(result).counts
        self.log(self.tr("Run finished: {passed} checks passed, {failed} failed, {unknown} not assessable; "
                         "served within the limit {share}.").format(
            passed=counts.passed, failed=counts.failed, unknown=counts.unknown,
            share=fmt_value(typed(result).summary.served_share, "share")))

    def _apply_result(self, result: Any) -> None:
        self.result = result
        self.result_stale = False
        self._update_stale()
        self.results.set_result(result)
        self.canvas.set_result(result, self._closed_codes())
        self.completeness.set_result(result, self.plan.counts()["road_edges"] if self.plan is not None else None)
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

    def show_check(self, check: Check) -> None:
        self._show_places(check.id, check.name("zh" if i18n.is_chinese() else "en"))

    def show_finding(self, finding: Finding) -> None:
        self._show_places(finding.ref, finding.text("zh" if i18n.is_chinese() else "en"))

    def show_gap(self, code: str) -> None:
        """A row of the completeness panel: the table where the data is entered, and the
        villages without coordinates highlighted there."""
        if code == "units_unlocated":
            self._show_places("unlocated", self.completeness.texts(code)[0].format(n=""))
        elif code.startswith("units_"):
            self.dock_demand.raise_()
        elif code.startswith("shelters_"):
            self.dock_sites.raise_()
        elif code == "items_without_price":
            self.dock_items.raise_()
        elif code == "no_roads":
            self.import_dialog()

    def _show_places(self, ref: str, label: str | None) -> None:
        sites, units = self.places_for(ref)
        self.site_model.set_highlight(sites)
        self.demand_model.set_highlight(units)
        self.canvas.set_highlight(sites, units)
        if ref.startswith(("supply_", "unusable_")):
            self.stock_panel.show_sites(sites, unusable_lot_ids(self.result, ref) if self.result else set())
            self.dock_stock.raise_()
        if units:
            self.demand_panel.scroll_to_first(units)
            self.dock_demand.raise_()
        if sites:
            self.sites_panel.scroll_to_first(sites)
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
            if self.editor is not None:    # a table import is one step on the undo stack
                self.editor.push_import(self.tr("Import {file}").format(file=Path(dlg.report.file).name),
                                        dlg.changes)
            for mdl in (self.site_model, self.stock_model, self.demand_model, self.item_model):
                mdl.reload()
            self.canvas.load(self.plan)
            self._load_hazards()
            for panel in (self.sites_panel, self.stock_panel, self.demand_panel, self.items_panel):
                panel.retranslate()      # their filters (towns …) from the imported rows
            self.canvas.fit()
            self.analysis.plan_changed()
            self.result_stale = self.result is not None
            self._update_stale()

    def export_dialog(self, kind: str, path: str | None = None) -> int | None:
        if self.plan is None:
            return None
        if path is None:
            filt = "GeoJSON (*.geojson)" if kind == "boundary" else \
                self.tr("Excel (*.xlsx);;CSV (*.csv);;GeoJSON (*.geojson)")
            start = str(Path(self.settings.last_dir or Path.home()) / kind)
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export"), start, filt)
            if not path:
                return None
            if Path(path).suffix == "":
                path += ".geojson" if kind == "boundary" else ".xlsx"
        try:
            from planner.io.tables import export_table  # loads on the first export, not at start-up

            n = export_table(self.plan, kind, path)
        except Exception as exc:  # noqa: BLE001 - shown to the user (file locked, bad path, …) and logged
            log.warning("export of %s to %s failed", kind, path, exc_info=True)
            QMessageBox.warning(self, self.tr("Export"), str(exc))
            return None
        self.log(self.tr("Exported {n} rows to {path}.").format(n=n, path=path))
        return n

    def export_map_view(self, path: str | None = None) -> bool:
        """The map as it is shown (legend, scale bar, north arrow, attribution) to PNG or PDF."""
        if path is None:
            start = str(Path(self.settings.last_dir or Path.home()) / self.tr("map"))
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the map view"), start,
                                                  self.tr("PNG image (*.png);;PDF (*.pdf)"))
            if not path:
                return False
            if Path(path).suffix.lower() not in (".png", ".pdf"):
                path += ".png"
        try:
            if Path(path).suffix.lower() == ".pdf":
                writer = QPdfWriter(path)
                writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
                writer.setPageOrientation(QPageLayout.Orientation.Landscape)
                writer.setResolution(150)
                painter = QPainter(writer)
                try:
                    self.canvas.render(painter)
                finally:
                    ok = painter.end()
            else:
                ok = self.canvas.viewport().grab().save(path)
        except Exception:  # noqa: BLE001 - a bad path or a full disk: said and logged
            log.warning("map export to %s failed", path, exc_info=True)
            ok = False
        if not ok:
            QMessageBox.warning(self, self.tr("Export the map view"),
                                self.tr("Could not write {path}.").format(path=path))
            return False
        self.log(self.tr("Map view saved as {path}.").format(path=path))
        return True

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

    def _say_saved(self) -> None:
        if self.plan is None:
            return
        self.log(self.tr("Every edit is saved in the plan as you make it ({where}); use Save As for a copy.").format(
            where=self.plan.display_location))

    def open_manual(self) -> None:
        dlg = ManualDialog(i18n.is_chinese(), self)
        dlg.setObjectName("manualDialog")
        dlg.open()
        self._manual_dialog = dlg

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
