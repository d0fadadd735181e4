"""Opening, creating and migrating plans; transactions; audit; edit conflicts.

A plan is addressed by a *location*: a filesystem path (an SQLite plan file, by convention
``*.esplan``) or a SQLAlchemy URL (``postgresql+psycopg://user@host/db`` for a shared plan).

    plan = create_plan("district.esplan", name="山亭区 2026")
    with plan.transaction(user="张三", reason="导入仓库清单") as s:
        s.add(Site(...))

Every operation uses one short session. Changes to audited tables write an :class:`AuditLog`
row (who, when, before, after, why) in the same transaction. Updates carry the row's version;
if somebody else saved the row first, :class:`EditConflict` is raised with both sides' values.
"""
from __future__ import annotations

import datetime as dt
import enum
import getpass
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import create_engine, event, func, inspect, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import InstanceState, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from planner import models as m
from planner.norms import shipped_profiles

PLAN_SUFFIX = ".esplan"


class PlanError(Exception):
    """A plan cannot be opened, created or used (message is for the user)."""


class EditConflict(PlanError):
    """Somebody else changed the row since it was read (optimistic locking)."""

    def __init__(self, entity: str, entity_id: Any, mine: dict[str, Any] | None,
                 theirs: dict[str, Any] | None):
        self.entity, self.entity_id, self.mine, self.theirs = entity, entity_id, mine, theirs
        if theirs is None:
            msg = f"{entity} #{entity_id} was deleted by another user since you opened it."
        else:
            diff = {k: (mine.get(k) if mine else None, v) for k, v in theirs.items()
                    if mine is None or mine.get(k) != v}
            diff.pop("version", None)
            parts = ", ".join(f"{k}: yours={a!r}, theirs={b!r}" for k, (a, b) in diff.items())
            msg = (f"{entity} #{entity_id} was changed by another user since you opened it "
                   f"(now version {theirs.get('version')}). {parts}")
        super().__init__(msg)


def default_user() -> str:
    try:
        return os.environ.get("ESPLAN_USER") or getpass.getuser()
    except (ImportError, KeyError, OSError):  # pragma: no cover - no user database (some containers)
        # getpass.getuser(): KeyError from pwd.getpwuid (3.11), OSError (3.13+), ImportError without pwd
        return "unknown"


def is_url(location: str | os.PathLike[str]) -> bool:
    return "://" in str(location)


def _url_for(location: str | os.PathLike[str]) -> str:
    if is_url(location):
        return str(location)
    return "sqlite:///" + str(Path(location).expanduser().resolve())


def row_dict(obj: Any) -> dict[str, Any]:
    """Column values of an ORM row as JSON-friendly values (for audit and conflicts)."""
    out: dict[str, Any] = {}
    for col in obj.__table__.columns:
        out[col.key] = _jsonable(getattr(obj, col.key, None))
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, bytes):
        return None
    if hasattr(v, "wkt"):  # shapely geometry
        return v.wkt if len(v.wkt) < 4000 else f"<{v.geom_type}, {len(v.wkt)} chars WKT>"
    return v


