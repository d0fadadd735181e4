"""Frozen entry point of ``esplan-cli``; same as the ``esplan-cli`` console script of pyproject.toml.

``esplan-cli --self-test`` (frozen builds only) checks that the bundled libraries and data files
work on this computer without touching any plan: the installation check for IT staff.
"""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if sys.argv[1:2] == ["--self-test"]:
        from esplan_selftest import main as selftest

        sys.exit(selftest(sys.argv[2:]))
    from planner.cli import main

    sys.exit(main())
