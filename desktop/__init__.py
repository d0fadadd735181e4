"""The PySide6 desktop program (``esplan``). The Qt-free core is :mod:`planner`."""
from __future__ import annotations

import sys


def _guard_none_refcount() -> None:
    """Work around shiboken6 6.12 on Python < 3.12: every call of a C++ ``void`` method returns
    ``None`` without a new reference, so None's reference count falls by one per call until the
    interpreter aborts ("none_dealloc: deallocating None"). Python 3.12+ has an immortal None and
    is not affected. We give None a reference count it cannot exhaust."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    try:
        import ctypes

        import shiboken6

        if not str(getattr(shiboken6, "__version__", "")).startswith("6.12"):
            return
        ref = ctypes.c_ssize_t.from_address(id(None))
        if ref.value < (1 << 40):
            ref.value += 1 << 50
    except Exception:  # pragma: no cover - never fatal
        pass


_guard_none_refcount()
