"""Dialogs: record forms, import (with preview and a report of every rejected row), edit
conflicts, the shared-plan URL, scenario comparison and the printed report."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, QRectF, Qt, QUrl
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import esplan_resources
from desktop.fields import Col, Invalid, enum_label, parse_value
from desktop.mapping import TableFileChooser, name_columns
from desktop.results import fmt_value, whole
from desktop.worker import Task
from planner import registry
from planner.engine.results import typed
from planner.io.dispatch import IMPORT_KINDS, TABLE_KINDS, import_file
from planner.io.errors import ImportFailed
from planner.io.templates import canonical_kind
from planner.report import write_report
from planner.scenario.compare import compare_results

log = logging.getLogger(__name__)


class RecordDialog(QDialog):
    """A form built from column specs; values are checked with the table's own validation."""

    def __init__(self, title: str, fields: list[tuple[Col, Any]], parent=None,
                 choices: dict[str, list[tuple[str, str]]] | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fields = fields
        self.widgets: dict[str, QWidget] = {}
        form = QFormLayout(self)
        choices = choices or {}
        for col, init in fields:
            if col.kind == "enum" or col.key in choices:
                w = QComboBox()
                opts = choices.get(col.key) or [(c, enum_label(c)) for c in col.choices]
                if not col.required:
                    w.addItem("", None)
                for val, label in opts:
                    w.addItem(label, val)
                k = w.findData(init)
                if k >= 0:
                    w.setCurrentIndex(k)
            else:
                w = QLineEdit("" if init is None else str(init))
                if col.kind == "date":
                    w.setPlaceholderText("YYYY-MM-DD")
            w.setEnabled(col.editable)
            self.widgets[col.key] = w
            label = QCoreApplication.translate("Columns", col.header) + (" *" if col.required else "")
            form.addRow(label, w)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        form.addRow(bb)
        self.values: dict[str, Any] = {}

    def collect(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col, _init in self.fields:
            w = self.widgets[col.key]
            raw = w.currentData() if isinstance(w, QComboBox) else w.text()
            if isinstance(w, QComboBox):
                if raw is None and col.required:
                    raise Invalid(self.tr("{field} is required.").format(field=col.header))
                out[col.key] = raw
            else:
                out[col.key] = parse_value(col, raw)
        return out

    def accept(self) -> None:
        try:
            self.values = self.collect()
        except Invalid as exc:
            self.error.setText(str(exc))
            return
        super().accept()


def show_conflict(parent: QWidget, exc: Any) -> None:
    """An edit conflict: the user's values next to the other planner's."""
    dlg = QDialog(parent)
    dlg.setWindowTitle(QCoreApplication.translate("Dialogs", "Edit conflict"))
    lay = QVBoxLayout(dlg)
    if exc.theirs is None:
        lay.addWidget(QLabel(QCoreApplication.translate(
            "Dialogs", "Another planner deleted this row ({entity} #{id}) since you opened it. "
                                    "Your change was not saved.").format(entity=exc.entity, id=exc.entity_id)))
    else:
        lay.addWidget(QLabel(QCoreApplication.translate(
            "Dialogs", "Another planner changed this row ({entity} #{id}) since you read it. "
                                    "Your change was not saved; the table now shows their values.").format(
            entity=exc.entity, id=exc.entity_id)))
        mine, theirs = exc.mine or {}, exc.theirs
        keys = [k for k in theirs if k != "version" and mine.get(k) != theirs.get(k)]
        t = QTableWidget(len(keys), 3)
        t.setHorizontalHeaderLabels([QCoreApplication.translate("Dialogs", "Field"),
                                     QCoreApplication.translate("Dialogs", "Your value"),
                                     QCoreApplication.translate("Dialogs", "Their value (saved)")])
        for r, k in enumerate(keys):
            for c, v in enumerate((k, mine.get(k), theirs.get(k))):
                t.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        lay.addWidget(t)
    bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    bb.accepted.connect(dlg.accept)
    lay.addWidget(bb)
    dlg.resize(560, 300)
    dlg.setObjectName("conflictDialog")
    dlg.open()
    parent._last_conflict_dialog = dlg  # kept for tests / not garbage collected


def problems_table(problems: list[Any], parent: QWidget | None = None) -> QTableWidget:
    t = QTableWidget(len(problems), 5, parent)
    t.setHorizontalHeaderLabels([QCoreApplication.translate("ImportDialog", "File"),
                                 QCoreApplication.translate("ImportDialog", "Row"),
                                 QCoreApplication.translate("ImportDialog", "Field"),
                                 QCoreApplication.translate("ImportDialog", "Problem"),
                                 QCoreApplication.translate("ImportDialog", "Value")])
    for r, p in enumerate(problems):
        vals = (Path(p.file).name, "" if p.row is None else str(p.row), p.field or "", p.message,
                "" if p.value in (None, "") else str(p.value))
        for c, v in enumerate(vals):
            it = QTableWidgetItem(v)
            it.setToolTip(v)
            t.setItem(r, c, it)
    fit_problem_columns(t)
    t.verticalHeader().hide()
    return t


def fit_problem_columns(t: QTableWidget) -> None:
    """Problems are read, not skimmed: the short columns fit their text, the problem column takes
    the rest and wraps (rows grow) instead of ending in "…"."""
    t.setWordWrap(True)
    t.setTextElideMode(Qt.TextElideMode.ElideNone)
    head = t.horizontalHeader()
    for c in range(t.columnCount()):
        head.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch if c == 3
                                  else QHeaderView.ResizeMode.ResizeToContents)
    t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)





