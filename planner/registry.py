"""The plan's registers (sites, stock, demand units, supply items …) as plain rows, and the
edits a user makes to them — the service the GUI reads and writes through.

Rows are dicts of column values with enums as their string values; entities are named by their
table name (``"site"``, ``"stock_lot"``, ``"demand_unit"``, ``"supply_item"`` …). Every write is
one audited transaction of :class:`planner.store.Plan`; updates carry the version the user read
(optimistic locking: :class:`planner.store.EditConflict` when somebody saved first). A delete
returns what :func:`restore` needs to put the row — and a site's stock lots, a scenario's
hazard zones — back with the same ids (undo).

Nothing outside ``planner`` needs :mod:`planner.models`: callers pass and receive plain values.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, Enum as SAEnum, select
from sqlalchemy.exc import IntegrityError

from planner import models as m
from planner.store import EditConflict, PlanError

#: the entities a caller may name (table name → model)
ENTITIES: dict[str, type[m.Base]] = {cls.__tablename__: cls for cls in (
    m.PlanInfo, m.AdminUnit, m.Boundary, m.Site, m.SupplyItem, m.StockLot, m.DemandUnit, m.RoadNode,
    m.RoadEdge, m.CandidateSite, m.Scenario, m.HazardZone)}

#: children that go and come back with their parent (delete + undo)
_CHILDREN: dict[str, tuple[str, str]] = {"site": ("stock_lot", "site_id"), "scenario": ("hazard_zone", "scenario_id")}


def _model(entity: str) -> type[m.Base]:
    try:
        return ENTITIES[entity]
    except KeyError:
        raise ValueError(f"unknown entity {entity!r} (have: {', '.join(sorted(ENTITIES))})") from None


def columns(entity: str) -> list[str]:
    return [c.key for c in _model(entity).__table__.columns]


def choices(entity: str, column: str) -> tuple[str, ...]:
    """The allowed values of an enumerated column (e.g. ``choices("site", "kind")``)."""
    t = _model(entity).__table__.columns[column].type
    if not isinstance(t, SAEnum) or t.enum_class is None:
        raise ValueError(f"{entity}.{column} is not an enumerated column")
    return tuple(e.value for e in t.enum_class)


def coerce(entity: str, key: str, value: Any) -> Any:
    """A plain value (string of an enum, ISO date, "" for empty) as the column stores it."""
    if value is None or value == "":
        return None
    col = _model(entity).__table__.columns.get(key)
    if col is None:
        return value
    t = col.type
    if isinstance(t, SAEnum) and t.enum_class is not None and not isinstance(value, enum.Enum):
        return t.enum_class(value)
    if isinstance(t, Date) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def normalize(entity: str, key: str, value: Any) -> Any:
    """A typed-in value as :func:`read` would return it once stored (coerced, enums as strings):
    what to compare with the row the user read."""
    return _plain(coerce(entity, key, value))


def _plain(v: Any) -> Any:
    return v.value if isinstance(v, enum.Enum) else v


def _row(obj: Any, keys: Sequence[str]) -> dict[str, Any]:
    return {k: _plain(getattr(obj, k)) for k in keys}


# -- reading -------------------------------------------------------------------------------------
def read(plan: Any, entity: str, keys: Sequence[str] | None = None, *, order_by: Sequence[str] = ("id",),
         where: dict[str, Collection[Any]] | None = None) -> list[dict[str, Any]]:
    """Rows of one entity (``keys``: the columns wanted, all by default; ``where``: column → allowed
    values)."""
    cls = _model(entity)
    keys = list(keys) if keys is not None else columns(entity)
    # plain columns only: select just them (no row objects, no decoding of unread columns)
    plain = all(k in cls.__table__.columns for k in keys)
    q = select(*(getattr(cls, k) for k in keys)) if plain else select(cls)
    q = q.order_by(*(getattr(cls, k) for k in order_by))
    for k, vals in (where or {}).items():
        q = q.where(getattr(cls, k).in_(list(vals)))
    with plan.session() as s:
        if plain:
            return [{k: _plain(v) for k, v in zip(keys, r, strict=True)} for r in s.execute(q)]
        return [_row(o, keys) for o in s.scalars(q)]


def read_one(plan: Any, entity: str, pk: int, keys: Sequence[str] | None = None) -> dict[str, Any] | None:
    cls = _model(entity)
    with plan.session() as s:
        o = s.get(cls, pk)
        return _row(o, list(keys) if keys is not None else columns(entity)) if o is not None else None


def values(plan: Any, entity: str, *keys: str, order_by: Sequence[str] = ("id",)) -> list[tuple[Any, ...]]:
    """Plain tuples of a few columns (cheap: no row objects), e.g. road geometry for the map."""
    cls = _model(entity)
    with plan.session() as s:
        return [tuple(_plain(v) for v in r) for r in s.execute(
            select(*(getattr(cls, k) for k in keys)).order_by(*(getattr(cls, k) for k in order_by)))]


# -- writing -------------------------------------------------------------------------------------
def update(plan: Any, entity: str, pk: int, changes: dict[str, Any], *, expected_version: int | None = None,
           user: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """Change one row the user read at ``expected_version`` (None: the version now); returns the
    new row. :class:`EditConflict` when somebody changed or deleted it since."""
    cls = _model(entity)
    changes = {k: coerce(entity, k, v) for k, v in changes.items()}
    if expected_version is None:
        cur = read_one(plan, entity, pk, ["version"])
        if cur is None:
            raise EditConflict(entity, pk, changes, None)
        expected_version = cur["version"]
    try:
        return {k: _plain(v) for k, v in plan.update(cls, pk, changes, expected_version=expected_version,
                                                     user=user, reason=reason).items()}
    except IntegrityError as exc:
        raise _refused(entity, exc) from exc


def _refused(entity: str, exc: IntegrityError) -> Exception:
    """The database's refusal of a duplicate stock-lot identity as a message for the user."""
    msg = str(exc.orig)
    if entity == "stock_lot" and ("uq_stock_lot" in msg or "stock_lot.site_id" in msg):
        return PlanError("this site already holds a lot of this item with this batch (an empty batch is the "
                         "site's one unbatched lot of the item): give the lot its own batch")
    return exc


