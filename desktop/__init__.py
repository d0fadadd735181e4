"""The PySide6 desktop program (``esplan``). The Qt-free core is :mod:`planner`.

PySide6 6.12.0 is excluded in pyproject.toml: on Python < 3.12 its shiboken drops a reference to
``None`` on every call of a C++ ``void`` method, and the interpreter aborts after a few thousand
calls ("none_dealloc: deallocating None"). tests/test_gui_smoke.py guards against it coming back.
"""
