"""The identify panel: every attribute of the site or demand unit picked on the map or in a table,
one per line, with what the last run says about it (closure, use, where its people go).

It shows the register's own table model, filtered to the one row and turned on its side
(``QTransposeProxyModel``): the same columns, the same cell validation and the same edit path
(the model's ``edit_handler`` → ``Editor`` → ``planner.registry``, undoable) as the tables.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, QTransposeProxyModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from desktop.tables import IdRole, RowTableModel


class OneRowProxy(QSortFilterProxyModel):
    """Only the row whose primary key is ``pk``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pk: int | None = None

    def set_pk(self, pk: int | None) -> None:
        if hasattr(self, "beginFilterChange"):       # Qt ≥ 6.10 (invalidateFilter is deprecated there)
            self.beginFilterChange()
            self.pk = pk
            self.endFilterChange()
        else:
            self.pk = pk
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self.pk is None:
            return False
        return self.sourceModel().index(row, 0, parent).data(IdRole) == self.pk


class IdentifyPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.one = OneRowProxy(self)
        self.side = QTransposeProxyModel(self)
        self.side.setSourceModel(self.one)
        v = self.view = QTableView()
        v.setModel(self.side)
        v.setAlternatingRowColors(True)
        v.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                          | QAbstractItemView.EditTrigger.AnyKeyPressed)
        v.horizontalHeader().hide()
        v.horizontalHeader().setStretchLastSection(True)
        v.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        v.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addWidget(v)
        self.model: RowTableModel | None = None
        self.kind: str | None = None
        self.show_row(None, None, None)

    def show_row(self, kind: str | None, model: RowTableModel | None, pk: int | None) -> None:
        """Show the row ``pk`` of ``model`` ("site" or "unit"); None: nothing picked."""
        if model is not self.model:
            self.one.setSourceModel(model)   # type: ignore[arg-type]
            self.model = model
        self.kind = kind
        self.one.set_pk(pk)
        self.retranslate()

    def row(self) -> dict[str, Any] | None:
        if self.model is None or self.one.pk is None:
            return None
        r = self.model.row_of(self.one.pk)
        return self.model.rows[r] if r is not None else None

    def value_index(self, key: str) -> QModelIndex:
        """The cell showing column ``key`` of the picked row (for tests and keyboard focus)."""
        if self.model is None:
            return QModelIndex()
        c = next((k for k, col in enumerate(self.model.COLUMNS) if col.key == key), -1)
        return self.side.index(c, 0) if c >= 0 else QModelIndex()

    def retranslate(self) -> None:
        row = self.row()
        if row is None:
            self.title.setText(self.tr("Click a site or a village on the map (or a row in a table) to see "
                                       "all it holds here; double-click a value to change it."))
        else:
            what = self.tr("Site") if self.kind == "site" else self.tr("Demand unit")
            self.title.setText(f"<b>{what}: {row.get('code', '')} {row.get('name') or ''}</b>")
        self.view.resizeColumnsToContents()
