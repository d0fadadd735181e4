"""Results panel: checks with pass/fail badges, KPIs, charts and findings of the last run."""
from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import is_chinese
from desktop.tables import RowRole
from planner.engine.results import Check, typed
from planner.engine.texts import item_unit
from planner.textfmt import num

PASS = QColor(46, 160, 67)
FAIL = QColor(210, 45, 45)
WARN = QColor(220, 150, 20)
UNKNOWN = QColor(140, 145, 155)  # the plan lacks the data to evaluate the check




def whole(x: float | None) -> str:
    """A count of people, items or yuan with separators; "—" when unknown (never 0)."""
    return num(x, big=0)


def fmt_value(value: Any, unit: str | None, status: str | None = None) -> str:
    """A check's value as the CLI and the PDF print it (planner.engine.texts.fmt_check): a time
    limit failed because some people have no place at all reads "超时（有人无位）", not "—"."""
    if value is None:
        if unit == "min" and status == "fail":
            from planner.engine.texts import fmt_check

            return fmt_check(None, "min", "zh" if is_chinese() else "en")
        return "—"
    if unit == "share":
        return f"{value * 100:.1f} %"
    if unit == "min":
        return f"{value:.1f} min"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _badge(colour: QColor, text: str) -> QPixmap:
    pm = QPixmap(QSize(16, 16))
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QBrush(colour))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(1, 1, 14, 14)
    p.setPen(QPen(QColor(255, 255, 255), 2))
    if text == "ok":
        p.drawLine(4, 8, 7, 11)
        p.drawLine(7, 11, 12, 5)
    elif text == "?":
        p.drawLine(4, 8, 12, 8)
    else:
        p.drawLine(5, 5, 11, 11)
        p.drawLine(11, 5, 5, 11)
    p.end()
    return pm


