"""Alembic migrations for the plan schema, run from code (no alembic.ini needed at run time).

Developers: after changing ``planner/models.py`` run
``python -m planner.migrations revision "what changed"`` and review the generated file;
``python -m planner.migrations check`` must report no pending changes (a test runs it).

Alembic (≈ 0.2 s of imports) loads only when a schema is written or checked: opening a plan that
is already at the newest revision reads the revision graph with :func:`revision_graph` (the
``revision`` / ``down_revision`` assignments of the files in ``versions/``, parsed, not run) —
the same answer as Alembic's ``ScriptDirectory`` (a test compares them); anything it cannot read
plainly (branches, merges, several heads, computed values) is left to Alembic.
"""
from __future__ import annotations

import ast
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

HERE = Path(__file__).resolve().parent
#: where the revisions are read from (tests point it at a temporary copy with an extra revision)
SCRIPT_LOCATION: Path = HERE


if TYPE_CHECKING:
    from alembic.config import Config


class MigrationFailed(Exception):
    """A schema upgrade failed and was rolled back: the plan is still at its old revision."""


def config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    # alembic's default stdout is bound at import time; give it its own buffer (it only says
    # "No new upgrade operations detected." and the like)
    cfg = Config(stdout=io.StringIO())
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.attributes["connection"] = connection
    return cfg


def revision_graph(location: Path | None = None) -> dict[str, str | None] | None:
    """revision → down_revision of every revision file in ``location/versions`` (default
    :data:`SCRIPT_LOCATION`), read without importing Alembic or the files; None when a file does
    not state both as plain strings (or None for the first), or the graph is not one straight
    line from one base to one head (then only Alembic can answer).

    Only a file's top-level one-line assignments to ``revision``, ``down_revision``,
    ``branch_labels`` and ``depends_on`` are parsed (parsing whole files twice took ≈ 9 ms of a cold
    ``check``); a name assigned twice or over several lines is left to Alembic. The answer is
    kept per directory while its files' names, sizes and modification times stay the same."""
    versions = Path(location or SCRIPT_LOCATION) / "versions"
    try:
        files = sorted(f for f in versions.glob("*.py") if f.name != "__init__.py")
        key = (str(versions), tuple((f.name, st.st_size, st.st_mtime_ns) for f in files
                                    for st in [f.stat()]))
    except OSError:
        return None
    if key not in _GRAPHS:
        _GRAPHS.clear()
        _GRAPHS[key] = _read_revision_graph(files)
    graph = _GRAPHS[key]
    return dict(graph) if graph is not None else None


_GRAPHS: dict[tuple, dict[str, str | None] | None] = {}
_ASSIGNMENT = re.compile(r"^(revision|down_revision|branch_labels|depends_on)\b.*$", re.MULTILINE)


def _read_revision_graph(files: list[Path]) -> dict[str, str | None] | None:
    graph: dict[str, str | None] = {}
    try:
        for f in files:
            found: dict[str, Any] = {}
            for m in _ASSIGNMENT.finditer(f.read_text(encoding="utf-8")):
                body = ast.parse(m.group(0)).body
                if not (len(body) == 1 and isinstance(node := body[0], ast.Assign) and len(node.targets) == 1
                        and isinstance(node.targets[0], ast.Name) and node.targets[0].id == m.group(1)
                        and m.group(1) not in found):
                    return None
                found[m.group(1)] = ast.literal_eval(node.value)
            rev, down = found.get("revision"), found.get("down_revision", ...)
            if (not isinstance(rev, str) or not (down is None or isinstance(down, str)) or rev in graph
                    or found.get("branch_labels") or found.get("depends_on")):
                return None
            graph[rev] = down
    except (OSError, SyntaxError, ValueError):
        return None
    downs = [d for d in graph.values()]
    if (not graph or downs.count(None) != 1 or len(set(downs)) != len(downs)
            or any(d is not None and d not in graph for d in downs)):
        return None
    return graph


def head_revision() -> str:
    """The newest revision this program knows."""
    graph = revision_graph()
    if graph is not None:
        heads = set(graph) - set(graph.values())
        if len(heads) == 1:
            return heads.pop()
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config()).get_current_head()  # type: ignore[return-value]


