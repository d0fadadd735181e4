"""The new-plan wizard (File ▸ New plan…; 新建规划向导): from an empty district to a checked plan.

Pages: the plan file, its name and the district's 6-digit code → the district boundary (GeoJSON,
optional but recommended; its area is shown) → an OpenStreetMap extract (optional; clipped to the
boundary with a buffer, the default shown) → the registry tables (towns, villages, sites, supply
items, stock; each optional, CSV/XLSX, read through its column mapping, with the coordinate system
of its lon/lat) → a summary. Create runs :func:`planner.io.newplan.build_new_plan` off the GUI
thread with progress and cancel; a failure shows the planner's problems (file, row, field) on the
summary page and leaves no plan file (unless the user asked to keep it). When it succeeds the
wizard emits ``created(path)``: the main window opens the plan and runs the checks, and the data
completeness panel says what is still missing.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.dialogs import fit_problem_columns, problems_table
from desktop.mapping import TableFileChooser, name_columns
from desktop.settings import Settings
from desktop.worker import Task
from planner.io.errors import ImportFailed
from planner.io.newplan import (
    DEFAULT_CLIP_BUFFER_M,
    NewPlanSpec,
    TableFile,
    boundary_summary,
    build_new_plan,
    district_code_problem,
)
from planner.textfmt import num

log = logging.getLogger(__name__)

#: the registry tables the wizard imports, in the order shown (kind of planner.io.tables)
TABLES = ("towns", "demand", "sites", "items", "stock")
#: the tables with coordinates (a coordinate system to choose)
LOCATED = ("towns", "demand", "sites")


def _file_row(edit: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


def _error(label: QLabel, text: str) -> None:
    label.setText(f"<span style='color:#c0392b'>{text}</span>" if text else "")


class PlanPage(QWizardPage):
    def __init__(self, settings: Settings | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.setTitle(self.tr("The new plan"))
        self.setSubTitle(self.tr("Where the plan file goes, its name and the district it is for."))
        form = QFormLayout(self)
        self.path = QLineEdit()
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self.browse)
        form.addRow(self.tr("Plan file"), _file_row(self.path, browse))
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. 山亭区应急物资与避难场所规划 2026"))
        form.addRow(self.tr("Plan name"), self.name)
        self.district_name = QLineEdit()
        self.district_name.setPlaceholderText(self.tr("e.g. 山亭区"))
        form.addRow(self.tr("District name"), self.district_name)
        self.code = QLineEdit()
        self.code.setMaxLength(6)
        self.code.setPlaceholderText(self.tr("6-digit division code, e.g. 370406"))
        form.addRow(self.tr("District code"), self.code)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        form.addRow(self.problem)
        for w in (self.path, self.name, self.code):
            w.textChanged.connect(self.completeChanged)

    def browse(self) -> None:
        start = self.settings.last_dir if self.settings is not None else ""
        path, _ = QFileDialog.getSaveFileName(self, self.tr("New plan"), start, self.tr("esplan plans (*.esplan)"))
        if path:
            self.path.setText(path if path.endswith(".esplan") else path + ".esplan")

    def isComplete(self) -> bool:
        return bool(self.path.text().strip() and self.name.text().strip() and self.code.text().strip())

    def plan_path(self) -> str:
        p = self.path.text().strip()
        return p if not p or p.endswith(".esplan") else p + ".esplan"

    def validatePage(self) -> bool:
        problem = district_code_problem(self.code.text())
        if problem is None and Path(self.plan_path()).expanduser().exists():
            problem = self.tr("{path} already exists: choose another name (a new plan never overwrites "
                              "a file).").format(path=self.plan_path())
        if problem is None and not Path(self.plan_path()).expanduser().parent.is_dir():
            problem = self.tr("The folder {folder} does not exist.").format(folder=Path(self.plan_path()).parent)
        _error(self.problem, problem or "")
        return problem is None


class BoundaryPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("District boundary"))
        self.setSubTitle(self.tr("A GeoJSON file of the district's outline (WGS-84 or CGCS2000). Optional, but "
                                 "recommended: roads are clipped to it and sites outside it are found."))
        lay = QVBoxLayout(self)
        self.path = QLineEdit()
        self.path.setPlaceholderText(self.tr("GeoJSON file (optional)"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self.browse)
        lay.addLayout(_file_row(self.path, browse))
        self.info = QLabel()
        self.info.setWordWrap(True)
        lay.addWidget(self.info)
        lay.addStretch(1)
        self.area_km2: float | None = None
        self.path.editingFinished.connect(self.read)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a file"), "", "GeoJSON (*.geojson *.json)")
        if path:
            self.path.setText(path)
            self.read()

    def read(self) -> bool:
        path = self.path.text().strip()
        self.area_km2 = None
        if not path:
            self.info.setText(self.tr("No boundary: the road network will not be clipped and no site is checked "
                                      "against the district. You can import it later (File ▸ Import…)."))
            return True
        try:
            s = boundary_summary(path)
        except ImportFailed as exc:
            _error(self.info, "; ".join(str(p) for p in exc.problems[:3]))
            return False
        self.area_km2 = s["area_km2"]
        w, so, e, n = s["bounds"]
        self.info.setText(self.tr("{name}: {area} km², from {w:.3f}° to {e:.3f}° E and {s:.3f}° to {n:.3f}° N.").format(
            name=s["name"] or Path(path).stem, area=num(s["area_km2"], big=0), w=w, e=e, s=so, n=n))
        return True

    def initializePage(self) -> None:
        self.read()

    def validatePage(self) -> bool:
        return self.read()


class OsmPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("Road network"))
        self.setSubTitle(self.tr("An OpenStreetMap extract (.osm or .osm.pbf) that covers the district. Optional: "
                                 "without roads the 15-minute and supply checks cannot be assessed."))
        form = QFormLayout(self)
        self.path = QLineEdit()
        self.path.setPlaceholderText(self.tr(".osm / .osm.pbf file (optional)"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self.browse)
        form.addRow(self.tr("OSM extract"), _file_row(self.path, browse))
        self.buffer = QSpinBox()
        self.buffer.setRange(0, 50000)
        self.buffer.setSingleStep(500)
        self.buffer.setSuffix(" m")
        self.buffer.setValue(int(DEFAULT_CLIP_BUFFER_M))
        self.buffer.setMaximumWidth(160)
        form.addRow(self.tr("Keep roads beyond the boundary up to"), self.buffer)
        self.note = QLabel()
        self.note.setWordWrap(True)
        form.addRow(self.note)
        self.path.textChanged.connect(self._check)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a file"), "",
                                              self.tr("OpenStreetMap (*.osm *.pbf *.osm.pbf *.bz2)"))
        if path:
            self.path.setText(path)

    def initializePage(self) -> None:
        self._check()

    def _check(self) -> None:
        has_boundary = bool(self.wizard() and self.wizard().boundary_page.path.text().strip())
        self.buffer.setEnabled(has_boundary)
        path = self.path.text().strip()
        if path and not Path(path).is_file():
            _error(self.note, self.tr("The file {path} does not exist.").format(path=path))
        elif has_boundary:
            self.note.setText(self.tr("The roads are clipped to the district boundary widened by this buffer "
                                      "(default {d:,} m), so villages near the edge still reach a road.").format(
                d=int(DEFAULT_CLIP_BUFFER_M)))
        else:
            self.note.setText(self.tr("No boundary was given: the whole extract is imported, not clipped."))

    def validatePage(self) -> bool:
        path = self.path.text().strip()
        return not path or Path(path).is_file()


class TablesPage(QWizardPage):
    def __init__(self, settings: Settings | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("Registry tables"))
        self.setSubTitle(self.tr("Towns, villages, sites, the supply catalogue and stock, each optional (CSV or "
                                 "XLSX, any columns: you match them to the template)."))
        grid = QGridLayout(self)
        self.labels = labels = {"towns": self.tr("Towns"), "demand": self.tr("Villages / communities"),
                  "sites": self.tr("Sites: warehouses, points, shelters"), "items": self.tr("Supply catalogue"),
                  "stock": self.tr("Stock lots")}
        self.choosers: dict[str, TableFileChooser] = {}
        self.crs: dict[str, QComboBox] = {}
        grid.addWidget(QLabel(self.tr("Coordinates")), 0, 2)
        for r, kind in enumerate(TABLES, start=1):
            lab = QLabel(labels[kind])
            grid.addWidget(lab, r, 0, Qt.AlignmentFlag.AlignTop)
            ch = TableFileChooser(kind, settings, self)
            ch.changed.connect(self.completeChanged)
            self.choosers[kind] = ch
            grid.addWidget(ch, r, 1)
            if kind in LOCATED:
                combo = QComboBox()
                combo.addItem(self.tr("WGS-84 / CGCS2000 (GPS)"), "wgs84")
                combo.addItem(self.tr("GCJ-02 (AMap, Tencent)"), "gcj02")
                combo.addItem(self.tr("BD-09 (Baidu)"), "bd09")
                self.crs[kind] = combo
                grid.addWidget(combo, r, 2, Qt.AlignmentFlag.AlignTop)
        grid.setVerticalSpacing(10)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(len(TABLES) + 1, 1)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        grid.addWidget(self.problem, len(TABLES) + 2, 0, 1, 3)

    def validatePage(self) -> bool:
        waiting = [kind for kind, ch in self.choosers.items() if not ch.is_ready()]
        if waiting:
            first = self.choosers[waiting[0]]
            _error(self.problem, self.tr("Match the columns of {files} first (Columns…).").format(
                files=", ".join(Path(self.choosers[k].file()).name for k in waiting)))
            if not first.refusal:
                first.open_mapping()
            return False
        _error(self.problem, "")
        return True

    def tables(self) -> list[TableFile]:
        out = []
        for kind, ch in self.choosers.items():
            if ch.file():
                crs = self.crs[kind].currentData() if kind in self.crs else "wgs84"
                out.append(TableFile(kind, ch.file(), ch.columns(), crs))
        return out


class SummaryPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("Create the plan"))
        self.setSubTitle(self.tr("Check what will be done, then press Create. Nothing is written before."))
        lay = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.summary)
        self.keep = QCheckBox(self.tr("If a step fails, keep the partly made plan file (normally it is deleted)"))
        lay.addWidget(self.keep)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        lay.addWidget(self.progress)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.problems = QTableWidget(0, 5)
        self.problems.hide()
        lay.addWidget(self.problems, 1)
        lay.addStretch(0)
        lay.setAlignment(Qt.AlignmentFlag.AlignTop)

    def initializePage(self) -> None:
        wiz: NewPlanWizard = self.wizard()   # type: ignore[assignment]
        spec = wiz.spec()
        lines = [self.tr("Plan file: {path}").format(path=spec.path),
                 self.tr("Plan name: {name}; district {district} ({code})").format(
                     name=spec.name, district=spec.district_name or "—", code=spec.district_code)]
        if spec.boundary:
            lines.append(self.tr("Boundary: {file}").format(file=Path(spec.boundary).name))
        else:
            lines.append(self.tr("Boundary: none"))
        if spec.osm:
            lines.append(self.tr("Roads: {file}, clipped with a {m:,} m buffer").format(
                file=Path(spec.osm).name, m=int(spec.clip_buffer_m)) if spec.boundary else
                self.tr("Roads: {file}, not clipped").format(file=Path(spec.osm).name))
        else:
            lines.append(self.tr("Roads: none"))
        for t in spec.tables:
            mapped = len([v for v in (t.columns or {}).values() if v])
            lines.append(self.tr("{kind}: {file} ({n} columns, coordinates {crs})").format(
                kind=wiz.tables_page.labels[t.kind], file=Path(t.path).name, n=mapped,
                crs=wiz.tables_page.crs[t.kind].currentText() if t.kind in wiz.tables_page.crs else "—"))
        if not spec.tables:
            lines.append(self.tr("Registry tables: none"))
        lines.append(self.tr("Then the plan opens and the checks run; the Data completeness panel lists what is "
                             "still missing."))
        self.summary.setText("<br>".join(lines))
        self.status.clear()
        self.problems.hide()

    def show_problems(self, problems: list[Any]) -> None:
        t = problems_table(problems)
        self.problems.clear()
        self.problems.setColumnCount(t.columnCount())
        self.problems.setRowCount(t.rowCount())
        self.problems.setHorizontalHeaderLabels([t.horizontalHeaderItem(c).text() for c in range(t.columnCount())])
        for r in range(t.rowCount()):
            for c in range(t.columnCount()):
                self.problems.setItem(r, c, t.item(r, c).clone())
        fit_problem_columns(self.problems)
        self.problems.verticalHeader().hide()
        self.problems.show()


class NewPlanWizard(QWizard):
    created = Signal(str)      # the new plan's path

    def __init__(self, settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.task: Task | None = None
        self.reports: list[Any] = []
        self.failure: BaseException | None = None
        self.setWindowTitle(self.tr("New plan"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.plan_page = PlanPage(settings)
        self.boundary_page = BoundaryPage()
        self.osm_page = OsmPage()
        self.tables_page = TablesPage(settings)
        self.summary_page = SummaryPage()
        for p in (self.plan_page, self.boundary_page, self.osm_page, self.tables_page, self.summary_page):
            self.addPage(p)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Create"))
        self.resize(860, 620)

    def spec(self) -> NewPlanSpec:
        p = self.plan_page
        return NewPlanSpec(path=p.plan_path(), name=p.name.text().strip(), district_code=p.code.text().strip(),
                           district_name=p.district_name.text().strip() or None,
                           boundary=self.boundary_page.path.text().strip() or None,
                           osm=self.osm_page.path.text().strip() or None,
                           clip_buffer_m=float(self.osm_page.buffer.value()),
                           tables=self.tables_page.tables(), keep_on_failure=self.summary_page.keep.isChecked())

    # -- the work, off the GUI thread ------------------------------------------------------------
    def accept(self) -> None:
        """Create pressed: build the plan on a worker thread; the wizard closes when it is done."""
        if self.task is not None:
            return
        spec = self.spec()
        page = self.summary_page
        page.problems.hide()
        page.status.clear()
        page.progress.setValue(0)
        page.progress.show()
        self.failure = None
        for b in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton):
            self.button(b).setEnabled(False)
        self.task = Task(build_new_plan, spec)
        self.task.state.progress.connect(self._progress)
        self.task.succeeded.connect(lambda reports: self._done(spec, reports))
        self.task.failed.connect(self._failed)
        self.task.cancelled.connect(self._cancelled)
        self.task.start()

    def _progress(self, fraction: float, message: str) -> None:
        self.summary_page.progress.setValue(int(fraction * 100))
        self.summary_page.status.setText(message)

    def _ended(self) -> None:
        if self.task is not None:
            self.task.wait()
            self.task.deleteLater()
            self.task = None
        self.summary_page.progress.hide()
        for b in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton):
            self.button(b).setEnabled(True)

    def _done(self, spec: NewPlanSpec, reports: list[Any]) -> None:
        self._ended()
        self.reports = reports
        if self.settings is not None:
            self.settings.last_dir = str(Path(spec.path).parent)
        self.created.emit(spec.path)
        super().accept()

    def _failed(self, exc: BaseException, tb: str) -> None:
        self._ended()
        self.failure = exc
        log.warning("new plan failed: %s", exc)
        page = self.summary_page
        kept = page.keep.isChecked() and Path(self.plan_page.plan_path()).exists()
        after = (self.tr("The partly made plan file is kept, as you asked.") if kept else
                 self.tr("No plan file was left behind."))
        if isinstance(exc, ImportFailed):
            _error(page.status, self.tr("Refused: {n} problem(s), listed below. Fix the file and press Create "
                                        "again.").format(n=len(exc.problems)) + " " + after)
            problems = exc.problems
            for ch in self.tables_page.choosers.values():
                problems = name_columns(problems, ch.file(), ch.mapping)
            page.show_problems(problems)
        else:
            _error(page.status, self.tr("Failed: {err}").format(err=exc) + " " + after)

    def _cancelled(self) -> None:
        self._ended()
        self.summary_page.status.setText(self.tr("Cancelled. No plan file was left behind."))
        if self._closing:
            super().reject()

    _closing = False

    def reject(self) -> None:
        """Cancel: stops a running build (which then deletes its file) before closing."""
        if self.task is not None:
            self._closing = True
            self.task.cancel()
            return
        super().reject()
