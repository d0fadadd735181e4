"""Import problems that name the file, row and field."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.text import catalogue, text as _t


def kind_label(kind: str) -> str:
    """What was imported, in the language in force (``import.kind.<kind>``; English: the kind itself)."""
    key = f"import.kind.{kind.replace(' ', '_').replace('-', '_')}"
    return _t(key) if key in catalogue() else kind


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
            where += _t("import.where.row", row=self.row)
        if self.field:
            where += _t("import.where.field", field=self.field)
        val = "" if self.value in (None, "") else _t("import.where.value", value=repr(self.value))
        return _t("import.where.problem", where=where, message=self.message, value=val)


class ImportFailed(Exception):
    """The import was refused; nothing was written. ``problems`` lists every bad row/field."""

    def __init__(self, problems: list[ImportProblem], *, limit: int = 50):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:limit])
        more = len(self.problems) - limit
        tail = "\n" + _t("import.refused.more", n=more) if more > 0 else ""
        head = (_t("import.refused.one") if len(self.problems) == 1
                else _t("import.refused.many", n=len(self.problems)))
        super().__init__(f"{head}\n{shown}{tail}")


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
        s = _t("import.report", file=Path(self.file).name, kind=kind_label(self.kind), inserted=self.inserted,
               updated=self.updated, skipped=self.skipped, seconds=f"{self.seconds:.2f}")
        if self.stats:
            s += _t("import.report.stats", stats=", ".join(f"{k}={v:g}" for k, v in self.stats.items()))
        return s + "".join("\n  " + _t("import.report.note", note=n) for n in self.notes)


def plan_problem(plan: Any, exc: BaseException) -> ImportProblem:
    """A database failure that is no row's fault, named as the plan's: locked, read-only, disk
    full (SQLite's and PostgreSQL's wording), or another database error."""
    msg = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    low = msg.lower()
    if "locked" in low or "busy" in low or "lock timeout" in low:
        why = _t("import.plan.locked")
    elif "readonly" in low or "read-only" in low or "read only" in low or "permission denied" in low:
        why = _t("import.plan.read_only")
    elif ("disk" in low and "full" in low) or "no space" in low:
        why = _t("import.plan.disk_full")
    else:
        why = _t("import.plan.database_error")
    where = getattr(plan, "display_location", None) or str(plan)
    return ImportProblem(where, None, None, _t("import.plan.not_written", why=why, msg=msg))
