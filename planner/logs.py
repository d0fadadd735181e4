"""Logging set-up, one place for both programs (no Qt here).

Modules log through ``logging.getLogger(__name__)``: a warning for what went wrong or was
skipped (a fallback taken, a row left out), info for the steps of long work, debug for detail.

* the desktop program writes a rotating log file in the user's data folder
  (``esplan.log``, 1 MB × 5; the Help menu opens it) — :func:`setup_file_logging`;
* ``esplan-cli`` writes warnings to stderr, ``-v`` info, ``-vv`` debug — :func:`setup_cli_logging`.
"""
from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_NAME = "esplan.log"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_OURS = ("planner", "desktop")


def _level(verbosity: int) -> int:
    return logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG


def _ours(level: int) -> None:
    for name in _OURS:
        logging.getLogger(name).setLevel(level)


class _Stderr(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is when a record arrives (not as it was at set-up), so a
    program or test that swaps stderr still gets our lines."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def setup_cli_logging(verbosity: int = 0) -> None:
    """Our messages on stderr: warnings, or more with ``-v``/``-vv`` (called once per process)."""
    root = logging.getLogger()
    if not any(getattr(h, "_esplan", False) for h in root.handlers):
        h = _Stderr()
        h.setFormatter(logging.Formatter("esplan-cli: %(levelname)s %(name)s: %(message)s"))
        h._esplan = True  # type: ignore[attr-defined]  # marks our handler (set up once)
        root.addHandler(h)
    _ours(_level(verbosity))


def current_log_file() -> Path | None:
    """The file :func:`setup_file_logging` writes to, if any."""
    for h in logging.getLogger().handlers:
        if getattr(h, "_esplan", False) and isinstance(h, logging.FileHandler):
            return Path(h.baseFilename)
    return None


def setup_file_logging(folder: Path, verbosity: int = 1) -> Path:
    """A rotating ``esplan.log`` in ``folder`` (created); returns the file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_esplan", False):
            root.removeHandler(h)
            h.close()
    fh = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    fh.setFormatter(logging.Formatter(FORMAT))
    fh._esplan = True  # type: ignore[attr-defined]
    root.addHandler(fh)
    _ours(_level(verbosity))
    logging.getLogger("planner").info("log started")
    return path
