"""Frozen columns: the first columns of a register (code and name) stay in view while the others
scroll sideways — Qt's frozen-column pattern: a second view laid over the table's left edge,
sharing its model and selection, its column widths and vertical scroll kept in step."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QTableView


class FrozenColumns(QObject):
    def __init__(self, view: QTableView, n: int = 2):
        super().__init__(view)
        self.view, self.n = view, n
        f = self.frozen = QTableView(view)
        f.setObjectName("frozenColumns")
        f.setModel(view.model())
        f.setSelectionModel(view.selectionModel())
        f.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        f.verticalHeader().hide()
        f.verticalHeader().setDefaultSectionSize(view.verticalHeader().defaultSectionSize())
        f.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        f.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        f.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        f.setVerticalScrollMode(view.verticalScrollMode())
        f.setSelectionBehavior(view.selectionBehavior())
        f.setSelectionMode(view.selectionMode())
        f.setEditTriggers(view.editTriggers())
        f.setAlternatingRowColors(view.alternatingRowColors())
        vh = view.horizontalHeader()      # enabling sorting sorts by the header's indicator: the table's
        f.horizontalHeader().setSortIndicator(vh.sortIndicatorSection(), vh.sortIndicatorOrder())
        f.setSortingEnabled(view.isSortingEnabled())
        f.setFrameShape(QTableView.Shape.NoFrame)
        f.setStyleSheet("QTableView#frozenColumns { border-right: 1px solid palette(mid); }")
        f.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # the table's menu and double-click, as if the click had been on the table itself
        f.customContextMenuRequested.connect(
            lambda pos: view.customContextMenuRequested.emit(
                view.viewport().mapFromGlobal(f.viewport().mapToGlobal(pos))))
        f.doubleClicked.connect(view.doubleClicked)
        view.viewport().stackUnder(f)
        # widths, scrolling and sorting in step both ways
        view.horizontalHeader().sectionResized.connect(self._view_resized)
        f.horizontalHeader().sectionResized.connect(self._frozen_resized)
        f.verticalScrollBar().valueChanged.connect(view.verticalScrollBar().setValue)
        view.verticalScrollBar().valueChanged.connect(f.verticalScrollBar().setValue)
        view.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator)
        f.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator)
        model = view.model()
        model.modelReset.connect(self._columns)
        model.columnsInserted.connect(self._columns)
        model.layoutChanged.connect(self.update_geometry)
        view.installEventFilter(self)
        self._columns()
        f.show()

    def _columns(self, *_a: Any) -> None:
        f, view = self.frozen, self.view
        for c in range(view.model().columnCount()):
            f.setColumnHidden(c, c >= self.n)
            if c < self.n:
                f.setColumnWidth(c, view.columnWidth(c))
        self.update_geometry()

    def _view_resized(self, col: int, _old: int, new: int) -> None:
        if col < self.n and self.frozen.columnWidth(col) != new:
            self.frozen.setColumnWidth(col, new)
        self.update_geometry()

    def _frozen_resized(self, col: int, _old: int, new: int) -> None:
        if col < self.n and self.view.columnWidth(col) != new:
            self.view.setColumnWidth(col, new)
        self.update_geometry()

    def _sort_indicator(self, col: int, order: Qt.SortOrder) -> None:
        for h in (self.view.horizontalHeader(), self.frozen.horizontalHeader()):
            if h.sortIndicatorSection() != col or h.sortIndicatorOrder() != order:
                h.blockSignals(True)
                h.setSortIndicator(col, order)
                h.blockSignals(False)
                h.viewport().update()

    def width(self) -> int:
        return sum(self.view.columnWidth(c) for c in range(min(self.n, self.view.model().columnCount()))
                   if not self.view.isColumnHidden(c))

    def update_geometry(self) -> None:
        v = self.view
        fw = v.frameWidth()
        self.frozen.setGeometry(v.verticalHeader().width() + fw, fw, self.width(),
                                v.viewport().height() + v.horizontalHeader().height())
        self.frozen.verticalScrollBar().setValue(v.verticalScrollBar().value())

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if obj is self.view and event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutRequest):
            self.update_geometry()
        return False
