"""Screenshots of the real program under Xvfb: the Andorra demo, plan run, main window in
Chinese and English → docs/screenshots/main_zh.png, main_en.png; the Shanting demo's data
completeness panel → completeness_zh.png, completeness_en.png; the Andorra demo with the valley
flood run, zoomed into the valley, the layer panel in front → layer_zh.png, layer_en.png; the
compare dialog (flood against the baseline: checks, then the maps side by side) →
compare_zh.png, compare_map_zh.png and the English ones.

    python scripts/screenshots.py          (starts Xvfb :99 itself when DISPLAY is not set)
    ESPLAN_SHOT_SIZE=1366x768 ESPLAN_SHOT_DIR=/tmp/shots python scripts/screenshots.py   (other sizes)
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("ESPLAN_SHOT_DIR", ROOT / "docs" / "screenshots"))


def ensure_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM", "xcb") == "xcb":
        return None
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is not installed (apt-get install xvfb)")
    proc = subprocess.Popen(["Xvfb", ":99", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    os.environ["DISPLAY"] = ":99"
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    return proc


def main() -> int:
    xvfb = ensure_display()
    try:
        sys.path.insert(0, str(ROOT))
        from PySide6.QtCore import QSettings

        from desktop.app import setup_application
        from desktop.mainwindow import MainWindow
        from desktop.settings import Settings
        from planner.demo import copy_demo_to
        from planner.engine.results import typed

        app = setup_application(language="zh_CN")
        tmp = Path(tempfile.mkdtemp(prefix="esplan-shots-"))
        plan = tmp / "示例-安道尔.esplan"
        copy_demo_to("andorra", plan)
        win = MainWindow(str(plan), settings=Settings(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)))
        width, height = (int(x) for x in os.environ.get("ESPLAN_SHOT_SIZE", "1600x960").split("x"))
        win.resize(width, height)
        win.show()

        def pump(seconds: float) -> None:
            end = time.time() + seconds
            while time.time() < end:
                app.processEvents()
                time.sleep(0.02)

        pump(0.8)
        win.finish_loading()
        win.canvas.fit()
        win.run_plan()
        while win.task is not None:
            pump(0.05)
        pump(0.3)
        # show a failing check's places (the served share) as a planner would
        check = typed(win.result).check("served_within_threshold")
        assert check is not None
        win.show_check(check)
        win.canvas.fit()
        OUT.mkdir(parents=True, exist_ok=True)
        for lang, name in (("zh_CN", "main_zh.png"), ("en", "main_en.png")):
            win.set_language(lang)
            pump(0.6)
            win.grab().save(str(OUT / name))
            print("wrote", OUT / name)
        # the data completeness panel on Shanting (a registry without coordinates, population or roads)
        plan2 = tmp / "示例-山亭区.esplan"
        copy_demo_to("shanting", plan2)
        win.open_location(str(plan2))
        win.finish_loading()
        pump(0.5)
        win.run_plan()
        while win.task is not None:
            pump(0.05)
        win.dock_completeness.raise_()
        pump(0.3)
        for lang, name in (("zh_CN", "completeness_zh.png"), ("en", "completeness_en.png")):
            win.set_language(lang)
            pump(0.6)
            win.grab().save(str(OUT / name))
            print("wrote", OUT / name)
        # the layer panel: the Andorra demo with the valley flood run (villages cut off by road)
        from PySide6.QtCore import Qt

        from planner.demo.andorra import add_valley_flood
        from planner.store import open_plan

        plan3 = tmp / "示例-安道尔-洪水.esplan"
        copy_demo_to("andorra", plan3)
        p3 = open_plan(plan3)
        add_valley_flood(p3)
        p3.dispose()
        win.open_location(str(plan3))
        win.finish_loading()
        pump(0.5)
        lst = win.scenarios.list
        lst.setCurrentItem(next(lst.item(i) for i in range(lst.count())
                                if lst.item(i).data(Qt.ItemDataRole.UserRole) == "洪水"))
        win.run_plan()
        while win.task is not None:
            pump(0.05)
        win.dock_layers.raise_()
        win.canvas.fit()
        win.canvas.zoom(0.3 / win.canvas.transform().m11())        # 0.3 px per metre: buildings drawn
        win.canvas.centerOn(win.canvas.proj.xy(1.5265, 42.5075))   # Escaldes-Engordany, in the flooded valley
        pump(0.3)
        for lang, name in (("zh_CN", "layer_zh.png"), ("en", "layer_en.png")):
            win.set_language(lang)
            pump(0.6)
            win.grab().save(str(OUT / name))
            print("wrote", OUT / name)
        # the compare dialog: the flood against the baseline, checks and the maps side by side
        for lang, name in (("zh_CN", "compare"), ("en", "compare")):
            win.set_language(lang)
            win._compare_dialog = None
            win.compare_scenarios()
            while win.task is not None or getattr(win, "_compare_dialog", None) is None:
                pump(0.05)
            dlg = win._compare_dialog
            dlg.resize(1100, 700)
            suffix = "zh" if lang == "zh_CN" else "en"
            pump(0.4)
            dlg.grab().save(str(OUT / f"{name}_{suffix}.png"))
            dlg.tabs.setCurrentIndex(1)
            pump(0.4)
            dlg.grab().save(str(OUT / f"{name}_map_{suffix}.png"))
            print("wrote", OUT / f"{name}_{suffix}.png", OUT / f"{name}_map_{suffix}.png")
            dlg.close()
        win.close()
        pump(0.2)
        del win
        app.quit()
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
    return 0


if __name__ == "__main__":
    code = main()
    os._exit(code)   # skip interpreter teardown of Qt objects