def known_revisions() -> set[str]:
    """Every revision this program knows (a plan at another one was made by a newer esplan)."""
    graph = revision_graph()
    if graph is not None:
        return set(graph)
    from alembic.script import ScriptDirectory

    return {r.revision for r in ScriptDirectory.from_config(config()).walk_revisions()}


def upgrade_head(engine: Engine) -> None:
    """Upgrade to the newest revision in one transaction, verified before it is committed.

    PostgreSQL's DDL is transactional as it is. SQLite's is too, but only when the driver leaves
    the transaction to us (Python's sqlite3 module commits before DDL on its own): the upgrade
    runs on its own connection in autocommit mode with an explicit ``BEGIN IMMEDIATE``, foreign
    keys off (batch mode recreates tables: a ``DROP TABLE`` with foreign keys on would cascade
    deletes into the child tables) and checked before the commit (``foreign_key_check``,
    ``quick_check``). Any failure rolls everything back: :class:`MigrationFailed`.
    """
    from alembic import command

    own = None
    if engine.dialect.name == "sqlite":
        own = create_engine(engine.url, poolclass=NullPool)
        event.listen(own, "connect", _sqlite_migration_connect)
        event.listen(own, "begin", lambda c: c.exec_driver_sql("BEGIN IMMEDIATE"))
    try:
        with (own or engine).begin() as conn:
            command.upgrade(config(conn), "head")
            _verify(conn)
    except MigrationFailed:
        raise
    except Exception as exc:
        raise MigrationFailed(str(exc).splitlines()[0]) from exc
    finally:
        if own is not None:
            own.dispose()


def _sqlite_migration_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None        # autocommit: BEGIN/COMMIT are ours
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=OFF")   # must be set outside a transaction
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _verify(conn: Connection) -> None:
    """Refuse to commit an upgrade that left the schema at the wrong revision or broken."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    head = ScriptDirectory.from_config(config()).get_current_head()
    got = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if got != head:
        raise MigrationFailed(f"the upgrade stopped at revision {got}, not {head}")
    if conn.dialect.name == "sqlite":
        bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if bad:
            raise MigrationFailed(f"the upgrade broke {len(bad)} reference(s), e.g. in table {bad[0][0]}")
        ok = conn.exec_driver_sql("PRAGMA quick_check").scalar()
        if ok != "ok":
            raise MigrationFailed(f"the upgraded file fails SQLite's check: {ok}")
    missing = schema_problems(conn)
    if missing:
        raise MigrationFailed("; ".join(missing))


def schema_problems(conn: Connection) -> list[str]:
    """What the models need and the database lacks: missing tables and columns (a damaged plan)."""
    from sqlalchemy import inspect

    from planner.models import Base

    insp = inspect(conn)
    tables = set(insp.get_table_names())
    out: list[str] = []
    for t in Base.metadata.sorted_tables:
        if t.name not in tables:
            out.append(f"table {t.name} is missing")
            continue
        have = {c["name"] for c in insp.get_columns(t.name)}
        out.extend(f"table {t.name}: column {c.name} is missing" for c in t.columns if c.name not in have)
    return out


def check(engine: Engine) -> None:
    """Raise ``alembic.util.exc.AutogenerateDiffsDetected`` if models and migrations differ."""
    from alembic import command

    with engine.begin() as conn:
        command.check(config(conn))


def drop_all(engine: Engine) -> None:
    from planner.models import Base

    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        if conn.dialect.name == "postgresql":   # the change-stamp triggers' function (0005)
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS esplan_roads_changed()")


def _main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile

    from alembic import command
    from sqlalchemy import create_engine

    ap = argparse.ArgumentParser(prog="python -m planner.migrations")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("revision", help="autogenerate a new revision from the models")
    r.add_argument("message")
    sub.add_parser("check", help="fail if the models differ from the migrations")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        eng = create_engine(f"sqlite:///{d}/x.db")
        upgrade_head(eng)
        with eng.begin() as conn:
            if a.cmd == "revision":
                command.revision(config(conn), message=a.message, autogenerate=True)
            else:
                command.check(config(conn))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