class ChecksModel(QAbstractTableModel):
    """One row per check of a PlanResult: status, name, value, target."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.checks: list[Check] = []
        self._badges: dict[str, QPixmap] = {}

    def set_checks(self, checks: Sequence[Check]) -> None:
        self.beginResetModel()
        self.checks = list(checks)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.checks)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 5:
            return (self.tr("Result"), self.tr("Check"), self.tr("Value"), self.tr("Target"),
                    self.tr("Numerator / denominator"))[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.checks)):
            return None
        c, col = self.checks[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return {"pass": self.tr("pass"), "fail": self.tr("fail"),
                        "unknown": self.tr("no data")}[c.status]
            if col == 1:
                return c.name("zh" if is_chinese() else "en")
            if col == 2:
                return fmt_value(c.value, c.unit, c.status)
            if col == 3:
                op = "≤" if c.unit == "min" else "≥"
                return f"{op} {fmt_value(c.target, c.unit)}"
            if col == 4:   # the same text the CLI and the PDF print (planner.engine.texts.check_basis)
                return c.basis("zh" if is_chinese() else "en")
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            st = c.status
            if st not in self._badges:
                self._badges[st] = _badge(*{"pass": (PASS, "ok"), "fail": (FAIL, "x"), "unknown": (UNKNOWN, "?")}[st])
            return self._badges[st]
        if role == Qt.ItemDataRole.ForegroundRole and col in (0, 2):
            return QBrush({"pass": PASS.darker(120), "fail": FAIL, "unknown": UNKNOWN.darker(130)}[c.status])
        if role == Qt.ItemDataRole.ToolTipRole:
            src = self.tr("Target from: {0}").format(c.target_source) if c.target_source else ""
            return "\n".join(x for x in (c.basis("zh" if is_chinese() else "en"), src) if x)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == RowRole:
            return c
        return None


class BarChart(QWidget):
    """Horizontal bars: for each label one or two values (e.g. required vs usable)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = ""
        self.rows: list[tuple[str, float, float | None]] = []   # label, a, b (b drawn over a)
        self.legend = ("", "")
        self.percent = False
        self.good_high = True
        self.details: list[str] = []      # per row: the absolute figures behind the share
        self.setMinimumHeight(160)

    def set_data(self, title: str, rows: list[tuple[str, float, float | None]], legend: tuple[str, str],
                 percent: bool = False, good_high: bool = True, details: list[str] | None = None) -> None:
        """``percent``: each row's ``a`` is a share (1.0 = 100 %, drawn against a 100 % line) and
        coloured by it — ``good_high``: reaching 100 % is good (supply), else it is a warning (load);
        the level is also marked by a symbol (✓ ! ✗), not by colour alone. ``details``: the
        absolute figures of each row ("350 / 500 pcs"), written after the share and in the tooltip."""
        self.title, self.rows, self.legend, self.percent, self.good_high = title, rows, legend, percent, good_high
        self.details = list(details or [])
        self._fit_height()
        self.update()

    def short_text(self, k: int) -> str:
        """Mark and share of row ``k`` (the figures go under the bar when the dock is narrow)."""
        a = self.rows[k][1]
        return f"{self.level(a)[1]} {a * 100:.0f} %".strip() if self.percent else self.value_text(k)

    def _layout(self) -> tuple[int, int, bool]:
        """(label width, text width, two lines per row: the figures under the bar)."""
        fm = self.fontMetrics()
        if not self.rows:
            return 0, 0, False
        label_w = min(max(fm.horizontalAdvance(r[0]) for r in self.rows) + 10, self.width() // 3)
        full = max(fm.horizontalAdvance(self.value_text(k)) for k in range(len(self.rows))) + 8
        cap = max(60, self.width() // 3)
        if full <= cap or not self.details:
            return label_w, min(full, cap), False
        short = max(fm.horizontalAdvance(self.short_text(k)) for k in range(len(self.rows))) + 8
        return label_w, min(short, cap), True

    def _pitch(self) -> int:
        return 20 + (self.fontMetrics().height() if self._layout()[2] else 0)

    def _fit_height(self) -> None:
        self.setMinimumHeight(40 + self._pitch() * max(1, len(self.rows)))

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        self._fit_height()

    def level(self, a: float) -> tuple[QColor, str]:
        """The colour and the symbol of a share (percent charts)."""
        if self.good_high:
            return (PASS, "✓") if a >= 0.999 else (WARN, "!") if a >= 0.5 else (FAIL, "✗")
        return (FAIL, "✗") if a >= 0.999 else (WARN, "!") if a >= 0.85 else (PASS, "")

    def value_text(self, k: int) -> str:
        """What is written after row ``k``'s bar: mark, share and the absolute figures."""
        _label, a, b = self.rows[k]
        if not self.percent:
            return f"{(b or 0) / a * 100:.0f} %" if a else ""
        mark = self.level(a)[1]
        detail = self.details[k] if k < len(self.details) else ""
        return " ".join(t for t in (mark, f"{a * 100:.0f} %", f"({detail})" if detail else "") if t)

    def _row_at(self, y: float) -> int | None:
        k = int((y - 28) // self._pitch())
        return k if 0 <= k < len(self.rows) and y >= 28 else None

    def event(self, e) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            k = self._row_at(e.pos().y())
            if k is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(e.globalPos(), f"{self.rows[k][0]}: {self.value_text(k)}", self)
            return True
        return super().event(e)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(255, 255, 255))
        fm = p.fontMetrics()
        f = QFont(self.font())
        f.setBold(True)
        p.setFont(f)
        p.setPen(QColor(30, 30, 30))
        p.drawText(8, fm.ascent() + 6, self.title)
        p.setFont(self.font())
        # legend
        lx = self.width() - 8
        for colour, text in ((PASS, self.legend[1]), (QColor(200, 205, 215), self.legend[0])):
            if not text:
                continue
            lx -= fm.horizontalAdvance(text)
            p.setPen(QColor(60, 60, 60))
            p.drawText(lx, fm.ascent() + 6, text)
            lx -= 16
            p.fillRect(QRectF(lx, 8, 11, 9), colour)
            lx -= 10
        if not self.rows:
            p.setPen(QColor(120, 120, 120))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Run the plan to see this chart."))
            return
        label_w, text_w, two_lines = self._layout()
        top, bar_h, pitch = 28, 14, self._pitch()
        x0 = 8 + label_w
        texts = [self.short_text(k) if two_lines else self.value_text(k) for k in range(len(self.rows))]
        w = max(10, self.width() - x0 - text_w)
        vmax = max(max(r[1], r[2] or 0) for r in self.rows) or 1.0
        if self.percent:
            vmax = max(vmax, 1.0)
        for k, (label, a, b) in enumerate(self.rows):
            y = top + k * pitch
            p.setPen(QColor(40, 40, 40))
            p.drawText(QRectF(4, y, label_w, bar_h), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 4))
            if self.percent:
                colour = self.level(a)[0]
                p.fillRect(QRectF(x0, y, w * a / vmax, bar_h), colour)
            else:
                p.fillRect(QRectF(x0, y, w * a / vmax, bar_h), QColor(200, 205, 215))
            if b is not None and not self.percent:
                ratio = b / a if a else 1.0
                colour = PASS if ratio >= 0.999 else WARN if ratio >= 0.5 else FAIL
                p.fillRect(QRectF(x0, y + 3, w * min(b, vmax) / vmax, bar_h - 6), colour)
            p.setPen(QColor(60, 60, 60))
            p.drawText(QRectF(x0 + w + 4, y, text_w - 4, bar_h),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(texts[k], Qt.TextElideMode.ElideRight, text_w - 4))
            if two_lines and k < len(self.details) and self.details[k]:
                p.setPen(QColor(90, 90, 90))    # the absolute figures under the bar
                p.drawText(QRectF(x0, y + bar_h + 1, self.width() - x0 - 4, fm.height()),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                           fm.elidedText(self.details[k], Qt.TextElideMode.ElideRight, self.width() - x0 - 4))
        if self.percent:
            xline = x0 + w * 1.0 / vmax
            p.setPen(QPen(QColor(120, 120, 120), 1, Qt.PenStyle.DashLine))
            p.drawLine(int(xline), top - 4, int(xline), top + len(self.rows) * pitch)


class ResultsPanel(QWidget):
    checkActivated = Signal(object)     # Check
    findingActivated = Signal(object)   # Finding

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result: Any = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.checks = QTableView()
        self.checks_model = ChecksModel(self)
        self.checks.setModel(self.checks_model)
        self.checks.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.checks.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.checks.verticalHeader().hide()
        self.checks.setAlternatingRowColors(True)
        hh = self.checks.horizontalHeader()
        # the check's name in full; its numerator / denominator takes the rest (full text in the
        # tooltip and below the table for the selected check)
        for c in (0, 1, 2, 3):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        hh.setMinimumSectionSize(60)
        self.checks.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.checks.clicked.connect(self._on_check)
        self.findings = QListWidget()
        self.findings.setWordWrap(True)
        self.findings.itemClicked.connect(self._on_finding)
        # the selected check's numerator / denominator and where its target comes from, in full
        self.basis = QLabel()
        self.basis.setWordWrap(True)
        self.basis.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.checks, 1)
        tl.addWidget(self.basis)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.findings)
        split.setSizes([260, 140])
        self.tabs.addTab(split, "")
        charts = QWidget()
        cl = QVBoxLayout(charts)
        cl.setContentsMargins(0, 0, 0, 0)
        self.supply_chart = BarChart()
        self.util_chart = BarChart()
        cl.addWidget(self.supply_chart)
        cl.addWidget(self.util_chart)
        cl.addStretch(1)
        from PySide6.QtWidgets import QScrollArea

        sa = QScrollArea()
        sa.setWidgetResizable(True)
        sa.setWidget(charts)
        self.tabs.addTab(sa, "")
        lay.addWidget(self.tabs, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.tabs.setTabText(0, self.tr("Checks"))
        self.tabs.setTabText(1, self.tr("Charts"))
        self.checks_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 3)
        self.set_result(self.result)

    def set_result(self, result: Any) -> None:
        self.result = result
        if result is None:
            self.summary.setText(self.tr("<i>No run yet. Press <b>Run</b> (F5) to check the plan.</i>"))
            self.checks_model.set_checks([])
            self.basis.clear()
            self.findings.clear()
            self.supply_chart.set_data(self.tr("72-hour supply: in time as a share of required"), [], ("", ""))
            self.util_chart.set_data(self.tr("Shelter utilisation"), [], ("", ""))
            return
        r = typed(result)
        s, counts = r.summary, r.counts
        zh = is_chinese()
        scen = result.scenario if result.scenario != "baseline" else self.tr("baseline")
        colour = "#d22d2d" if counts.failed else ("#b26a00" if counts.unknown else "#2ea043")
        # without any population figure the people counts are unknown ("—"), not 0; a shortfall
        # cost of 0 with every item short unpriced is unknown too
        known = bool(s.sheltering_demand) or not s.units_unknown

        def people(x: float | None) -> str:
            return whole(x if known else None)

        cost = s.supply_shortfall_cost
        if not cost and s.supply_shortfall_cost_unpriced:
            cost = None
        self.summary.setText(self.tr(
            "<b>{scenario}</b> · <span style='color:{colour}'><b>{passed} passed, {failed} failed, "
            "{unknown} not assessable</b></span><br>"
            "Served within the limit: <b>{share}</b> of {demand} people · over capacity {over} · "
            "unreachable {unreach} · not located {unloc}<br>72-h supply shortfall: {items} items, ¥{cost}"
        ).format(scenario=scen, colour=colour, passed=counts.passed, failed=counts.failed, unknown=counts.unknown,
                 share=fmt_value(s.served_share, "share"), demand=people(s.sheltering_demand),
                 over=people(s.over_capacity), unreach=people(s.unreachable),
                 unloc=people(None if s.unlocated is None and s.off_network is None
                              else (s.unlocated or 0) + (s.off_network or 0)),
                 items=whole(s.supply_items_short),
                 cost=whole(cost) + (
                     self.tr(" (incomplete: {n} items without a price)").format(n=len(s.supply_shortfall_cost_unpriced))
                     if s.supply_shortfall_cost_unpriced else "")))
        self.checks_model.set_checks(r.checks)
        self.basis.setText(self.tr("Select a check to see its numerator, denominator and the source of its target."))
        self.findings.clear()
        lang = "zh" if zh else "en"
        for fnd in r.findings:
            it = QListWidgetItem(fnd.text(lang))
            it.setData(RowRole, fnd)
            it.setForeground(QBrush(FAIL if fnd.severity == "fail" else WARN))
            self.findings.addItem(it)
        # what arrives in time as a share of required, per item (the check's value): litres,
        # kilograms and beds are not one scale
        supply = [i for i in r.supply if i.required]
        items = [(i.name(lang), (i.shipped or 0) / i.required, None) for i in supply]
        self.supply_chart.set_data(
            self.tr("72-hour supply: in time as a share of required"), items, ("", ""), percent=True, good_high=True,
            details=[f"{whole(i.shipped or 0)} / {whole(i.required)} {item_unit(i.unit, lang)}".strip()
                     for i in supply])
        shelters = sorted((sh for sh in r.shelters if sh.open), key=lambda sh: -(sh.utilisation or 0))[:25]
        self.util_chart.set_data(self.tr("Shelter utilisation (25 fullest)"),
                                 [(f"{sh.code} {sh.name}", float(sh.utilisation or 0), None) for sh in shelters],
                                 ("", ""), percent=True, good_high=False,
                                 details=[self.tr("{n} of {cap} people").format(
                                     n=whole(sh.assigned or 0), cap=whole(sh.capacity) if sh.capacity else "—")
                                     for sh in shelters])

    def _on_check(self, index: QModelIndex) -> None:
        c = index.data(RowRole)
        if c is not None:
            self.show_basis(c)
            self.checkActivated.emit(c)

    def show_basis(self, c: Check) -> None:
        """The check's numerator / denominator (planner.engine.texts.check_basis) and the source
        of its target, under the table."""
        lang = "zh" if is_chinese() else "en"
        text = f"<b>{html.escape(c.name(lang))}</b>：{html.escape(c.basis(lang))}"
        if c.target_source:
            text += "<br>" + html.escape(self.tr("Target from: {0}").format(c.target_source))
        self.basis.setText(text)

    def _on_finding(self, item: QListWidgetItem) -> None:
        f = item.data(RowRole)
        if f is not None:
            self.findingActivated.emit(f)
