"""Data files shipped with esplan (norms profiles, demo plans, fonts, translations, icons).

Installed as the package ``esplan_resources``; in a source checkout it is the top-level
``resources/`` folder. Use :func:`path` to locate a file.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """Absolute path of a shipped resource, e.g. ``path("norms", "cn_standard.json")``."""
    return ROOT.joinpath(*parts)