class ImportDialog(QDialog):
    """Choose a file and a kind, preview the first rows, import; on refusal list every problem."""

    def __init__(self, plan: Any, parent=None, kind: str = "sites"):
        super().__init__(parent)
        self.plan = plan
        self.task: Task | None = None
        self.report: Any = None
        self.changes: list[Any] = []      # what a table import changed (planner.registry.TableChange)
        self.setWindowTitle(self.tr("Import into the plan"))
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox()
        labels = {"osm": self.tr("Road network (OpenStreetMap .osm/.pbf)"),
                  "roads-geojson": self.tr("Road network (GeoJSON)"),
                  "boundary": self.tr("District boundary (GeoJSON)"),
                  "sites": self.tr("Sites: warehouses, points, shelters"), "items": self.tr("Supply catalogue"),
                  "stock": self.tr("Stock lots"), "demand": self.tr("Demand units (villages)"),
                  "towns": self.tr("Towns")}
        for k in IMPORT_KINDS:
            self.kind.addItem(labels[k], k)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        form.addRow(self.tr("What"), self.kind)
        row = QHBoxLayout()
        self.path = QLineEdit()
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self.browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow(self.tr("File"), row)
        self.mode = QComboBox()
        self.mode.addItem(self.tr("Add new rows (refuse existing codes)"), "insert")
        self.mode.addItem(self.tr("Add or update by code"), "upsert")
        self.mode.addItem(self.tr("Replace the stock of the sites in the file (stock only)"), "replace")
        form.addRow(self.tr("Mode"), self.mode)
        self.replace = QCheckBox(self.tr("Replace an existing boundary, or the road network by a much smaller one"))
        form.addRow("", self.replace)
        self.crs = QComboBox()
        self.crs.addItem(self.tr("WGS84 / CGCS2000 (GPS)"), "wgs84")
        self.crs.addItem(self.tr("GCJ-02 (AMap, Tencent)"), "gcj02")
        self.crs.addItem(self.tr("BD-09 (Baidu)"), "bd09")
        form.addRow(self.tr("Coordinates"), self.crs)
        # a table's columns: matched to the template's fields (desktop.mapping), remembered per layout
        self.mapper = TableFileChooser(self.kind.currentData() if self.kind.currentData() in TABLE_KINDS else "sites",
                                       getattr(parent, "settings", None), self)
        self.mapper.path.hide()
        self.mapper.browse_button.hide()
        self.mapper.changed.connect(self._preview_rows)
        form.addRow(self.tr("Columns"), self.mapper)
        self._form = form
        lay.addLayout(form)
        self.info = QLabel()
        self.info.setWordWrap(True)
        lay.addWidget(self.info)
        self.table = QTableWidget()
        lay.addWidget(self.table, 1)
        self.progress = QProgressBar()
        self.progress.hide()
        lay.addWidget(self.progress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.btn_import = self.buttons.addButton(self.tr("Import"), QDialogButtonBox.ButtonRole.ActionRole)
        self.btn_import.clicked.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.path.editingFinished.connect(self.preview)
        self.kind.currentIndexChanged.connect(self.preview)
        form.setRowVisible(self.mapper, self.kind.currentData() in TABLE_KINDS)
        self.resize(820, 520)

    def browse(self) -> None:
        kind = self.kind.currentData()
        filt = {"osm": self.tr("OpenStreetMap (*.osm *.pbf *.osm.pbf *.bz2)"),
                "roads-geojson": "GeoJSON (*.geojson *.json)", "boundary": "GeoJSON (*.geojson *.json)"}.get(
            kind, self.tr("Tables (*.csv *.xlsx *.geojson *.json)"))
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a file"), "",
                                              filt + ";;" + self.tr("All files (*)"))
        if path:
            self.path.setText(path)
            self.preview()

    def preview(self) -> None:
        path, kind = self.path.text().strip(), self.kind.currentData()
        is_table = kind in TABLE_KINDS
        self._form.setRowVisible(self.mapper, is_table)
        if is_table and path and Path(path).exists():
            self.mapper.kind = canonical_kind(kind)
            self.mapper.set_path(path)      # proposes the mapping; its change signal shows the rows
            return
        self._preview_rows()

    def _preview_rows(self) -> None:
        path, kind = self.path.text().strip(), self.kind.currentData()
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        if not path or not Path(path).exists():
            self.info.setText(self.tr("Choose a file to see its first rows."))
            return
        if kind in ("osm", "roads-geojson", "boundary"):
            self.info.setText(self.tr("{name}: {size:,.0f} kB. No row preview for map data; the import checks "
                                      "everything before writing.").format(name=Path(path).name,
                                                                           size=Path(path).stat().st_size / 1024))
            return
        try:
            from planner.io.tables import read_table  # the table readers load when a file is chosen

            rows = read_table(path, kind, columns=self.mapper.columns())
        except ImportFailed as exc:
            self.show_problems(exc.problems)
            return
        except Exception as exc:  # noqa: BLE001 - an unreadable file: shown to the user and logged
            log.warning("preview of %s failed", path, exc_info=True)
            self.info.setText(self.tr("Cannot read the file: {err}").format(err=exc))
            return
        keys = [k for k in (rows[0].keys() if rows else []) if k != "_row"]
        shown = rows[:20]
        self.table.setColumnCount(len(keys) + 1)
        self.table.setHorizontalHeaderLabels([self.tr("Row")] + keys)
        self.table.setRowCount(len(shown))
        for r, row in enumerate(shown):
            self.table.setItem(r, 0, QTableWidgetItem(str(row["_row"])))
            for c, k in enumerate(keys, 1):
                v = row.get(k)
                self.table.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))
        self.info.setText(self.tr("Preview: the first {shown} of {n} rows. Nothing is written until you press Import; "
                                  "if any row is bad nothing is written at all.").format(shown=len(shown), n=len(rows)))

    def show_problems(self, problems: list[Any]) -> None:
        self.info.setText("<b style='color:#c0392b'>" + self.tr(
            "Import refused, nothing was written: {n} problem(s). Fix them in the file and import again.").format(
            n=len(problems)) + "</b>")
        t = problems_table(problems)
        self.table.clear()
        self.table.setColumnCount(t.columnCount())
        self.table.setRowCount(t.rowCount())
        self.table.setHorizontalHeaderLabels([t.horizontalHeaderItem(c).text() for c in range(t.columnCount())])
        for r in range(t.rowCount()):
            for c in range(t.columnCount()):
                self.table.setItem(r, c, t.item(r, c).clone())
        fit_problem_columns(self.table)

    def run_import(self) -> None:
        path, kind = self.path.text().strip(), self.kind.currentData()
        if not path:
            return
        mode, crs, replace = self.mode.currentData(), self.crs.currentData(), self.replace.isChecked()
        columns = None
        if kind in TABLE_KINDS:
            if self.mapper.file() != path or self.mapper.kind != canonical_kind(kind):
                self.preview()
            if self.mapper.refusal:         # e.g. a required field no column holds: named, not guessed
                self.show_problems(self.mapper.refusal)
                return
            if not self.mapper.is_ready():
                self.info.setText("<b style='color:#c0392b'>" + self.tr(
                    "Match the file's columns to the template first (Columns…).") + "</b>")
                self.mapper.open_mapping()
                return
            columns = self.mapper.columns()
        plan = self.plan

        entity = registry.IMPORT_ENTITIES.get(kind)

        def job(state):
            # a table import is one undoable step: what it changed, from the rows before and after
            before = registry.snapshot(plan, entity) if entity else {}
            report = import_file(plan, kind, path, progress=state, mode=mode, crs=crs, replace=replace,
                                 columns=columns)
            changes = [registry.changes_between(entity, before, registry.snapshot(plan, entity))] if entity else []
            return report, changes

        self.btn_import.setEnabled(False)
        self.progress.show()
        self.progress.setRange(0, 0 if kind != "osm" else 100)
        self.task = Task(job)
        self.task.state.progress.connect(
            lambda f, msg: (self.progress.setRange(0, 100), self.progress.setValue(int(f * 100))))
        self.task.succeeded.connect(self._done)
        self.task.failed.connect(self._failed)
        self.task.cancelled.connect(self._finish)
        self.task.start()

    def _finish(self) -> None:
        self.progress.hide()
        self.btn_import.setEnabled(True)
        if self.task is not None:
            self.task.wait()
            self.task = None

    def _done(self, result: Any) -> None:
        self._finish()
        report, self.changes = result
        self.report = report
        self.info.setText("<b style='color:#2e7d32'>" + self.tr("Imported.") + "</b> "
                          + str(report).replace("\n", "<br>"))

    def _failed(self, exc: Any, tb: str) -> None:
        self._finish()
        if isinstance(exc, ImportFailed):
            self.show_problems(name_columns(exc.problems, self.mapper.file(), self.mapper.mapping))
        else:
            self.info.setText("<b style='color:#c0392b'>" + self.tr("Import failed, nothing was written: {err}").format(
                err=exc) + "</b>")

    def reject(self) -> None:
        if self.task is not None:
            self.task.stop()
            self.task = None
        super().reject()


