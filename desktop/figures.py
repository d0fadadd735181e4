"""Plan ▸ Plan figures…: the four plan figures (规划人口, 避难需求 share, 保障人口, 灾害发生日期),
each set in the plan or left to its stated default, edited through the planner's service
(:mod:`planner.plan_figures`, the same one ``esplan-cli plan set`` uses) as one undoable command."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner import plan_figures
from planner.textfmt import num, pct


def figure_names() -> dict[str, str]:
    """The figures' names in the interface language."""
    return {"planning_population": QCoreApplication.translate("PlanFigures", "Planning population"),
            "sheltering_share": QCoreApplication.translate("PlanFigures", "Sheltering share"),
            "supply_population": QCoreApplication.translate("PlanFigures", "Supply population"),
            "event_date": QCoreApplication.translate("PlanFigures", "Event date")}


class PlanFiguresDialog(QDialog):
    """Each figure: a check box (set in the plan, or not set), its editor, and a line saying what
    applies — the plan's value, or the default and its rule ("Not set — the demand units'
    population sum, 85,015"). ``save(changes, version)`` writes the changed figures (None =
    not set) and says whether the plan took them; a refusal keeps the dialog open."""

    def __init__(self, plan: Any, save: Callable[[dict[str, Any], int], bool], parent: QWidget | None = None,
                 *, today: dt.date | None = None):
        super().__init__(parent)
        self.plan, self.save, self._today = plan, save, today
        self.figs = plan_figures.read_figures(plan, today=today)
        self.setWindowTitle(self.tr("Plan figures"))
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr("The district's own figures. A figure not set takes the default shown; a scenario "
                               "can override each (Scenarios panel)."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        grid = QGridLayout()
        lay.addLayout(grid)
        names = figure_names()
        self.check: dict[str, QCheckBox] = {}
        self.note: dict[str, QLabel] = {}
        self.planning = QSpinBox()
        self.supply = QSpinBox()
        for w in (self.planning, self.supply):
            w.setRange(1, plan_figures.MAX_POPULATION)
            w.setSingleStep(1000)
            w.setGroupSeparatorShown(True)
            w.setSuffix(self.tr(" people"))
        self.share = QDoubleSpinBox()     # shown in per cent, stored as a fraction
        self.share.setRange(0.1, 100.0)
        self.share.setDecimals(1)
        self.share.setSingleStep(5.0)
        self.share.setSuffix(" %")
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.editor: dict[str, QWidget] = {"planning_population": self.planning, "sheltering_share": self.share,
                                           "supply_population": self.supply, "event_date": self.date}
        for row, name in enumerate(plan_figures.FIGURES):
            f = self.figs[name]
            box = QCheckBox(names[name])
            box.setObjectName(f"set_{name}")
            box.setToolTip(self.tr("Checked: set in the plan. Unchecked: not set, the default applies."))
            self.check[name] = box
            self._set_editor(name, f.effective)
            box.setChecked(f.value is not None)
            note = QLabel()
            note.setWordWrap(True)
            note.setStyleSheet("color: palette(mid)")
            self.note[name] = note
            grid.addWidget(box, 2 * row, 0)
            grid.addWidget(self.editor[name], 2 * row, 1)
            grid.addWidget(note, 2 * row + 1, 0, 1, 2)
            box.toggled.connect(self._refresh)
        for sig in (self.planning.valueChanged, self.share.valueChanged, self.supply.valueChanged,
                    self.date.dateChanged):
            sig.connect(self._refresh)
        self.units = QLabel(self.tr("Demand units: {n}, population {pop} in total; {unknown} without a population "
                                    "figure.").format(n=self.figs.units, pop=num(self.figs.units_population),
                                                      unknown=self.figs.units_unknown))
        self.units.setWordWrap(True)
        lay.addWidget(self.units)
        own = [f"{t['name']} {pct(t['sheltering_share'])}" for t in self.figs.towns
               if t["sheltering_share"] is not None]
        self.towns = QLabel(self.tr("Towns with their own sheltering share (esplan-cli plan set-town-share): "
                                    "{towns}").format(towns=", ".join(own)) if own else "")
        self.towns.setWordWrap(True)
        self.towns.setVisible(bool(own))
        lay.addWidget(self.towns)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self._refresh()
        self.setMinimumWidth(560)

    # -- values ---------------------------------------------------------------------------------
    def _set_editor(self, name: str, value: Any) -> None:
        if name == "sheltering_share":
            self.share.setValue(100.0 * float(value if value is not None else 1.0))
        elif name == "event_date":
            d = dt.date.fromisoformat(value) if value else dt.date.today()
            self.date.setDate(QDate(d.year, d.month, d.day))
        else:
            self.editor[name].setValue(int(value) if value else 1)  # type: ignore[attr-defined]

    def _editor_value(self, name: str) -> Any:
        if name == "sheltering_share":
            return round(self.share.value() / 100.0, 6)
        if name == "event_date":
            return self.date.date().toString("yyyy-MM-dd")
        return int(self.editor[name].value())  # type: ignore[attr-defined]

    def value(self, name: str) -> Any:
        """The figure as the dialog would store it (None: not set)."""
        return self._editor_value(name) if self.check[name].isChecked() else None

    def values(self) -> dict[str, Any]:
        return {k: self.value(k) for k in plan_figures.FIGURES}

    def changes(self) -> dict[str, Any]:
        """The figures the user changed (None: cleared)."""
        old = self.figs.set_values()
        return {k: v for k, v in self.values().items() if v != old[k]}

    # -- what applies -----------------------------------------------------------------------------
    def default_text(self, name: str) -> str:
        """The default a figure takes when not set, with its rule and value."""
        f = self.figs
        if name == "planning_population":
            if f.units_population == 0 and f.units_unknown == f.units:
                return self.tr("the demand units' population sum — unknown, no unit has a population yet")
            return self.tr("the demand units' population sum, {n}").format(n=num(f.units_population))
        if name == "sheltering_share":
            return self.tr("everyone, {share}").format(share=pct(f["sheltering_share"].default, 0))
        if name == "supply_population":
            planning = self.value("planning_population")
            if planning is None:
                planning = f["planning_population"].default
            return self.tr("the planning population, {n}").format(n=num(planning))
        return self.tr("the day of the run (today {date})").format(date=f["event_date"].default)

    def _refresh(self, *_args: Any) -> None:
        for name in plan_figures.FIGURES:
            on = self.check[name].isChecked()
            self.editor[name].setEnabled(on)
            if on:
                text = self.tr("Set in the plan (not set, it would be {default})")
            else:
                text = self.tr("Not set — {default}")
            self.note[name].setText(text.format(default=self.default_text(name)))
        self.error.clear()

    def accept(self) -> None:
        changes = self.changes()
        if changes and not self.save(changes, self.figs.version):
            # refused (the message says why) or somebody saved first: read the plan again, keep
            # the user's entries; OK now saves them over the figures just read
            self.figs = plan_figures.read_figures(self.plan, today=self._today)
            self._refresh()
            self.error.setText(self.tr("The plan did not take the change (see the message). The figures were "
                                       "read again: OK saves yours over them, Cancel keeps the plan's."))
            return
        super().accept()