def insert(plan: Any, entity: str, vals: dict[str, Any], *, user: str | None = None,
           reason: str | None = None) -> int:
    """Add one row; returns its id (``vals`` may carry ``id`` to re-create a row with its old id)."""
    cls = _model(entity)
    try:
        with plan.transaction(user, reason or f"add {entity}") as s:
            obj = cls(**{k: coerce(entity, k, v) for k, v in vals.items()})
            s.add(obj)
            s.flush()
            return int(obj.id)  # type: ignore[attr-defined]  # every entity has an integer id
    except IntegrityError as exc:
        raise _refused(entity, exc) from exc


@dataclass(frozen=True)
class Deleted:
    """A deleted row and its children, as :func:`restore` needs them."""

    entity: str
    row: dict[str, Any]
    children: tuple[tuple[str, dict[str, Any]], ...] = field(default=())


def delete(plan: Any, entity: str, pk: int, *, user: str | None = None, reason: str | None = None) -> Deleted:
    """Delete one row (a site with its stock lots, a scenario with its hazard zones)."""
    cls = _model(entity)
    with plan.transaction(user, reason or f"delete {entity} {pk}") as s:
        obj = s.get(cls, pk)
        if obj is None:
            raise EditConflict(entity, pk, None, None)
        row = {k: getattr(obj, k) for k in columns(entity)}
        kids: list[tuple[str, dict[str, Any]]] = []
        if entity in _CHILDREN:
            child, fk = _CHILDREN[entity]
            ccls = _model(child)
            for c in s.scalars(select(ccls).where(getattr(ccls, fk) == pk).order_by(ccls.id)):  # type: ignore[attr-defined]
                kids.append((child, {k: getattr(c, k) for k in columns(child)}))
        s.delete(obj)
    return Deleted(entity, row, tuple(kids))


def restore(plan: Any, deleted: Deleted, *, user: str | None = None, reason: str | None = None) -> int:
    """Put a deleted row (and its children) back with the same ids."""
    with plan.transaction(user, reason or f"restore {deleted.entity}") as s:
        s.add(_model(deleted.entity)(**deleted.row))
        s.flush()
        for child, vals in deleted.children:
            s.add(_model(child)(**vals))
    return int(deleted.row["id"])


