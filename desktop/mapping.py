"""Column mapping in the GUI: which column of the user's file holds which template field (列对应).

:class:`ColumnMappingDialog` lists every field of the template (required ones marked ``*``) with a
combo of the file's columns, says how each proposal was found (same name, known name, similar
name — check, several columns — choose), previews the first rows and refuses a mapping that
cannot be used (a required field without a column, an ambiguous one not chosen, a column given
twice), naming the field. The proposals and the refusals are :mod:`planner.io.mapping`'s.

:class:`TableFileChooser` is one table file in a form (the import dialog, the new-plan wizard):
path, Browse…, the mapping's state and a "Columns…" button. A file whose fields are all found by
their own or a known name is ready at once; one with a similar-name guess or an ambiguous field
is ready only once the user has confirmed the mapping (or confirmed it before for the same kind
and header layout: remembered in the settings).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import is_chinese
from desktop.settings import Settings
from planner.io.errors import ImportFailed
from planner.io.mapping import (
    MappingRefused,
    Proposal,
    header_signature,
    import_columns,
    peek_table,
    propose_mapping,
    resolve_mapping,
)
from planner.io.templates import TEMPLATES, canonical_kind

log = logging.getLogger(__name__)

_WARN = QColor("#c0392b")
_CHECK = QColor("#b9770e")
_ASK = "\x00ask"     # an ambiguous field's combo before the user chose


def name_columns(problems: list[Any], file: str, mapping: dict[str, str] | None) -> list[Any]:
    """The problems of ``file`` with each field named as the user's column too ("人口 (population)"):
    the importer names the template's field, the user knows their file's column."""
    if not mapping:
        return problems
    out = []
    for p in problems:
        col = mapping.get(p.field) if p.field and Path(p.file) == Path(file) else None
        out.append(replace(p, field=f"{col} ({p.field})") if col and col != p.field else p)
    return out


class ColumnMappingDialog(QDialog):
    """Match the file's columns to the template's fields; ``mapping`` (field → column) and
    ``choices`` (every field → column or None) are set when the user presses OK."""

    def __init__(self, kind: str, file: str, header: list[str], rows: list[list[Any]], proposal: Proposal,
                 choices: dict[str, str | None] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind, self.file, self.header, self.proposal = canonical_kind(kind), file, header, proposal
        self.mapping: dict[str, str] | None = None
        self.choices: dict[str, str | None] = {}
        spec = TEMPLATES[self.kind]
        self.setWindowTitle(self.tr("Columns of {file}").format(file=Path(file).name))
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr("Choose, for each field of the template, the column of your file that holds it. "
                               "Fields marked * are required. Check the guesses marked in colour."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        split = QSplitter(Qt.Orientation.Vertical)
        self.fields = QTableWidget(len(spec.columns), 3)
        self.fields.setHorizontalHeaderLabels([self.tr("Template field"), self.tr("Column in the file"),
                                               self.tr("How it was found")])
        self.fields.verticalHeader().hide()
        self.combos: dict[str, QComboBox] = {}
        zh = is_chinese()
        for r, c in enumerate(spec.columns):
            label = f"{c.key}{' *' if c.required else ''} — {c.zh if zh else c.en}"
            it = QTableWidgetItem(label)
            it.setToolTip(label)
            if c.required:
                f = it.font()
                f.setBold(True)
                it.setFont(f)
            self.fields.setItem(r, 0, it)
            combo = QComboBox()
            if proposal.how.get(c.key) == "ambiguous" and not (choices and c.key in choices):
                combo.addItem(self.tr("— choose a column —"), _ASK)    # never taken as "not imported"
            combo.addItem(self.tr("— not imported —"), None)
            for h in header:
                combo.addItem(h, h)
            self.combos[c.key] = combo
            self.fields.setCellWidget(r, 1, combo)
            self.fields.setItem(r, 2, QTableWidgetItem(""))
        self._set_choices(choices)
        for combo in self.combos.values():
            combo.currentIndexChanged.connect(self._refresh)
        head = self.fields.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        split.addWidget(self.fields)
        box = QWidget()
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QLabel(self.tr("The first rows of the file:")))
        self.preview = QTableWidget(len(rows), len(header))
        self.preview.setHorizontalHeaderLabels(header)
        for r, row in enumerate(rows):
            for c, v in enumerate(row[:len(header)]):
                self.preview.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))
        self.preview.resizeColumnsToContents()
        for c in range(len(header)):      # a long note column does not push the others out of sight
            self.preview.setColumnWidth(c, min(self.preview.columnWidth(c), 220))
        bl.addWidget(self.preview)
        split.addWidget(box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay.addWidget(split, 1)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color:#c0392b")
        lay.addWidget(self.problems)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._refresh()
        self.resize(880, 640)

    def _set_choices(self, choices: dict[str, str | None] | None) -> None:
        for key, combo in self.combos.items():
            col = choices[key] if choices and key in choices else self.proposal.mapping.get(key)
            i = combo.findData(col) if col else 0
            combo.setCurrentIndex(max(0, i))

    def how_text(self, key: str) -> tuple[str, QColor | None]:
        col = self.combos[key].currentData()
        how = self.proposal.how.get(key, "none")
        if how == "ambiguous" and col in (None, _ASK):
            return self.tr("several columns: choose one"), _WARN
        if col != self.proposal.mapping.get(key):
            return self.tr("your choice"), None
        if how == "exact":
            return self.tr("same name"), None
        if how == "alias":
            return self.tr("a known name"), None
        if how == "similar":
            return self.tr("similar name: check"), _CHECK
        if TEMPLATES[self.kind].column(key).required:
            return self.tr("not found: choose a column"), _WARN
        return self.tr("not in the file"), None

    def _refresh(self) -> None:
        for r, key in enumerate(self.combos):
            text, colour = self.how_text(key)
            it = self.fields.item(r, 2)
            it.setText(text)
            it.setForeground(QBrush(colour) if colour is not None else QBrush())
        self.problems.clear()

    def current_choices(self) -> dict[str, str | None]:
        return {k: c.currentData() for k, c in self.combos.items() if c.currentData() != _ASK}

    def choose(self, field: str, column: str | None) -> None:
        """Set one field's column (as the user would in its combo)."""
        combo = self.combos[field]
        combo.setCurrentIndex(combo.findData(column) if column else combo.findData(None))

    def accept(self) -> None:
        choices = self.current_choices()
        try:
            self.mapping = resolve_mapping(self.proposal, choices, file=self.file)
        except MappingRefused as exc:
            self.problems.setText("\n".join(f"• {p.field}: {p.message}" for p in exc.problems))
            return
        self.choices = choices
        super().accept()