class Plan:
    """A handle on one plan database. Cheap to keep; sessions are short-lived."""

    def __init__(self, location: str | os.PathLike[str], *, echo: bool = False, readonly: bool = False):
        self.location = str(location)
        self.url = _url_for(location)
        self.is_sqlite = make_url(self.url).get_backend_name() == "sqlite"
        self.readonly = readonly and self.is_sqlite
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if not self.is_sqlite:
            kwargs["pool_pre_ping"] = True
        if self.readonly:
            # SQLite's read-only mode: nothing is written, not even the journal mode; in a folder
            # nobody may write to (no -wal/-shm can be made) the file is read as immutable
            p = Path(location).expanduser().resolve()
            wal = Path(str(p) + "-wal")
            # immutable only where no -wal/-shm can be made and no write-ahead log holds edits
            # (an immutable read ignores the log)
            folder_ro = not os.access(p.parent, os.W_OK)
            flag = "immutable=1" if folder_ro and not (wal.exists() and wal.stat().st_size) else "mode=ro"
            kwargs["creator"] = lambda: sqlite3.connect(f"file:{p}?{flag}", uri=True,
                                                        check_same_thread=False)
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_readonly_pragmas if self.readonly else _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Plan({self.display_location!r})"

    @property
    def display_location(self) -> str:
        """The location without any password."""
        if self.is_sqlite:
            return self.location
        return make_url(self.url).render_as_string(hide_password=True)

    # -- sessions -----------------------------------------------------------------------------
    def session(self) -> Session:
        """A plain session (read, or manage the transaction yourself)."""
        return self._sessions()

    @contextmanager
    def transaction(self, user: str | None = None, reason: str | None = None) -> Iterator[Session]:
        """One unit of work: commit on success, roll back everything on any error."""
        s = self._sessions()
        s.info["user"] = user or default_user()
        s.info["reason"] = reason
        try:
            yield s
            s.commit()
        except StaleDataError as exc:
            s.rollback()
            raise self._conflict_from(s, exc) from exc
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def update(self, cls: type[m.Base], pk: Any, changes: dict[str, Any], *, expected_version: int,
               user: str | None = None, reason: str | None = None) -> dict[str, Any]:
        """Apply ``changes`` to one row the user read at ``expected_version``.

        Raises :class:`EditConflict` (with the other side's current values) when the row was
        changed or deleted since; returns the row's new values otherwise. This is how the GUI
        and the CLI save an edit.
        """
        with self.transaction(user=user, reason=reason) as s:
            obj = s.get(cls, pk)
            if obj is None or cast(m.Versioned, obj).version != expected_version:  # a Versioned model
                theirs = row_dict(obj) if obj is not None else None
                mine = {**(theirs or {}), **{k: _jsonable(v) for k, v in changes.items()}}
                raise EditConflict(cls.__tablename__, pk, mine, theirs)
            for key, val in changes.items():
                if key in ("id", "version") or not hasattr(cls, key):
                    raise PlanError(f"{cls.__tablename__} has no editable field {key!r}")
                setattr(obj, key, val)
            s.flush()
            return row_dict(obj)

    def _conflict_from(self, s: Session, exc: StaleDataError) -> EditConflict:
        pending = s.info.get("_last_updates", [])
        for cls, pk, mine in pending:
            with self._sessions() as fresh:
                cur = fresh.get(cls, pk)
                theirs = row_dict(cur) if cur is not None else None
                if theirs is None or theirs.get("version") != mine.get("_read_version"):
                    mine = {k: v for k, v in mine.items() if k != "_read_version"}
                    return EditConflict(cls.__tablename__, pk, mine, theirs)
        return EditConflict("row", None, None, {"version": None})

    def dispose(self) -> None:
        self.engine.dispose()

    def backup_to(self, path: str | os.PathLike[str]) -> Path:
        """A consistent copy of a SQLite plan file, edits still in the write-ahead log included
        (SQLite's online backup; the plan stays open). A PostgreSQL plan is backed up by the
        server's own tools: :class:`PlanError`."""
        if not self.is_sqlite:
            raise PlanError("a shared PostgreSQL plan is backed up with the database server's own tools")
        dest = Path(path).expanduser()
        if dest.resolve() == Path(self.location).expanduser().resolve():
            raise PlanError(f"cannot back up {dest} onto itself")
        tmp = dest.with_name(dest.name + ".part")
        tmp.unlink(missing_ok=True)
        raw = self.engine.raw_connection()
        try:
            target = sqlite3.connect(str(tmp))
            try:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]  # sqlite3 connection
            finally:
                target.close()
        finally:
            raw.close()
        os.replace(tmp, dest)   # never a half-written copy under the final name
        return dest

    # -- schema -------------------------------------------------------------------------------
    def schema_revision(self) -> str | None:
        with self.engine.connect() as c:
            if not inspect(c).has_table("alembic_version"):
                return None
            return c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def upgrade(self) -> None:
        """Bring the schema to the current revision (Alembic ``upgrade head``)."""
        from planner.migrations import upgrade_head  # Alembic loads only when a schema is written

        upgrade_head(self.engine)

    def info(self) -> m.PlanInfo | None:
        with self.session() as s:
            return s.scalars(select(m.PlanInfo).limit(1)).first()

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables (for ``esplan-cli info`` and tests)."""
        tables = {
            "admin_units": m.AdminUnit, "demand_units": m.DemandUnit, "sites": m.Site,
            "supply_items": m.SupplyItem, "stock_lots": m.StockLot, "road_nodes": m.RoadNode,
            "road_edges": m.RoadEdge, "candidate_sites": m.CandidateSite, "scenarios": m.Scenario,
            "hazard_zones": m.HazardZone, "norms_profiles": m.NormsProfile, "plan_runs": m.PlanRun,
            "audit_log": m.AuditLog, "boundaries": m.Boundary,
        }
        with self.session() as s:
            return {k: s.scalar(select(func.count()).select_from(t)) or 0 for k, t in tables.items()}


def _sqlite_readonly_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


# -- audit & conflict bookkeeping ---------------------------------------------------------------
@event.listens_for(Session, "before_flush")
def _audit_before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    user = session.info.get("user") or default_user()
    reason = session.info.get("reason")
    entries: list[m.AuditLog] = []
    updates = session.info.setdefault("_last_updates", [])
    for obj in list(session.dirty):
        if not isinstance(obj, m.AUDITED) or not session.is_modified(obj, include_collections=False):
            continue
        state = cast("InstanceState[Any]", inspect(obj))  # a mapped instance: its InstanceState
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for attr in state.mapper.column_attrs:
            hist = state.attrs[attr.key].history
            if hist.has_changes():
                old = hist.deleted[0] if hist.deleted else None
                before[attr.key] = _jsonable(old)
                after[attr.key] = _jsonable(getattr(obj, attr.key))
        before.pop("version", None)
        after.pop("version", None)
        if not after:
            continue
        read_version = state.committed_state.get("version", obj.version)
        updates.append((type(obj), state.identity[0] if state.identity else None,
                        {**row_dict(obj), "_read_version": read_version}))
        entries.append(m.AuditLog(user=user, entity=obj.__tablename__, entity_id=obj.id,
                                  entity_code=getattr(obj, "code", None), action="update",
                                  before=before, after=after, reason=reason))
    for obj in list(session.deleted):
        if isinstance(obj, m.AUDITED):
            entries.append(m.AuditLog(user=user, entity=obj.__tablename__, entity_id=obj.id,
                                      entity_code=getattr(obj, "code", None), action="delete",
                                      before=row_dict(obj), after=None, reason=reason))
    session.info.setdefault("_pending_inserts", []).extend(
        o for o in session.new if isinstance(o, m.AUDITED))
    for e in entries:
        session.add(e)


@event.listens_for(Session, "after_flush")
def _audit_after_flush(session: Session, _ctx: Any) -> None:
    # inserts get their ids only after the flush: write their audit rows now
    new = session.info.pop("_pending_inserts", [])
    if not new:
        return
    user = session.info.get("user") or default_user()
    reason = session.info.get("reason")
    rows = [{"at": dt.datetime.now(dt.UTC).replace(tzinfo=None), "user": user,
             "entity": o.__tablename__, "entity_id": o.id, "entity_code": getattr(o, "code", None),
             "action": "insert", "before": None, "after": row_dict(o), "reason": reason}
            for o in new if o.id is not None]
    if rows:
        session.connection().execute(m.table_of(m.AuditLog).insert(), rows)


@event.listens_for(Session, "after_commit")
def _clear_bookkeeping(session: Session) -> None:
    session.info.pop("_last_updates", None)
    session.info.pop("_pending_inserts", None)


# -- opening and creating -----------------------------------------------------------------------
def create_plan(location: str | os.PathLike[str], *, name: str, district_name: str | None = None,
                district_code: str | None = None, overwrite: bool = False,
                with_default_profiles: bool = True, user: str | None = None, country: str = "CN") -> Plan:
    """Create a new, empty plan (schema at the current revision, default norms profiles).

    ``country`` (ISO 3166-1 alpha-2, kept in the plan info's ``extra``) decides which
    administrative codes the importers accept: a Chinese plan's are 统计用区划代码 (6, 9 or 12
    digits); another country's are its own (Andorra's parishes: AD02 …)."""
    country = (country or "CN").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise PlanError(f"country must be a two-letter ISO 3166 code (CN, AD …), not {country!r}")
    if not is_url(location):
        p = Path(location).expanduser()
        if p.exists():
            if not overwrite:
                raise PlanError(f"{p} already exists (use overwrite to replace it)")
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(p) + suffix).unlink(missing_ok=True)
        p.parent.mkdir(parents=True, exist_ok=True)
    plan = Plan(location)
    if plan.schema_revision() is not None:
        if not overwrite:
            raise PlanError(f"{plan.display_location} already holds a plan")
        from planner.migrations import drop_all

        drop_all(plan.engine)
    plan.upgrade()
    with plan.transaction(user=user, reason="create plan") as s:
        s.add(m.PlanInfo(name=name, district_name=district_name, district_code=district_code,
                         extra={} if country == "CN" else {"country": country}))
        if with_default_profiles:
            for prof in shipped_profiles():
                s.add(m.NormsProfile(name=prof["name"], kind=prof["name"], data=prof))
    return plan


SQLITE_HEADER = b"SQLite format 3\x00"


def _check_plan_file(p: Path) -> None:
    """Refuse a file that is not an SQLite database before anything connects to it (connecting
    would write: an empty file would become an empty database)."""
    try:
        with p.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise PlanError(f"cannot read {p}: {exc.strerror or exc}") from exc
    if head != SQLITE_HEADER:
        what = "an empty file" if p.stat().st_size == 0 else "not an SQLite database"
        raise PlanError(f"{p} is not an esplan plan ({what}); nothing was written to it")


def open_plan(location: str | os.PathLike[str], *, upgrade: bool = True, readonly: bool | None = None) -> Plan:
    """Open an existing plan; older schemas are upgraded (a SQLite file is backed up first).

    ``readonly``: open an SQLite plan without writing anything (None: when the file or its folder
    cannot be written). Refused with :class:`PlanError` (a message for the user): a file that
    is not an esplan plan (also an empty one: never written to), a plan made by a newer esplan
    (an unknown schema revision), a damaged plan (tables or columns missing), a failed upgrade
    (rolled back: the plan stays at its old revision, the backup beside it)."""
    sqlite_path: Path | None = None
    if not is_url(location):
        sqlite_path = Path(location).expanduser()
        if not sqlite_path.exists():
            raise PlanError(f"plan file not found: {location}")
        _check_plan_file(sqlite_path)
        if readonly is None:
            readonly = not os.access(sqlite_path, os.W_OK) or not os.access(sqlite_path.parent, os.W_OK)
    plan = Plan(location, readonly=bool(readonly))
    try:
        rev = plan.schema_revision()
    except Exception as exc:  # not a database, locked, unreachable server …
        plan.dispose()
        raise PlanError(f"cannot open {plan.display_location}: {_first_line(exc)}") from exc
    if rev is None:
        plan.dispose()
        raise PlanError(f"{plan.display_location} is not an esplan plan (no schema revision)")
    from planner.migrations import MigrationFailed, head_revision, known_revisions, schema_problems

    head = head_revision()
    if rev not in known_revisions():
        plan.dispose()
        raise PlanError(f"{plan.display_location} was made by a newer esplan (schema revision {rev}; this "
                        f"esplan knows revisions up to {head}): update esplan to open it")
    if rev != head:
        if not upgrade or plan.readonly:
            plan.dispose()
            why = "it is read-only" if plan.readonly else "upgrading was not allowed"
            raise PlanError(f"{plan.display_location} has schema {rev}; this program needs {head} and "
                            f"cannot upgrade it: {why}")
        backup = None
        if sqlite_path is not None:   # a consistent copy, the write-ahead log's edits included
            backup = plan.backup_to(sqlite_path.with_name(sqlite_path.name + f".bak-{rev}"))
        try:
            plan.upgrade()
        except MigrationFailed as exc:
            plan.dispose()
            kept = f"; a copy from before is at {backup}" if backup else ""
            raise PlanError(f"could not upgrade {plan.display_location} from schema {rev} to {head}: {exc}. "
                            f"The upgrade was rolled back, the plan is unchanged at schema {rev}{kept}") from exc
    with plan.engine.connect() as c:
        damage = schema_problems(c)
    if damage:
        plan.dispose()
        raise PlanError(f"damaged plan {plan.display_location}: {'; '.join(damage)}. Restore it from a backup")
    return plan


def _first_line(exc: BaseException) -> str:
    msg = str(getattr(exc, "orig", None) or exc)
    return msg.splitlines()[0] if msg else type(exc).__name__
