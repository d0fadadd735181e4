"""``esplan``: the desktop program.

This first version opens a plan (on first start with no plan: the Andorra demo plan, copied to
the user's data folder) and shows its summary and site registry. The full workspace (map canvas,
editing with undo, scenarios, results, printing) is built on top of this window.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def user_data_dir() -> Path:
    loc = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(loc or Path.home() / ".esplan")


def first_start_plan() -> Path:
    """The plan to open when none is given: the user's copy of the Andorra demo."""
    from planner.demo import copy_demo_to

    dest = user_data_dir() / "示例-安道尔.esplan"
    if not dest.exists():
        copy_demo_to("andorra", dest)
    return dest


class MainWindow(QMainWindow):
    def __init__(self, plan_path: Path):
        super().__init__()
        from planner.store import open_plan

        self.plan = open_plan(plan_path)
        info = self.plan.info()
        self.setWindowTitle(self.tr("esplan — emergency supplies & shelter planner") + f" — {info.name}")
        self.resize(1200, 760)
        central = QWidget()
        lay = QVBoxLayout(central)
        self.summary = QLabel()
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical)
        self.sites = QTableWidget()
        split.addWidget(self.sites)
        lay.addWidget(split, 1)
        self.setCentralWidget(central)
        menu = self.menuBar().addMenu(self.tr("&File"))
        menu.addAction(self.tr("&Open plan…"), self.open_plan_dialog)
        menu.addAction(self.tr("&Quit"), self.close)
        self.refresh()

    def refresh(self) -> None:
        from sqlalchemy import select

        from planner import models as m

        info = self.plan.info()
        c = self.plan.counts()
        self.summary.setText(
            f"<h2>{info.name}</h2><p>{info.description or ''}</p>"
            + self.tr("<p>Road network: {nodes} nodes, {edges} edges · demand units: {units} · "
                      "sites: {sites} · stock lots: {lots}</p>").format(
                nodes=c["road_nodes"], edges=c["road_edges"], units=c["demand_units"],
                sites=c["sites"], lots=c["stock_lots"])
            + f"<p><small>{info.attribution or ''}</small></p>")
        headers = [self.tr("Code"), self.tr("Kind"), self.tr("Name"), self.tr("Status"), self.tr("Class"),
                   self.tr("Indoor m²"), self.tr("Outdoor m²"), self.tr("Town"), self.tr("Located")]
        kinds = {"warehouse": self.tr("Warehouse"), "reserve_point": self.tr("Reserve point"),
                 "shelter": self.tr("Shelter")}
        with self.plan.session() as s:
            rows = s.scalars(select(m.Site).order_by(m.Site.kind, m.Site.code)).all()
        self.sites.setColumnCount(len(headers))
        self.sites.setHorizontalHeaderLabels(headers)
        self.sites.setRowCount(len(rows))
        for r, site in enumerate(rows):
            vals = [site.code, kinds[site.kind.value], site.name, site.status.value,
                    site.shelter_class.value if site.shelter_class else "",
                    f"{site.indoor_area_m2:,.0f}" if site.indoor_area_m2 is not None else "",
                    f"{site.outdoor_area_m2:,.0f}" if site.outdoor_area_m2 is not None else "",
                    site.town_code or "", self.tr("yes") if site.located else self.tr("not yet located")]
            for col, v in enumerate(vals):
                self.sites.setItem(r, col, QTableWidgetItem(str(v)))
        self.sites.resizeColumnsToContents()

    def open_plan_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open plan"), str(user_data_dir()),
                                              self.tr("esplan plans (*.esplan);;All files (*)"))
        if path:
            from planner.store import PlanError, open_plan

            try:
                self.plan = open_plan(path)
            except PlanError as exc:
                QMessageBox.warning(self, self.tr("Cannot open plan"), str(exc))
                return
            self.refresh()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="esplan")
    ap.add_argument("plan", nargs="?", help="plan file (*.esplan) or PostgreSQL URL")
    ap.add_argument("--quit-after", type=float, help=argparse.SUPPRESS)  # smoke tests
    args, qt_args = ap.parse_known_args(argv if argv is not None else sys.argv[1:])
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("esplan")
    app.setOrganizationName("esplan")
    plan = Path(args.plan) if args.plan else first_start_plan()
    win = MainWindow(plan)
    win.show()
    if args.quit_after:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
