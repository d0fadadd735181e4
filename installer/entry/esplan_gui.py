"""Frozen entry point of ``esplan`` (the GUI); same as the ``esplan`` gui-script of pyproject.toml."""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from desktop.app import main

    sys.exit(main())
