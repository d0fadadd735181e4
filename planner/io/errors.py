"""Import problems that name the file, row and field."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ImportProblem:
    file: str
    row: int | None      # 1-based data row as the user sees it (header = row 1 in CSV/XLSX), or None
    field: str | None    # column / property name, or None for file-level problems
    message: str
    value: object = None

    def __str__(self) -> str:
        where = Path(self.file).name
        if self.row is not None:
            where += f" row {self.row}"
        if self.field:
            where += f" field '{self.field}'"
        val = "" if self.value in (None, "") else f" (value: {self.value!r})"
        return f"{where}: {self.message}{val}"


class ImportFailed(Exception):
    """The import was refused; nothing was written. ``problems`` lists every bad row/field."""

    def __init__(self, problems: list[ImportProblem], *, limit: int = 50):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:limit])
        more = len(self.problems) - limit
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(f"import refused, nothing was written ({len(self.problems)} problem"
                         f"{'s' if len(self.problems) != 1 else ''}):\n{shown}{tail}")


@dataclass
class ImportReport:
    """What an import did (for the CLI, the GUI and the closing notes)."""

    file: str
    kind: str
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        s = (f"{Path(self.file).name}: {self.kind}: {self.inserted} inserted, {self.updated} updated, "
             f"{self.skipped} skipped in {self.seconds:.2f} s")
        if self.stats:
            s += " (" + ", ".join(f"{k}={v:g}" for k, v in self.stats.items()) + ")"
        return s + "".join(f"\n  note: {n}" for n in self.notes)


def plan_problem(plan: Any, exc: BaseException) -> ImportProblem:
    """A database failure that is no row's fault, named as the plan's: locked, read-only, disk
    full (SQLite's and PostgreSQL's wording), or another database error."""
    msg = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    low = msg.lower()
    if "locked" in low or "busy" in low or "lock timeout" in low:
        why = "the plan is locked by another program or user; try again when it is free"
    elif "readonly" in low or "read-only" in low or "read only" in low or "permission denied" in low:
        why = "the plan is read-only (file, folder or database permissions)"
    elif ("disk" in low and "full" in low) or "no space" in low:
        why = "the disk is full"
    else:
        why = "database error"
    where = getattr(plan, "display_location", None) or str(plan)
    return ImportProblem(where, None, None, f"the plan could not be written: {why}; nothing was imported ({msg})")