class TableFileChooser(QWidget):
    """One registry file in a form: path, Browse…, Columns… and the state of its mapping."""

    changed = Signal()

    def __init__(self, kind: str, settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = canonical_kind(kind)
        self.settings = settings
        self.header: list[str] = []
        self.rows: list[list[Any]] = []
        self.proposal: Proposal | None = None
        self.mapping: dict[str, str] | None = None     # resolved and confirmed (or needing no check)
        self.problem = ""
        self.refusal: list[Any] = []       # the mapping's problems (ImportProblem), each naming a field
        self.dialog: ColumnMappingDialog | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setPlaceholderText(self.tr("CSV or XLSX file (optional)"))
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.clicked.connect(self.browse)
        self.columns_button = QPushButton(self.tr("Columns…"))
        self.columns_button.clicked.connect(self.open_mapping)
        self.columns_button.setEnabled(False)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.columns_button)
        lay.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.path.editingFinished.connect(lambda: self.set_path(self.path.text().strip()))

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a file"), "",
                                              self.tr("Tables (*.csv *.xlsx *.geojson *.json)") + ";;"
                                              + self.tr("All files (*)"))
        if path:
            self.set_path(path)
            if not self.is_ready() and self.proposal is not None:
                self.open_mapping()

    def set_path(self, path: str) -> None:
        """Read the file's header, propose the mapping (or take the remembered one)."""
        if self.path.text().strip() != path:
            self.path.setText(path)
        self.header, self.rows, self.proposal, self.mapping, self.problem = [], [], None, None, ""
        self.refusal = []
        self.columns_button.setEnabled(False)
        if not path:
            self.status.clear()
            self.changed.emit()
            return
        try:
            self.header, self.rows = peek_table(path, rows=8)
        except ImportFailed as exc:
            self.refusal = list(exc.problems)
            self.problem = "; ".join(str(p) for p in exc.problems[:3])
            self._show()
            return
        self.proposal = propose_mapping(self.kind, self.header)
        self.columns_button.setEnabled(True)
        remembered = (self.settings.column_mapping(self.kind, header_signature(self.header))
                      if self.settings is not None else None)
        if remembered is not None:
            try:
                self.mapping = resolve_mapping(self.proposal, remembered, file=path)
            except (MappingRefused, ValueError):
                log.info("the remembered mapping of %s no longer fits %s", self.kind, path)
        if self.mapping is None and not any(h in ("similar", "ambiguous") for h in self.proposal.how.values()):
            try:
                self.mapping = resolve_mapping(self.proposal, file=path)
            except MappingRefused as exc:
                self.refusal = list(exc.problems)
                self.problem = "; ".join(p.message for p in exc.problems)
        self._show()

    def _show(self) -> None:
        if self.problem:
            self.status.setText(f"<span style='color:#c0392b'>{self.problem}</span>")
        elif self.proposal is None:
            self.status.clear()
        elif self.mapping is None:
            zh = is_chinese()
            spec = TEMPLATES[self.kind]
            ask = [f"{k}（{spec.column(k).zh}）" if zh else k
                   for k, h in self.proposal.how.items() if h in ("similar", "ambiguous")]
            self.status.setText("<span style='color:#b9770e'>" + self.tr(
                "Check the columns (Columns…): {fields} need your choice or confirmation.").format(
                fields=", ".join(ask)) + "</span>")
        else:
            unused = [h for h in self.header if h not in set(self.mapping.values())]
            text = self.tr("{n} columns matched: {pairs}.").format(
                n=len(self.mapping), pairs=", ".join(f"{c} → {k}" if c != k else k for k, c in self.mapping.items()))
            if unused:
                text += " " + self.tr("Not imported: {cols}.").format(cols=", ".join(unused))
            self.status.setText(text)
        self.changed.emit()

    def open_mapping(self) -> ColumnMappingDialog | None:
        """Open the mapping dialog (non-blocking; the result arrives when the user presses OK)."""
        if self.proposal is None:
            return None
        choices = None
        if self.mapping is not None:
            choices = {k: self.mapping.get(k) for k in self.proposal.mapping}
        self.dialog = ColumnMappingDialog(self.kind, self.path.text().strip(), self.header, self.rows,
                                          self.proposal, choices, self)
        self.dialog.accepted.connect(self._confirmed)
        self.dialog.open()
        return self.dialog

    def _confirmed(self) -> None:
        dlg = self.dialog
        assert dlg is not None and dlg.mapping is not None
        self.mapping, self.problem, self.refusal = dlg.mapping, "", []
        if self.settings is not None:
            self.settings.remember_mapping(self.kind, header_signature(self.header), dlg.choices)
        self._show()

    # -- for the forms -----------------------------------------------------------------------
    def file(self) -> str:
        return self.path.text().strip()

    def is_ready(self) -> bool:
        """No file, or a file whose mapping is resolved (and confirmed where it had to be)."""
        return not self.file() or (self.mapping is not None and not self.problem)

    def columns(self) -> dict[str, str] | None:
        """The ``columns`` argument of the import (None: no file or no mapping yet)."""
        return import_columns(self.mapping, self.header) if self.mapping is not None else None
