"""Undoable edits of the plan: QUndoCommands whose redo/undo call the planner's services.

A command changes the *plan* only, through :mod:`planner.registry` (rows of the registers, with
the version the user read) or :mod:`planner.scenario.store` (scenarios: a service call and its
inverse); the store writes the audit rows. The GUI never touches ORM models. After each change the
:class:`Editor` emits ``changed(table, pk)`` and the views refresh themselves from the plan.

The first application happens *before* the command is pushed (so a refused edit — a conflict, a
constraint — never enters the stack); ``redo`` skips that first call, as Qt calls it on push.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from planner import plan_document, plan_figures, registry
from planner.scenario import actions as scenario_actions
from planner.store import EditConflict, PlanError

log = logging.getLogger(__name__)


class Editor(QObject):
    """Owns the undo stack of one open plan and applies every edit through it."""

    changed = Signal(str, int)        # table name, primary key (0 = many rows)
    conflict = Signal(object)         # EditConflict
    failed = Signal(str)              # a refused edit (constraint …), message for the user

    def __init__(self, plan: Any, parent: QObject | None = None):
        super().__init__(parent)
        self.plan = plan
        self.stack = QUndoStack(self)

    # -- public API (entities by table name: "site", "stock_lot", "demand_unit", "supply_item") ----
    def update(self, entity: str, pk: int, changes: dict[str, Any], *, expected_version: int | None = None,
               text: str | None = None) -> bool:
        row = registry.read_one(self.plan, entity, pk)
        if row is None:
            self.conflict.emit(EditConflict(entity, pk, changes, None))
            return False
        before = {k: row[k] for k in changes if k in row}
        if expected_version is None:
            expected_version = row["version"]
        try:
            plain = {k: registry.normalize(entity, k, v) for k, v in changes.items()}
        except ValueError as exc:   # not one of the column's values, not a date …
            self.failed.emit(str(exc))
            return False
        if all(k in before and _same(before[k], v) for k, v in plain.items()):
            return True
        cmd = UpdateCommand(self, entity, pk, changes, before, expected_version,
                            text or self.tr("Edit {entity} #{pk}").format(entity=entity, pk=pk))
        return self._push(cmd)

    def insert(self, entity: str, values: dict[str, Any], *, text: str | None = None) -> int | None:
        cmd = InsertCommand(self, entity, values, text or self.tr("Add {entity}").format(entity=entity))
        return cmd.pk if self._push(cmd) else None

    def delete(self, entity: str, pk: int, *, text: str | None = None) -> bool:
        cmd = DeleteCommand(self, entity, pk, text or self.tr("Delete {entity} #{pk}").format(entity=entity, pk=pk))
        return self._push(cmd)

    def run_service(self, text: str, do: Callable[[], Any], undo: Callable[[Any], Any], *,
                    tables: tuple[str, ...]) -> tuple[bool, Any]:
        """Apply ``do`` through the undo stack (refusals are reported, never pushed); returns
        (applied, what ``do`` returned)."""
        cmd = ServiceCommand(self, text, do, undo, tables)
        ok = self._push(cmd)
        return ok, cmd.value

    def push_import(self, text: str, changes: list[registry.TableChange]) -> bool:
        """An import that already happened (its rows inserted / updated / deleted, as
        :func:`planner.registry.changes_between` found them) as one step on the undo stack."""
        changes = [c for c in changes if c]
        if not changes:
            return False
        cmd = ImportCommand(self, text, changes)
        cmd.applied = True            # written by the import: the push must not apply it again
        self.stack.push(cmd)
        return True

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
            log.info("edit conflict: %s", exc)
            self.conflict.emit(exc)
            return False
        except (PlanError, ValueError) as exc:   # ScenarioError is a ValueError: a refusal with its reason
            log.warning("edit refused: %s", exc)
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
    def __init__(self, editor: Editor, entity: str | None, text: str):
        super().__init__(text)
        self.editor, self.entity = editor, entity
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
    def __init__(self, editor, entity, pk, changes, before, version, text):
        super().__init__(editor, entity, text)
        self.pk, self.changes, self.before, self.version = pk, changes, before, version

    def _set(self, values: dict[str, Any], reason: str) -> None:
        new = registry.update(self.editor.plan, self.entity, self.pk, values, expected_version=self.version,
                              reason=reason)
        self.version = new["version"]
        self.editor.changed.emit(self.entity, self.pk)

    def apply(self) -> None:
        self._set(self.changes, self.text())

    def revert(self) -> None:
        self._set(self.before, "undo: " + self.text())


class InsertCommand(_PlanCommand):
    def __init__(self, editor, entity, values, text):
        super().__init__(editor, entity, text)
        self.values = values
        self.pk: int | None = values.get("id")

    def apply(self) -> None:
        vals = dict(self.values)
        if self.pk is not None:
            vals["id"] = self.pk     # redo after undo: the row comes back with its id
        self.pk = registry.insert(self.editor.plan, self.entity, vals, reason=self.text())
        self.editor.changed.emit(self.entity, self.pk or 0)

    def revert(self) -> None:
        registry.delete(self.editor.plan, self.entity, self.pk, reason="undo: " + self.text())
        self.editor.changed.emit(self.entity, 0)


class DeleteCommand(_PlanCommand):
    """Deletes a row; undo restores it with the same id (and a site's stock lots)."""

    def __init__(self, editor, entity, pk, text):
        super().__init__(editor, entity, text)
        self.pk = pk
        self.saved: registry.Deleted | None = None

    def apply(self) -> None:
        self.saved = registry.delete(self.editor.plan, self.entity, self.pk, reason=self.text())
        self.editor.changed.emit(self.entity, 0)

    def revert(self) -> None:
        assert self.saved is not None
        registry.restore(self.editor.plan, self.saved, reason="undo: " + self.text())
        self.editor.changed.emit(self.entity, self.pk)
        for child, _ in self.saved.children[:1]:
            self.editor.changed.emit(child, 0)


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


class ImportCommand(_PlanCommand):
    """A table import: undo deletes the rows it inserted, sets back those it updated and
    re-creates those it deleted (stock replace), in one transaction; redo reverts the undo."""

    def __init__(self, editor: Editor, text: str, changes: list[registry.TableChange]):
        super().__init__(editor, None, text)
        self.changes: list[registry.TableChange] = changes
        self.inverse: list[registry.TableChange] = []

    def _changed(self) -> None:
        for c in self.changes:
            self.editor.changed.emit(c.entity, 0)

    def apply(self) -> None:
        self.changes = registry.revert_changes(self.editor.plan, self.inverse, reason="redo: " + self.text())
        self._changed()

    def revert(self) -> None:
        self.inverse = registry.revert_changes(self.editor.plan, self.changes, reason="undo: " + self.text())
        self._changed()


def apply_actions_command(editor: Editor, scenario: str, actions: list[dict[str, Any]], text: str) -> ServiceCommand:
    """Recommended actions written into a scenario; undo removes exactly the sites this
    application created (never a colleague's) and restores the scenario's site changes, or
    removes the scenario if the application created it."""
    plan = editor.plan
    return ServiceCommand(editor, text, lambda: scenario_actions.apply_actions(plan, scenario, actions),
                          lambda applied: scenario_actions.unapply_actions(plan, applied), tables=("site", "scenario"))


def set_plan_document(editor: Editor, changes: dict[str, Any], version: int | None, text: str) -> bool:
    """The printed plan's particulars set or cleared through
    :func:`planner.plan_document.set_document`, as one undoable command (like :func:`set_plan_figures`)."""
    plan = editor.plan
    read = [version]

    def do() -> dict[str, Any]:
        expected, read[0] = read[0], None
        return plan_document.set_document(plan, changes, expected_version=expected, reason=text)

    def undo(before: dict[str, Any]) -> None:
        plan_document.set_document(plan, before, reason="undo: " + text)

    ok, _before = editor.run_service(text, do, undo, tables=("plan_info",))
    return ok


def set_plan_figures(editor: Editor, changes: dict[str, Any], version: int | None, text: str) -> bool:
    """Plan figures set or cleared (None) through :func:`planner.plan_figures.set_figures`; undo
    sets back the values before. The first application checks the plan's version the user read
    (``EditConflict`` when somebody saved since); redo after undo writes over the undo."""
    plan = editor.plan
    read = [version]

    def do() -> dict[str, Any]:
        expected, read[0] = read[0], None
        return plan_figures.set_figures(plan, changes, expected_version=expected, reason=text)

    def undo(before: dict[str, Any]) -> None:
        plan_figures.set_figures(plan, before, reason="undo: " + text)

    ok, _before = editor.run_service(text, do, undo, tables=("plan_info",))
    return ok
