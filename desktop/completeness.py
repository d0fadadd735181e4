"""The data completeness panel: per kind of missing data, how many rows lack it, which checks
cannot be assessed (or are incomplete) without it, and what to do — read off the last run
(``planner.engine.results.data_gaps``, the engine's own counts)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from desktop.i18n import is_chinese
from planner.engine.results import DataGap, data_gaps, typed
from planner.textfmt import num


class CompletenessPanel(QWidget):
    gapActivated = Signal(str)     # a gap's code (the window shows the rows behind it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        head.setStretchLastSection(True)
        self.table.cellClicked.connect(self._clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        self.result: Any = None
        self.road_edges: int | None = None
        self.gaps: list[DataGap] = []
        self.retranslate()

    def set_result(self, result: Any, road_edges: int | None) -> None:
        self.result, self.road_edges = result, road_edges
        self.gaps = data_gaps(result, road_edges) if result is not None else []
        self.retranslate()

    def texts(self, code: str) -> tuple[str, str]:
        """(what is missing — with {n}, what to do) for a gap code, in the interface language."""
        t = {
            "no_roads": (self.tr("No road network"),
                         self.tr("Import an OpenStreetMap extract of the district (File ▸ Import…, road network).")),
            "units_unlocated": (self.tr("{n} villages / communities without coordinates"),
                                self.tr("Enter their longitude and latitude in the Population table, or import "
                                        "the demand units again with coordinates.")),
            "units_unknown": (self.tr("{n} villages / communities without population"),
                              self.tr("Enter the population in the Population table, or import it.")),
            "shelters_unlocated": (self.tr("{n} shelters without coordinates"),
                                   self.tr("Select the shelter and place it on the map (M), or enter its "
                                           "longitude and latitude in the Sites table.")),
            "shelters_without_capacity": (self.tr("{n} shelters without area or capacity"),
                                          self.tr("Enter the area or the stated capacity in the Sites table.")),
            "shelters_without_area": (self.tr("{n} fixed shelters without area data"),
                                      self.tr("Enter the indoor and outdoor areas in the Sites table.")),
            "shelters_without_class": (self.tr("{n} shelters without a class (not counted as fixed)"),
                                       self.tr("Choose the class of each shelter in the Sites table.")),
            "items_without_price": (self.tr("{n} supply items without a price"),
                                    self.tr("Enter unit prices in the Supply catalogue (for the cost of "
                                            "the shortfall; no check needs them).")),
        }
        return t.get(code, (code, ""))

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("Missing data"), self.tr("Rows"),
                                              self.tr("Needed by"), self.tr("What to do")])
        if self.result is None:
            self.summary.setText(self.tr("Run the checks (F5) to see which data they lack."))
            self.table.setRowCount(0)
            return
        r = typed(self.result)
        lang = "zh" if is_chinese() else "en"
        name = {c.id: c.name(lang) for c in r.checks}
        blocked = {c for g in self.gaps for c in g.checks}
        unknown = [c for c in r.checks if c.status == "unknown"]
        if not self.gaps:
            self.summary.setText(self.tr("The checks have all the data they need."))
        else:
            self.summary.setText(self.tr(
                "{k} kinds of data are missing: {u} checks cannot be assessed and {i} more are incomplete "
                "until they are there.").format(k=len(self.gaps), u=len(unknown),
                                                i=len(blocked - {c.id for c in unknown})))
        self.table.setRowCount(len(self.gaps))
        sep = "、" if lang == "zh" else ", "
        for k, g in enumerate(self.gaps):
            what, todo = self.texts(g.code)
            needed = sep.join(dict.fromkeys(name.get(c, c) for c in g.checks)) or self.tr("no check")
            cells = (what.format(n=num(g.n, big=0)), "—" if g.n is None else num(g.n, big=0), needed, todo)
            for c, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setToolTip(text)
                it.setData(Qt.ItemDataRole.UserRole, g.code)
                if c == 1:
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(k, c, it)
        self.table.setColumnWidth(0, 220)
        self.table.setColumnWidth(2, 200)

    def _clicked(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.gaps):
            self.gapActivated.emit(self.gaps[row].code)