# -- a whole import as one undoable step ----------------------------------------------------------
#: the entity a registry table import writes (kind of planner.io.tables → table name)
IMPORT_ENTITIES: dict[str, str] = {"sites": "site", "items": "supply_item", "stock": "stock_lot",
                                   "demand": "demand_unit", "towns": "admin_unit", "admin_units": "admin_unit"}
#: children before parents (deleting), parents before children (inserting)
_DELETE_ORDER = ("stock_lot", "demand_unit", "site", "supply_item", "admin_unit")


@dataclass
class TableChange:
    """What changed in one table between two snapshots: rows inserted (as they are now), rows
    updated (before, after), rows deleted (as they were). Values are the stored ones (enums,
    dates), so the rows can be put back exactly."""

    entity: str
    inserted: list[dict[str, Any]] = field(default_factory=list)
    updated: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)


def snapshot(plan: Any, entity: str) -> dict[int, dict[str, Any]]:
    """Every row of ``entity`` by id, with its stored values (for :func:`changes_between`)."""
    cls = _model(entity)
    keys = columns(entity)
    with plan.session() as s:
        return {int(o.id): {k: getattr(o, k) for k in keys}
                for o in s.scalars(select(cls))}


def changes_between(entity: str, before: dict[int, dict[str, Any]],
                    after: dict[int, dict[str, Any]]) -> TableChange:
    """The rows an operation (an import) inserted, updated and deleted, from snapshots before and after."""
    ch = TableChange(entity)
    for pk, row in after.items():
        old = before.get(pk)
        if old is None:
            ch.inserted.append(row)
        elif old != row:
            ch.updated.append((old, row))
    ch.deleted = [row for pk, row in before.items() if pk not in after]
    return ch


def _as_left(obj: Any, row: dict[str, Any], keys: Sequence[str]) -> bool:
    """The row still holds the values the change left (its version may have moved on: an undo of a
    later step on the stack sets the same values back with a new version)."""
    return obj is not None and all(getattr(obj, k) == row[k] for k in keys if k != "version")


def revert_changes(plan: Any, changes: Sequence[TableChange], *, user: str | None = None,
                   reason: str | None = None) -> list[TableChange]:
    """Undo ``changes`` in one audited transaction: delete the rows they inserted, set the updated
    rows back, re-create the deleted ones with their ids. A row somebody changed or deleted since
    (its values differ from what the change left) raises :class:`EditConflict` and nothing is
    written. Returns the changes this made — reverting those redoes the original."""
    by_entity = {c.entity: c for c in changes}
    order = [e for e in _DELETE_ORDER if e in by_entity] + [e for e in by_entity if e not in _DELETE_ORDER]
    out = {e: TableChange(e) for e in order}
    with plan.transaction(user, reason or "undo import") as s:
        for e in order:                           # children first
            cls, keys = _model(e), columns(e)
            for row in by_entity[e].inserted:
                obj = s.get(cls, row["id"])
                if not _as_left(obj, row, keys):
                    raise EditConflict(e, row["id"], None, None)
                out[e].deleted.append({k: getattr(obj, k) for k in keys})
                s.delete(obj)
        s.flush()
        for e in order:
            cls, keys = _model(e), columns(e)
            for old, new in by_entity[e].updated:
                obj = s.get(cls, new["id"])
                if not _as_left(obj, new, keys):
                    raise EditConflict(e, new["id"], None, None)
                for k, v in old.items():
                    if k not in ("id", "version"):
                        setattr(obj, k, v)
        s.flush()
        for e in reversed(order):                 # parents first
            cls = _model(e)
            for row in by_entity[e].deleted:
                s.add(cls(**row))
        s.flush()
        for e in order:
            cls, keys = _model(e), columns(e)
            for _old, new in by_entity[e].updated:
                obj = s.get(cls, new["id"])
                out[e].updated.append((new, {k: getattr(obj, k) for k in keys}))
            for row in by_entity[e].deleted:
                obj = s.get(cls, row["id"])
                out[e].inserted.append({k: getattr(obj, k) for k in keys})
    return [out[e] for e in order if out[e]]
