"""esplan core: data model, storage, import/export, planning engine, report, CLI.

This package never imports Qt (checked by import-linter and tests/test_architecture.py).
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("esplan")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+src"