class CompareDialog(QDialog):
    """Scenarios side by side: every check with its target, each scenario's value with a pass /
    fail / unknown mark (not colour alone) and its change from the first (the reference), the
    headline figures, and the villages a scenario newly leaves without a shelter or isolates."""

    MARK = {"pass": "✓", "fail": "✗", "unknown": "?"}

    def __init__(self, results: dict[str, Any], parent=None, zh: bool = True,
                 maps: list[dict[str, Any]] | None = None, maps_failed: bool = False):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Compare scenarios"))
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs)
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(page, self.tr("Checks and changes"))
        cmp = compare_results(list(results.values()))
        names = list(cmp["scenarios"])
        views = [typed(results[n]) for n in names]
        shown = [n if n != "baseline" else self.tr("baseline") for n in names]
        rows: list[tuple[str, str, list[str], list[str | None]]] = []   # label, target, cells, statuses
        for c in cmp["checks"]:
            unit = c.get("unit")
            op = "≤" if unit == "min" else "≥"
            cells = []
            for i, (v, d, st) in enumerate(zip(c["values"], c["deltas"], c["status"], strict=True)):
                text = fmt_value(v, unit, st) + (f" {self.MARK[st]}" if st else "")
                if i > 0 and d is not None and abs(d) > 1e-9:
                    text += "\n" + self._delta(d, unit)
                cells.append(text)
            rows.append((c["name_zh"] if zh else c["name_en"], f"{op} {fmt_value(c.get('target'), unit)}",
                         cells, list(c["status"])))
        for key, label in (("served", self.tr("People served")), ("unreachable", self.tr("People unreachable")),
                           ("isolated_population", self.tr("People isolated")),
                           ("supply_shortfall_cost", self.tr("Supply shortfall ¥"))):
            vals = [getattr(v.summary, key) for v in views]
            cells = [whole(x) + (f"\n{(x - vals[0]):+,.0f}" if i > 0 and x is not None and vals[0] is not None
                                 and x != vals[0] else "") for i, x in enumerate(vals)]
            rows.append((label, "", cells, [None] * len(names)))
        t = QTableWidget(len(rows), len(names) + 2)
        t.setHorizontalHeaderLabels([self.tr("Check"), self.tr("Target")] + shown)
        for r, (label, target, cells, sts) in enumerate(rows):
            t.setItem(r, 0, QTableWidgetItem(label))
            t.setItem(r, 1, QTableWidgetItem(target))
            for c, (v, st) in enumerate(zip(cells, sts, strict=True), 2):
                it = QTableWidgetItem(v)
                it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if st in ("pass", "fail"):
                    it.setForeground(QBrush(QColor(46, 140, 67) if st == "pass" else QColor(200, 40, 40)))
                t.setItem(r, c, it)
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        t.verticalHeader().hide()
        t.resizeRowsToContents()
        self.table = t
        lay.addWidget(t, 3)
        # what each scenario changes for the villages, by name
        self.changes = QListWidget()
        self.changes.setObjectName("compareChanges")
        for i in range(1, len(names)):
            for key, what in (("units_newly_uncovered", self.tr("newly without a shelter in reach")),
                              ("units_newly_isolated", self.tr("newly isolated"))):
                units = cmp[key][i]
                head = self.tr("{scenario}: {n} villages / communities {what}").format(
                    scenario=shown[i], n=len(units), what=what)
                listed = "、".join(f"{u['name']}（{whole(u.get('population'))}）" for u in units[:30]) if zh else \
                    ", ".join(f"{u['name']} ({whole(u.get('population'))})" for u in units[:30])
                more = len(units) - 30
                self.changes.addItem(head + (("：" if zh else ": ") + listed if units else "")
                                     + (self.tr(" … and {n} more").format(n=more) if more > 0 else ""))
            full = cmp["shelters_overflowing"][i]
            self.changes.addItem(self.tr("{scenario}: {n} shelters full").format(scenario=shown[i], n=len(full)))
        self.changes.setWordWrap(True)
        if self.changes.count():
            lay.addWidget(self.changes, 1)
        # each scenario's map beside the reference's: the printed plan's figure, one scale
        self.map_views: list[SvgView] = []
        for m in maps or []:
            shown_name = m["scenario"] if m["scenario"] != "baseline" else self.tr("baseline")
            box = QWidget()
            bl = QVBoxLayout(box)
            view = SvgView(m["svg"].encode("utf-8"))
            view.setObjectName("compareMap")
            self.map_views.append(view)
            bl.addWidget(view, 1)
            if m.get("notes"):
                note = QLabel("\n".join(m["notes"]))
                note.setWordWrap(True)
                bl.addWidget(note)
            self.tabs.addTab(box, self.tr("Map: {scenario} beside {reference}").format(
                scenario=shown_name, reference=shown[0]))
        if maps_failed:
            self.tabs.addTab(QLabel(self.tr("The maps could not be drawn; the log file says why.")),
                             self.tr("Maps"))
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.rejected.connect(self.reject)
        outer.addWidget(bb)
        self.resize(960, 640)

    def _delta(self, d: float, unit: str | None) -> str:
        """A change from the reference: shares in percentage points, times in minutes."""
        if unit == "share":
            return self.tr("{d:+.1f} pp").format(d=100 * d)
        if unit == "min":
            return f"{d:+.1f} min"
        return f"{d:+,.2f}"


