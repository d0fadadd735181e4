"""The register panels of the main window: sites, stock, population, supply catalogue.

Each panel owns its table model (:mod:`desktop.tables`), a filter proxy and the view, with the
bar of filters or buttons above it. The panels read the plan through the models; edits made in
a cell go to ``edit_handler`` (the main window's :class:`desktop.editing.Editor`), and refused
values to ``invalid``. Selection is reported by ``currentChanged(row)``.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.fields import enum_label
from desktop.frozen import FrozenColumns
from desktop.tables import (
    SITE_KINDS,
    STATUSES,
    DemandModel,
    ItemModel,
    RowFilterProxy,
    RowRole,
    RowTableModel,
    SiteModel,
    StockModel,
)


def _fill(combo: QComboBox, items: list[tuple[Any, str]]) -> None:
    """Refill a filter combo, keeping its choice (no signal while filling)."""
    cur = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for data, text in items:
        combo.addItem(text, data)
    k = combo.findData(cur)
    combo.setCurrentIndex(k if k >= 0 else 0)
    combo.blockSignals(False)


class DateDelegate(QStyledItemDelegate):
    """A date cell edited with a calendar (YYYY-MM-DD); the earliest date, shown as "—",
    clears it. The model still validates what is written (``parse_value``)."""

    EMPTY = QDate(1900, 1, 1)

    def createEditor(self, parent: QWidget, option: Any, index: QModelIndex | QPersistentModelIndex) -> QWidget:
        ed = QDateEdit(parent)
        ed.setCalendarPopup(True)
        ed.setDisplayFormat("yyyy-MM-dd")
        ed.setMinimumDate(self.EMPTY)
        ed.setSpecialValueText("—")
        return ed

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        d = QDate.fromString(text, "yyyy-MM-dd")
        editor.setDate(d if d.isValid() else QDate.currentDate())   # type: ignore[attr-defined]

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex | QPersistentModelIndex) -> None:
        d = editor.date()   # type: ignore[attr-defined]
        model.setData(index, "" if d == self.EMPTY else d.toString("yyyy-MM-dd"), Qt.ItemDataRole.EditRole)


class RegisterPanel(QWidget):
    """A register's table (model → filter proxy → view) with an optional bar above it."""

    currentChanged = Signal(object)   # the selected row (dict) or None
    deleteRequested = Signal()         # the Delete key on the table (the window asks and deletes)

    def __init__(self, model: RowTableModel, parent: QWidget | None = None, *, bar: bool = True):
        super().__init__(parent)
        model.setParent(self)
        self.model, self.proxy = model, RowFilterProxy(self)
        self.proxy.setSourceModel(model)
        v = self.view = QTableView()
        v.setModel(self.proxy)
        v.setSortingEnabled(True)
        v.sortByColumn(0, Qt.SortOrder.AscendingOrder)      # by code, as a register is read
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        v.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        v.setAlternatingRowColors(True)
        v.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                          | QAbstractItemView.EditTrigger.AnyKeyPressed)
        v.verticalHeader().setDefaultSectionSize(22)
        self.date_delegate = DateDelegate(v)
        for c, col in enumerate(model.COLUMNS):
            if col.kind == "date":
                v.setItemDelegateForColumn(c, self.date_delegate)
        v.verticalHeader().hide()
        v.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        v.horizontalHeader().setStretchLastSection(True)
        # fitting columns measures the first 100 rows (and the visible ones), not every row
        # of a long register: the whole stock table cost 0.3 s on opening Andorra
        v.verticalHeader().setResizeContentsPrecision(100)   # QTableView samples rows by this one
        v.selectionModel().currentRowChanged.connect(self._current)
        # the code and name stay in view while the other columns scroll sideways
        self.frozen = FrozenColumns(v, 2)
        # Ctrl+C copies the selected rows as tab-separated text (pastes into Excel/WPS);
        # Delete asks to delete the selected row. Both act only while the table has focus.
        copy = QAction(self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_selection)
        delete = QAction(self)
        delete.setShortcut(QKeySequence.StandardKey.Delete)
        delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        delete.triggered.connect(self.deleteRequested)
        v.addActions([copy, delete])
        self.act_copy, self.act_delete = copy, delete
        self.can_delete = False                  # set by the window for the registers it deletes from
        self.menu_actions: list[QAction] = []    # the window's own entries (identify, edit, show on map)
        v.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        v.customContextMenuRequested.connect(self._context_menu)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        self.bar = QHBoxLayout()
        if bar:
            lay.addLayout(self.bar)
        lay.addWidget(v)

    def context_menu(self) -> QMenu:
        """The right-click menu of the table: the window's entries, copy, delete."""
        m = QMenu(self)
        for a in self.menu_actions:
            m.addAction(a)
        if self.menu_actions:
            m.addSeparator()
        m.addAction(self.act_copy)
        if self.can_delete:
            m.addAction(self.act_delete)
        return m

    def _context_menu(self, pos: QPoint) -> None:
        idx = self.view.indexAt(pos)
        if idx.isValid() and not self.view.selectionModel().isRowSelected(idx.row(), idx.parent()):
            self.view.selectionModel().setCurrentIndex(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.context_menu().popup(self.view.viewport().mapToGlobal(pos))

    def _current(self, current: QModelIndex, _prev: QModelIndex) -> None:
        self.currentChanged.emit(current.data(RowRole) if current.isValid() else None)

    def selection_text(self) -> str:
        """The selected rows (all columns, as shown, header first) as tab-separated text."""
        rows = sorted({i.row() for i in self.view.selectionModel().selectedIndexes()})
        cols = range(self.proxy.columnCount())
        lines = ["\t".join(str(self.proxy.headerData(c, Qt.Orientation.Horizontal) or "") for c in cols)]
        for r in rows:
            lines.append("\t".join(str(self.proxy.index(r, c).data() or "").replace("\t", " ") for c in cols))
        return "\n".join(lines) if rows else ""

    def copy_selection(self) -> None:
        text = self.selection_text()
        if text:
            QApplication.clipboard().setText(text)

    def current_row(self) -> dict[str, Any] | None:
        idx = self.view.selectionModel().currentIndex()
        return idx.data(RowRole) if idx.isValid() else None

    def select(self, pk: int) -> bool:
        """Select (and show) the row with this id; filters that hide it are cleared first."""
        r = self.model.row_of(pk)
        if r is None:
            return False
        idx = self.proxy.mapFromSource(self.model.index(r, 0))
        if not idx.isValid():
            self.clear_filters()
            idx = self.proxy.mapFromSource(self.model.index(r, 0))
        if not idx.isValid():
            return False
        self.view.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(idx)
        return True

    def scroll_to_first(self, ids: set[int]) -> None:
        rows = [r for r in (self.model.row_of(i) for i in ids) if r is not None]
        if rows:
            self.view.scrollTo(self.proxy.mapFromSource(self.model.index(min(rows), 0)))

    def clear_filters(self) -> None:
        pass

    def fit_columns(self, widest: int = 220, sample: int = 120) -> None:
        """Columns as wide as their header and the text of a sample of rows (the first ones and
        some spread over the rest), at most ``widest`` px: one text per cell measured, where
        Qt's resizeColumnsToContents asks the model for every role of every cell (0.4 s on a
        register of 5,000 villages)."""
        v, proxy = self.view, self.proxy
        fm, hfm = v.fontMetrics(), v.horizontalHeader().fontMetrics()
        n = proxy.rowCount()
        rows = list(range(min(n, sample // 2)))
        if n > len(rows):
            step = max(1, (n - len(rows)) // (sample - len(rows)))
            rows += list(range(len(rows), n, step))[: sample - len(rows)]
        pad = 2 * v.style().pixelMetric(v.style().PixelMetric.PM_FocusFrameHMargin, None, v) + 8
        for c in range(proxy.columnCount()):
            if v.isColumnHidden(c):
                continue
            head = str(proxy.headerData(c, Qt.Orientation.Horizontal) or "")
            w = hfm.horizontalAdvance(head) + 28          # room for the sort arrow
            for r in rows:
                text = proxy.index(r, c).data()
                if text:
                    w = max(w, fm.horizontalAdvance(str(text).split("\n", 1)[0]) + pad)
            v.setColumnWidth(c, min(w, widest))

    def retranslate(self) -> None:
        # one context for every register (self.tr would look the text up under the subclass's name)
        self.act_copy.setText(QCoreApplication.translate("RegisterPanel", "Copy (tab-separated)"))
        self.act_delete.setText(QCoreApplication.translate("RegisterPanel", "Delete…"))
        m = self.model
        m.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, m.columnCount() - 1))
        if m.rowCount():
            m.dataChanged.emit(m.index(0, 0), m.index(m.rowCount() - 1, m.columnCount() - 1))


class SitesPanel(RegisterPanel):
    """Sites with filters by kind, status and town and a free-text search."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(SiteModel(), parent)
        self.f_kind, self.f_status, self.f_town = QComboBox(), QComboBox(), QComboBox()
        self.f_text = QLineEdit()
        self.f_text.setClearButtonEnabled(True)
        for w in (self.f_kind, self.f_status, self.f_town):
            self.bar.addWidget(w)
        self.bar.addWidget(self.f_text, 1)
        self.f_kind.currentIndexChanged.connect(lambda: self.proxy.set_field_filter("kind", self.f_kind.currentData()))
        self.f_status.currentIndexChanged.connect(
            lambda: self.proxy.set_field_filter("status", self.f_status.currentData()))
        self.f_town.currentIndexChanged.connect(
            lambda: self.proxy.set_field_filter("town_code", self.f_town.currentData()))
        self.f_text.textChanged.connect(self.proxy.setFilterFixedString)

    def clear_filters(self) -> None:
        for cb in (self.f_kind, self.f_status, self.f_town):
            cb.setCurrentIndex(0)
        self.f_text.clear()

    def town_choices(self) -> list[tuple[str, str]]:
        return sorted(((c, f"{n} ({c})") for c, n in self.model.towns.items()), key=lambda t: t[0])

    def retranslate(self) -> None:
        self.f_text.setPlaceholderText(self.tr("Search sites…"))
        _fill(self.f_kind, [(None, self.tr("All kinds"))] + [(k, enum_label(k)) for k in SITE_KINDS])
        _fill(self.f_status, [(None, self.tr("All statuses"))] + [(k, enum_label(k)) for k in STATUSES])
        _fill(self.f_town, [(None, self.tr("All towns"))] + sorted(self.model.towns.items()))
        super().retranslate()


class StockPanel(RegisterPanel):
    """Stock lots of one site (the selected one) or of all sites, with add/delete buttons."""

    addRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(StockModel(), parent)
        self.site: dict[str, Any] | None = None
        self.label = QLabel()
        self.btn_all, self.btn_add, self.btn_delete = QPushButton(), QPushButton(), QPushButton()
        self.bar.addWidget(self.label, 1)
        for b in (self.btn_all, self.btn_add, self.btn_delete):
            self.bar.addWidget(b)
        self.btn_all.clicked.connect(lambda: self.show_site(None))
        self.btn_add.clicked.connect(self.addRequested)
        self.btn_delete.clicked.connect(self.deleteRequested)

    def show_site(self, row: dict[str, Any] | None) -> None:
        self.site = row
        self.model.set_sites({row["id"]} if row else None)
        self._label()

    def show_sites(self, ids: set[int] | None, lots: set[int]) -> None:
        """Several sites' stock with some lots highlighted (a failing supply check)."""
        self.site = None
        self.model.set_sites(ids or None)
        self.model.set_highlight(lots)
        self._label()

    def _label(self) -> None:
        row = self.site
        self.label.setText(self.tr("Stock of {code} {name}").format(**row) if row else self.tr("Stock of all sites"))

    def retranslate(self) -> None:
        self.btn_all.setText(self.tr("All sites"))
        self.btn_add.setText(self.tr("Add lot…"))
        self.btn_delete.setText(self.tr("Delete lot"))
        self._label()
        super().retranslate()


class DemandPanel(RegisterPanel):
    """Villages / communities with a filter by the last run's outcome and a free-text search."""

    OUTCOMES = ("served", "over_capacity", "unreachable", "unlocated")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(DemandModel(), parent)
        self.f_outcome = QComboBox()
        self.f_text = QLineEdit()
        self.f_text.setClearButtonEnabled(True)
        self.f_text.textChanged.connect(self.proxy.setFilterFixedString)
        self.f_outcome.currentIndexChanged.connect(self.filter_outcome)
        self.bar.addWidget(self.f_outcome)
        self.bar.addWidget(self.f_text, 1)

    def filter_outcome(self) -> None:
        want = self.f_outcome.currentData()
        if not want:
            self.proxy.set_ids(None)
            return
        col = next(c for c in self.model.COLUMNS if c.key == "outcome")
        self.proxy.set_ids({r["id"] for r in self.model.rows if self.model.value(r, col) == want})

    def clear_filters(self) -> None:
        self.f_outcome.setCurrentIndex(0)
        self.f_text.clear()

    def retranslate(self) -> None:
        self.f_text.setPlaceholderText(self.tr("Search villages / communities…"))
        _fill(self.f_outcome, [(None, self.tr("All outcomes"))] + [(k, enum_label(k)) for k in self.OUTCOMES])
        super().retranslate()


class ItemsPanel(RegisterPanel):
    """The supply catalogue."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(ItemModel(), parent, bar=False)
