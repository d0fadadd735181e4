"""Screenshots of the new-plan wizard under Xvfb, in Chinese: every page filled with the Shanting
registry (../shared/data/shanting), the column-mapping dialog of the towns file, and the main
window after the plan was created and checked → ESPLAN_SHOT_DIR (default /tmp/esplan-wizard-shots):
wizard_1_plan.png … wizard_5_summary.png, wizard_columns.png, wizard_done.png.

    xvfb-run -a -s "-screen 0 1366x768x24" python scripts/wizard_screenshots.py
    ESPLAN_SHOT_SIZE=1366x768 ESPLAN_SHOT_DIR=/tmp/shots ESPLAN_SHOT_LANG=en python scripts/wizard_screenshots.py

docs/screenshots/wizard_zh.png and wizard_columns_zh.png are copies of two of them.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("ESPLAN_SHOT_DIR", "/tmp/esplan-wizard-shots"))
SHANTING = ROOT.parent / "shared" / "data" / "shanting"
if not SHANTING.is_dir():
    SHANTING = Path("/work/shared/data/shanting")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from PySide6.QtCore import QSettings
    from test_mapping import write_osm_grid

    from desktop.app import setup_application
    from desktop.mainwindow import MainWindow
    from desktop.settings import Settings

    app = setup_application(language=os.environ.get("ESPLAN_SHOT_LANG", "zh_CN"))
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="esplan-wizard-"))
    width, height = (int(x) for x in os.environ.get("ESPLAN_SHOT_SIZE", "1366x768").split("x"))
    win = MainWindow(None, settings=Settings(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)))
    win.resize(width, height)
    win.show()

    def pump(seconds: float) -> None:
        end = time.time() + seconds
        while time.time() < end:
            app.processEvents()
            time.sleep(0.02)

    pump(0.5)
    wiz = win.new_plan()
    pump(0.3)

    def shot(name: str, widget=None) -> None:
        pump(0.3)
        (widget or wiz).grab().save(str(OUT / name))
        print(OUT / name)

    p = wiz.plan_page
    p.path.setText(str(tmp / "山亭区.esplan"))
    p.name.setText("山亭区应急物资与避难场所规划 2026")
    p.district_name.setText("山亭区")
    p.code.setText("370406")
    shot("wizard_1_plan.png")
    wiz.next()
    wiz.boundary_page.path.setText(str(SHANTING / "district_boundary.geojson"))
    wiz.boundary_page.read()
    shot("wizard_2_boundary.png")
    wiz.next()
    wiz.osm_page.path.setText(str(write_osm_grid(tmp / "shanting_roads.osm", 117.44, 35.08)))
    shot("wizard_3_osm.png")
    wiz.next()
    t = wiz.tables_page
    t.choosers["demand"].set_path(str(SHANTING / "villages_2023.csv"))
    t.choosers["towns"].set_path(str(SHANTING / "towns_2023.csv"))
    shot("wizard_4_tables.png")
    dlg = t.choosers["towns"].open_mapping()
    assert dlg is not None
    shot("wizard_columns.png", dlg)
    dlg.accept()                       # refused: population is ambiguous
    shot("wizard_columns_refused.png", dlg)
    dlg.choose("population", "pop_2000_census_mapped")
    dlg.choose("location_source", "seat_coord_source")
    dlg.accept()
    shot("wizard_4_tables_done.png")
    wiz.next()
    shot("wizard_5_summary.png")
    wiz.accept()
    end = time.time() + 60
    while (win.result is None or win.task is not None) and time.time() < end:
        pump(0.1)
    pump(1.0)
    win.dock_completeness.raise_() if hasattr(win, "dock_completeness") else None
    shot("wizard_done.png", win)
    return 0


if __name__ == "__main__":
    sys.exit(main())
