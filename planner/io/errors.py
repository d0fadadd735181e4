"""Import problems that name the file, row and field."""
from __future__ import annotations

import json
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.text import catalogue, text as _t

log = logging.getLogger(__name__)

#: JSON decoder messages (Python's json module) → catalogue keys
_JSON_MSGS = (("Expecting value", "import.why.json.value"), ("Expecting ',' delimiter", "import.why.json.comma"),
              ("Expecting ':' delimiter", "import.why.json.colon"),
              ("Expecting property name", "import.why.json.name"), ("Unterminated string", "import.why.json.string"),
              ("Extra data", "import.why.json.extra"), ("Invalid control character", "import.why.json.control"),
              ("Invalid \\escape", "import.why.json.escape"))
#: GEOS validity reasons (shapely.is_valid_reason) → catalogue keys
_GEOS_REASONS = (("Ring Self-intersection", "import.why.geom.ring_self_intersection"),
                 ("Self-intersection", "import.why.geom.self_intersection"),
                 ("Too few points", "import.why.geom.too_few_points"),
                 ("Hole lies outside shell", "import.why.geom.hole_outside"),
                 ("Holes are nested", "import.why.geom.holes_nested"),
                 ("Interior is disconnected", "import.why.geom.disconnected"),
                 ("Nested shells", "import.why.geom.nested_shells"),
                 ("Duplicate Rings", "import.why.geom.duplicate_rings"),
                 ("Invalid Coordinate", "import.why.geom.bad_coordinate"),
                 ("Ring is not closed", "import.why.geom.not_closed"))
#: database constraint messages (SQLite's and PostgreSQL's wording) → catalogue keys
_DB_MSGS = ((("UNIQUE constraint failed", "duplicate key value"), "import.why.db.unique"),
            (("NOT NULL constraint failed", "violates not-null"), "import.why.db.not_null"),
            (("FOREIGN KEY constraint failed", "violates foreign key"), "import.why.db.foreign_key"),
            (("CHECK constraint failed", "violates check constraint"), "import.why.db.check"))


def explain(exc: BaseException | str) -> str:
    """What a library's error means, in the language in force: the JSON decoder's, the file
    system's, openpyxl's (a damaged workbook), the XML parser's, the database's constraints,
    GEOS's validity reasons; the library's own words follow in brackets only where they add a
    detail (a name, a position) the text cannot carry, and the whole message goes to the log."""
    raw = (str(exc) or type(exc).__name__) if isinstance(exc, BaseException) else str(exc)
    first = raw.splitlines()[0][:300] if raw else ""
    log.info("library error explained to the user: %s: %s", type(exc).__name__, first)
    if isinstance(exc, str):
        return _geometry_reason(exc)
    if isinstance(exc, json.JSONDecodeError):
        return _t("import.why.json", line=exc.lineno, column=exc.colno, what=json_message(exc.msg))
    if isinstance(exc, UnicodeDecodeError):
        return _t("import.why.encoding", encoding=exc.encoding, pos=exc.start + 1)
    if isinstance(exc, FileNotFoundError):
        return _t("import.why.not_found")
    if isinstance(exc, IsADirectoryError):
        return _t("import.why.is_dir")
    if isinstance(exc, PermissionError):
        return _t("import.why.permission")
    if isinstance(exc, zipfile.BadZipFile) or "zip file" in first.lower():
        return _t("import.why.bad_zip")
    name = type(exc).__name__
    if name == "ParseError" and hasattr(exc, "position"):      # xml.etree / defusedxml
        return _t("import.why.xml", line=exc.position[0])
    orig = getattr(exc, "orig", None)                          # SQLAlchemy wraps the driver's error
    db = str(orig or exc).splitlines()[0] if str(orig or exc) else ""
    for needles, key in _DB_MSGS:
        if any(n in db for n in needles):
            what = db.split(":", 1)[1].strip() if ":" in db and needles[0] in db else ""
            return _t(key, what=what or "—")
    if isinstance(exc, OSError):
        return _t("import.why.os", detail=exc.strerror or first)
    if name == "RuntimeError" and ("osmium" in type(exc).__module__ or "pbf" in first.lower()
                                   or "xml" in first.lower() or "osm" in first.lower()):
        return _t("import.why.osm", detail=first)
    return _t("import.why.other", detail=first)


def json_message(msg: str) -> str:
    """The JSON decoder's message (e.g. "Expecting ',' delimiter") in the language in force."""
    for needle, key in _JSON_MSGS:
        if msg.startswith(needle):
            return _t(key)
    return msg


def _geometry_reason(reason: str) -> str:
    """A GEOS validity reason ("Self-intersection[117.4 35.2]") in the language in force."""
    at = re.search(r"\[([-\d.eE+]+)\s+([-\d.eE+]+)\]", reason)
    where = _t("import.why.geom.at", x=f"{float(at.group(1)):.6f}", y=f"{float(at.group(2)):.6f}") if at else ""
    for needle, key in _GEOS_REASONS:
        if reason.startswith(needle):
            return _t(key) + where
    return _t("import.why.other", detail=reason)


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