class SvgView(QLabel):
    """An SVG picture fitted to the widget, aspect ratio kept (re-rendered when resized)."""

    def __init__(self, data: bytes, parent: QWidget | None = None):
        super().__init__(parent)
        self.renderer = QSvgRenderer(QByteArray(data))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def picture(self, w: int, h: int) -> QImage:
        size = self.renderer.defaultSize().scaled(max(1, w), max(1, h), Qt.AspectRatioMode.KeepAspectRatio)
        dpr = self.devicePixelRatioF()
        img = QImage(int(size.width() * dpr), int(size.height() * dpr), QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(QColor(255, 255, 255))
        p = QPainter(img)
        self.renderer.render(p, QRectF(0, 0, size.width(), size.height()))
        p.end()
        return img

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.setPixmap(QPixmap.fromImage(self.picture(self.width() - 4, self.height() - 4)))


class ManualDialog(QDialog):
    """The user manual (resources/manual/manual_<lang>.md) in the interface language."""

    def __init__(self, zh: bool, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("User manual"))
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        path = Path(esplan_resources.path("manual", "manual_zh.md" if zh else "manual_en.md"))
        self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        lay.addWidget(self.browser)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.resize(760, 640)


class ReportDialog(QDialog):
    """Print the plan: write the PDF (planner.report.write_report) and open it."""

    def __init__(self, plan: Any, scenarios: list[str], current: str, parent=None, *, prepared_by: str = "",
                 default_dir: str = "", lang: str = "zh", result: Any = None):
        super().__init__(parent)
        self.plan = plan
        self.result = result
        self.task: Task | None = None
        self.out_path: Path | None = None
        self.setWindowTitle(self.tr("Print the plan (PDF)"))
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.scenario = QComboBox()
        self.scenario.addItem(self.tr("Baseline"), "")
        for n in scenarios:
            self.scenario.addItem(n, n)
        self.scenario.setCurrentIndex(max(0, self.scenario.findData(current)))
        form.addRow(self.tr("Scenario"), self.scenario)
        # compare with: the other scenarios (and the baseline), each printed as scenario − baseline
        self.compare = QListWidget()
        self.compare.setToolTip(self.tr("Tick the scenarios to compare with; every change is printed as "
                                        "scenario − baseline, in percentage points"))
        for label, key in [(self.tr("Baseline"), "")] + [(n, n) for n in scenarios]:
            it = QListWidgetItem(label)
            it.setData(Qt.ItemDataRole.UserRole, key)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Unchecked)
            self.compare.addItem(it)
        self.compare.setMaximumHeight(min(120, 22 * (len(scenarios) + 1) + 6))
        form.addRow(self.tr("Compare with"), self.compare)
        self.recommend = QCheckBox(self.tr("Include the shelter recommendation (verified by a rerun)"))
        form.addRow("", self.recommend)
        self.lang = QComboBox()
        self.lang.addItem("中文", "zh")
        self.lang.addItem("English", "en")
        self.lang.setCurrentIndex(0 if lang.startswith("zh") else 1)
        form.addRow(self.tr("Language"), self.lang)
        self.prepared = QLineEdit(prepared_by)
        form.addRow(self.tr("Prepared by"), self.prepared)
        row = QHBoxLayout()
        name = Path(plan.location).stem if getattr(plan, "is_sqlite", False) else "plan"
        # "{plan}-plan.pdf" in the document's language; follows the language choice until the user edits it
        self._dir = Path(default_dir or Path.home())
        self._name = name
        self.path = QLineEdit(str(self._default_path()))
        self.lang.currentIndexChanged.connect(self._language_changed)
        b = QPushButton(self.tr("Browse…"))
        b.clicked.connect(self.browse)
        row.addWidget(self.path, 1)
        row.addWidget(b)
        form.addRow(self.tr("PDF file"), row)
        lay.addLayout(form)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        lay.addWidget(self.progress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.btn_print = self.buttons.addButton(self.tr("Write PDF"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.btn_print.clicked.connect(self.write)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.write_report = write_report
        self.resize(560, 360)

    def compared(self) -> list[str]:
        """The ticked scenarios to compare with ("baseline" for the baseline), the printed one left out."""
        scen = self.scenario.currentData() or ""
        out = []
        for i in range(self.compare.count()):
            it = self.compare.item(i)
            key = it.data(Qt.ItemDataRole.UserRole)
            if it.checkState() == Qt.CheckState.Checked and key != scen:
                out.append(key or "baseline")
        return out

    def _default_path(self) -> Path:
        suffix = "规划" if self.lang.currentData() == "zh" else "plan"
        return self._dir / f"{self._name}-{suffix}.pdf"

    def _language_changed(self) -> None:
        other = "plan" if self.lang.currentData() == "zh" else "规划"
        if self.path.text() == str(self._dir / f"{self._name}-{other}.pdf"):
            self.path.setText(str(self._default_path()))

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the PDF as"), self.path.text(), "PDF (*.pdf)")
        if path:
            self.path.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    def write(self) -> None:
        if self.write_report is None:
            return
        out = Path(self.path.text().strip())
        scen = self.scenario.currentData() or None
        lang, by = self.lang.currentData(), self.prepared.text().strip() or None
        plan, fn = self.plan, self.write_report
        result = self.result if self.result is not None and (self.result.scenario == (scen or "baseline")) else None

        compare = self.compared()
        rec = self.recommend.isChecked()

        def job(state):
            kwargs = dict(scenario=scen, lang=lang, prepared_by=by, progress=state, compare=compare,
                          recommend=rec)
            if result is not None:
                kwargs["result"] = result
            return fn(plan, out, **kwargs)

        self.btn_print.setEnabled(False)
        self.progress.show()
        self.status.setText(self.tr("Writing {path} …").format(path=out))
        self.task = Task(job)
        self.task.state.progress.connect(lambda f, _m: self.progress.setValue(int(f * 100)))
        self.task.succeeded.connect(self._done)
        self.task.failed.connect(self._failed)
        self.task.cancelled.connect(self._cancelled)
        self.task.start()

    def _cleanup(self) -> None:
        if self.task is not None:
            self.task.wait()
            self.task = None
        self.progress.hide()
        self.btn_print.setEnabled(True)

    def _done(self, path: Any) -> None:
        self._cleanup()
        self.out_path = Path(path) if path else Path(self.path.text())
        if not os.environ.get("ESPLAN_NO_OPEN"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.out_path)))
        self.accept()

    def _failed(self, exc: Any, tb: str) -> None:
        self._cleanup()
        log.error("the PDF could not be written: %s\n%s", exc, tb)
        self.status.setText("<b style='color:#c0392b'>" + self.tr("The PDF could not be written: {err}").format(
            err=exc) + "</b>")

    def _cancelled(self) -> None:
        self._cleanup()
        self.status.setText(self.tr("Cancelled."))

    def reject(self) -> None:
        if self.task is not None:
            self.task.stop()
            self.task = None
        super().reject()


def ask_database_url(parent: QWidget) -> str | None:
    dlg = QDialog(parent)
    dlg.setWindowTitle(QCoreApplication.translate("Dialogs", "Open a shared plan"))
    lay = QVBoxLayout(dlg)
    lay.addWidget(QLabel(QCoreApplication.translate("Dialogs", "PostgreSQL address of the shared plan, e.g.\n"
                                "postgresql+psycopg://planner@server/district_plan")))
    edit = QLineEdit()
    edit.setPlaceholderText("postgresql+psycopg://user:password@host:5432/database")
    lay.addWidget(edit)
    bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
    bb.accepted.connect(dlg.accept)
    bb.rejected.connect(dlg.reject)
    lay.addWidget(bb)
    dlg.resize(520, 140)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    url = edit.text().strip()
    if url and "://" not in url:
        QMessageBox.warning(parent, QCoreApplication.translate("Dialogs", "Open a shared plan"),
                            QCoreApplication.translate("Dialogs", "That is not a database address."))
        return None
    return url or None
