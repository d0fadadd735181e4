"""``esplan``: the desktop program.

On first start with no plan it opens the Andorra demo plan, copied to the user's data folder,
so a new user sees a working plan at once. ``esplan PLAN`` opens a plan file or a PostgreSQL URL.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from planner.logs import setup_file_logging


def user_data_dir() -> Path:
    loc = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(loc or Path.home() / ".esplan")


def _qt_messages(mode: QtMsgType, context: Any, message: str) -> None:
    """Qt's own warnings go to our log, not lost on a console that Windows users never see."""
    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING}.get(mode, logging.ERROR)
    logging.getLogger("desktop.qt").log(level, "%s", message)


def _uncaught(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
    logging.getLogger("desktop").critical("uncaught exception", exc_info=(exc_type, exc, tb))
    sys.__excepthook__(exc_type, exc, tb)


def setup_logging(verbosity: int = 1) -> Path:
    """The rotating log file in the user's data folder (Help ▸ Open the log file)."""
    path = setup_file_logging(user_data_dir() / "logs", verbosity)
    qInstallMessageHandler(_qt_messages)
    sys.excepthook = _uncaught
    return path


def first_start_plan() -> Path:
    """The plan to open when none is given: the user's copy of the Andorra demo."""
    from planner.demo import copy_demo_to

    dest = user_data_dir() / "示例-安道尔.esplan"
    if not dest.exists():
        copy_demo_to("andorra", dest)
    return dest


def setup_application(argv: list[str] | None = None, language: str | None = None) -> QApplication:
    """The QApplication with names, the CJK font and the translator installed."""
    from desktop import i18n
    from desktop.settings import Settings

    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName("esplan")
    app.setOrganizationName("esplan")
    app.setApplicationDisplayName("esplan")
    i18n.register_cjk_font()
    i18n.install_language(language or Settings().language or None)
    return app


def MainWindow(plan_location=None, **kwargs):  # noqa: N802 - kept as the old entry name
    from desktop.mainwindow import MainWindow as _MainWindow

    return _MainWindow(plan_location, **kwargs)


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # frozen builds: a worker process must not re-run the program
    ap = argparse.ArgumentParser(prog="esplan")
    ap.add_argument("plan", nargs="?", help="plan file (*.esplan) or PostgreSQL URL")
    ap.add_argument("--lang", choices=["zh_CN", "en"], help="user-interface language")
    ap.add_argument("-v", "--verbose", action="count", default=1,
                    help="debug detail in the log file")
    ap.add_argument("--quit-after", type=float, help=argparse.SUPPRESS)  # smoke tests
    args, qt_args = ap.parse_known_args(argv if argv is not None else sys.argv[1:])
    app = setup_application([sys.argv[0], *qt_args], args.lang)
    setup_logging(args.verbose)
    from desktop.mainwindow import MainWindow as _MainWindow

    plan = args.plan if args.plan else str(first_start_plan())
    win = _MainWindow(plan)
    win.show()
    if args.quit_after:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
