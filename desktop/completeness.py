"""The data completeness panel: per kind of missing data, how many rows lack it, which checks
cannot be assessed (or are incomplete) without it, and what to do — read off the last run
(``planner.engine.results.data_gaps``, the engine's own counts)."""
from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from desktop.i18n import is_chinese
from planner.engine.results import DataGap, data_gaps, typed
from planner.textfmt import num


class CompletenessPanel(QWidget):
    gapActivated = Signal(str)     # a gap's code (the window shows the rows behind it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        # a narrow dock: one block per kind of missing data reads better than a wide table
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.summary)
        lay.addWidget(self.view, 1)
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
                                self.tr("Select one in the Population table, press Place / move (M) and click the "
                                        "map where it lies; or enter the longitude and latitude, or import the "
                                        "demand units again with coordinates.")),
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

    def gap_texts(self, k: int) -> tuple[str, str, str, str]:
        """Gap ``k`` as shown: (what is missing, rows, the checks that need it, what to do)."""
        g = self.gaps[k]
        lang = "zh" if is_chinese() else "en"
        r = typed(self.result)
        name = {c.id: c.name(lang) for c in r.checks}
        supply = [c for c in g.checks if c.startswith("supply_")]
        names = [name.get(c, c) for c in g.checks if not c.startswith("supply_")]
        if supply:   # the 72-hour items are one line, not eight
            names.append(self.tr("72-hour supply ({n} items)").format(n=len(supply)))
        sep = "、" if lang == "zh" else ", "
        what, todo = self.texts(g.code)
        rows = "—" if g.n is None else num(g.n, big=0)
        return what.format(n=rows), rows, sep.join(dict.fromkeys(names)) or self.tr("no check"), todo

    def retranslate(self) -> None:
        if self.result is None:
            self.summary.setText(self.tr("Run the checks (F5) to see which data they lack."))
            self.view.clear()
            return
        r = typed(self.result)
        blocked = {c for g in self.gaps for c in g.checks}
        unknown = [c for c in r.checks if c.status == "unknown"]
        if not self.gaps:
            self.summary.setText(self.tr("The checks have all the data they need."))
        else:
            self.summary.setText(self.tr(
                "{k} kinds of data are missing: {u} checks cannot be assessed and {i} more are incomplete "
                "until they are there.").format(k=len(self.gaps), u=len(unknown),
                                                i=len(blocked - {c.id for c in unknown})))
        parts = []
        needed_by, what_to_do = html.escape(self.tr("Needed by:")), html.escape(self.tr("What to do:"))
        for k, g in enumerate(self.gaps):
            what, _rows, needed, todo = (html.escape(t) for t in self.gap_texts(k))
            parts.append(
                f"<p><a href='gap:{g.code}'><b>{what}</b></a><br>"
                f"<span style='color:#555'>{needed_by}</span> {needed}<br>"
                f"<span style='color:#555'>{what_to_do}</span> {todo}</p>")
        self.view.setHtml("".join(parts))

    def _clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("gap:"):
            self.gapActivated.emit(text[4:])
