"""Undoable edits of the plan: QUndoCommands whose redo/undo call the store.

A command changes the *plan* only (through :meth:`planner.store.Plan.update` with the version the
user read, or one ``plan.transaction``); the store writes the audit rows. After each change the
:class:`Editor` emits ``changed(table, pk)`` and the views refresh themselves from the plan.

The first application happens *before* the command is pushed (so a refused edit — a conflict, a
constraint — never enters the stack); ``redo`` skips that first call, as Qt calls it on push.
"""
from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlalchemy import Date, Enum as SAEnum

from planner import models as m
from planner.scenario import store as scenario_store
from planner.store import EditConflict, PlanError

log = logging.getLogger(__name__)


def columns(cls: type) -> list[str]:
    return [c.key for c in cls.__table__.columns]


def raw_row(obj: Any) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in columns(type(obj))}


def coerce(cls: type, key: str, value: Any) -> Any:
    """A value as the ORM wants it (enum member, date) from a plain/JSON value."""
    if value is None or value == "":
        return None
    col = cls.__table__.columns.get(key)
    if col is None:
        return value
    t = col.type
    if isinstance(t, SAEnum) and t.enum_class is not None and not isinstance(value, enum.Enum):
        return t.enum_class(value)
    if isinstance(t, Date) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


class Editor(QObject):
    """Owns the undo stack of one open plan and applies every edit through it."""

    changed = Signal(str, int)        # table name, primary key (0 = many rows)
    conflict = Signal(object)         # EditConflict
    failed = Signal(str)              # a refused edit (constraint …), message for the user

    def __init__(self, plan: Any, parent: QObject | None = None):
        super().__init__(parent)
        self.plan = plan
        self.stack = QUndoStack(self)

    # -- public API -------------------------------------------------------------------------
    def update(self, cls: type, pk: int, changes: dict[str, Any], *, expected_version: int | None = None,
               text: str | None = None) -> bool:
        changes = {k: coerce(cls, k, v) for k, v in changes.items()}
        with self.plan.session() as s:
            obj = s.get(cls, pk)
            if obj is None:
                self.conflict.emit(EditConflict(cls.__tablename__, pk, changes, None))
                return False
            before = {k: getattr(obj, k) for k in changes}
            if expected_version is None:
                expected_version = obj.version
        if all(_same(before[k], v) for k, v in changes.items()):
            return True
        cmd = UpdateCommand(self, cls, pk, changes, before, expected_version,
                            text or self.tr("Edit {entity} #{pk}").format(entity=cls.__tablename__, pk=pk))
        return self._push(cmd)

    def insert(self, cls: type, values: dict[str, Any], *, text: str | None = None) -> int | None:
        values = {k: coerce(cls, k, v) for k, v in values.items()}
        cmd = InsertCommand(self, cls, values, text or self.tr("Add {entity}").format(entity=cls.__tablename__))
        return cmd.pk if self._push(cmd) else None

    def run_service(self, text: str, do: Callable[[], Any], undo: Callable[[Any], Any], *,
                    tables: tuple[str, ...]) -> tuple[bool, Any]:
        """Apply ``do`` through the undo stack (refusals are reported, never pushed); returns
        (applied, what ``do`` returned)."""
        cmd = ServiceCommand(self, text, do, undo, tables)
        ok = self._push(cmd)
        return ok, cmd.value

    def delete(self, cls: type, pk: int, *, text: str | None = None) -> bool:
        cmd = DeleteCommand(self, cls, pk, text or self.tr("Delete {entity} #{pk}").format(
            entity=cls.__tablename__, pk=pk))
        return self._push(cmd)

    # -- internals --------------------------------------------------------------------------
    def _push(self, cmd: _PlanCommand) -> bool:
        if not self._run(cmd.apply):
            return False
        cmd.applied = True
        self.stack.push(cmd)
        return True

    def _run(self, fn: Any) -> bool:
        try:
            fn()
        except EditConflict as exc:
            self.conflict.emit(exc)
            return False
        except (PlanError, ValueError) as exc:
            self.failed.emit(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - shown to the user: IntegrityError from a CHECK constraint, …
            log.warning("edit refused by the plan", exc_info=True)
            msg = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            self.failed.emit(self.tr("The plan refused the change: {msg}").format(msg=msg))
            return False
        return True


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-12
    return a == b


class _PlanCommand(QUndoCommand):
    def __init__(self, editor: Editor, cls: type | None, text: str):
        super().__init__(text)
        self.editor, self.cls = editor, cls
        self.applied = False

    def apply(self) -> None:  # first application (before push)
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self.applied:   # Qt calls redo() on push; the change is already in the plan
            self.applied = False
            return
        if not self.editor._run(self.apply):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self.editor._run(self.revert):
            self.setObsolete(True)


class UpdateCommand(_PlanCommand):
    def __init__(self, editor, cls, pk, changes, before, version, text):
        super().__init__(editor, cls, text)
        self.pk, self.changes, self.before, self.version = pk, changes, before, version

    def _set(self, values: dict[str, Any], reason: str) -> None:
        new = self.editor.plan.update(self.cls, self.pk, values, expected_version=self.version,
                                      reason=reason)
        self.version = new["version"]
        self.editor.changed.emit(self.cls.__tablename__, self.pk)

    def apply(self) -> None:
        self._set(self.changes, self.text())

    def revert(self) -> None:
        self._set(self.before, "undo: " + self.text())


class InsertCommand(_PlanCommand):
    def __init__(self, editor, cls, values, text):
        super().__init__(editor, cls, text)
        self.values = values
        self.pk: int | None = values.get("id")

    def apply(self) -> None:
        with self.editor.plan.transaction(reason=self.text()) as s:
            vals = dict(self.values)
            if self.pk is not None:
                vals["id"] = self.pk
            obj = self.cls(**vals)
            s.add(obj)
            s.flush()
            self.pk = obj.id
        self.editor.changed.emit(self.cls.__tablename__, self.pk or 0)

    def revert(self) -> None:
        with self.editor.plan.transaction(reason="undo: " + self.text()) as s:
            obj = s.get(self.cls, self.pk)
            if obj is not None:
                s.delete(obj)
        self.editor.changed.emit(self.cls.__tablename__, 0)


class DeleteCommand(_PlanCommand):
    """Deletes a row; undo restores it with the same id (and a site's stock lots)."""

    def __init__(self, editor, cls, pk, text):
        super().__init__(editor, cls, text)
        self.pk = pk
        self.saved: dict[str, Any] | None = None
        self.children: list[tuple[type, dict[str, Any]]] = []

    def apply(self) -> None:
        with self.editor.plan.transaction(reason=self.text()) as s:
            obj = s.get(self.cls, self.pk)
            if obj is None:
                raise EditConflict(self.cls.__tablename__, self.pk, None, None)
            self.saved = raw_row(obj)
            self.children = []
            if isinstance(obj, m.Site):
                self.children = [(m.StockLot, raw_row(lot)) for lot in obj.stock]
            elif isinstance(obj, m.Scenario):
                self.children = [(m.HazardZone, raw_row(h)) for h in obj.hazards]
            s.delete(obj)
        self.editor.changed.emit(self.cls.__tablename__, 0)

    def revert(self) -> None:
        with self.editor.plan.transaction(reason="undo: " + self.text()) as s:
            s.add(self.cls(**self.saved))
            s.flush()
            for ccls, vals in self.children:
                s.add(ccls(**vals))
        self.editor.changed.emit(self.cls.__tablename__, self.pk)
        for ccls, _ in self.children[:1]:
            self.editor.changed.emit(ccls.__tablename__, 0)


class ServiceCommand(_PlanCommand):
    """A change made by a planner service function, undone by its inverse.

    ``do()`` makes the change and returns what its inverse needs (a new id, …); ``undo(value)``
    reverses it. Both go through the service, so the GUI validates exactly as the CLI does."""

    def __init__(self, editor: Editor, text: str, do: Callable[[], Any], undo: Callable[[Any], Any],
                 tables: tuple[str, ...]):
        super().__init__(editor, None, text)
        self.do, self.undo_fn, self.tables = do, undo, tables
        self.value: Any = None

    def _changed(self) -> None:
        for t in self.tables:
            self.editor.changed.emit(t, 0)

    def apply(self) -> None:
        self.value = self.do()
        self._changed()

    def revert(self) -> None:
        self.undo_fn(self.value)
        self._changed()


def apply_actions_command(editor: Editor, scenario: str, actions: list[dict[str, Any]], text: str) -> ServiceCommand:
    """Recommended actions written into a scenario; undo removes exactly the sites this
    application created (never a colleague's) and restores the scenario's site changes, or
    removes the scenario if the application created it."""
    plan = editor.plan
    return ServiceCommand(editor, text, lambda: scenario_store.apply_actions(plan, scenario, actions),
                          lambda applied: scenario_store.unapply_actions(plan, applied), tables=("site", "scenario"))
