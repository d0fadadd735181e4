"""Plan ▸ Printed plan particulars…: what the printed plan's cover and its own chapters say —
编制单位, 文号, 规划期限, 编制/审核/批准, the English title, 实施安排 and 保障措施 — edited through
the planner's service (:mod:`planner.plan_document`, the same one ``esplan-cli plan set-document``
uses) as one undoable command."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner import plan_document


def field_names() -> dict[str, str]:
    """The fields' names in the interface language."""
    return {"issuer": QCoreApplication.translate("PlanDocument", "Issuing office"),
            "doc_number": QCoreApplication.translate("PlanDocument", "Document number"),
            "period_from": QCoreApplication.translate("PlanDocument", "Plan period from"),
            "period_to": QCoreApplication.translate("PlanDocument", "Plan period to"),
            "prepared_by": QCoreApplication.translate("PlanDocument", "Prepared by"),
            "reviewed_by": QCoreApplication.translate("PlanDocument", "Reviewed by"),
            "approved_by": QCoreApplication.translate("PlanDocument", "Approved by"),
            "title_en": QCoreApplication.translate("PlanDocument", "English title"),
            "basis": QCoreApplication.translate("PlanDocument", "Further basis (one a line)"),
            "implementation": QCoreApplication.translate("PlanDocument", "Implementation"),
            "safeguards": QCoreApplication.translate("PlanDocument", "Safeguards")}


class PlanDocumentDialog(QDialog):
    """One editor per field; an empty field is "not filled in" (the printed plan says so).
    ``save(changes, version)`` writes the changed fields and says whether the plan took them; a
    refusal keeps the dialog open."""

    def __init__(self, plan: Any, save: Callable[[dict[str, Any], int], bool], parent: QWidget | None = None):
        super().__init__(parent)
        self.plan, self.save = plan, save
        self.doc, self.version = plan_document.read_document_version(plan)
        self.setWindowTitle(self.tr("Printed plan particulars"))
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr("What the cover and the bureau's own chapters of the printed plan say. "
                               "A field left empty is printed as not filled in."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        lay.addLayout(form)
        names = field_names()
        self.lines: dict[str, QLineEdit] = {}
        for k in ("issuer", "doc_number", "prepared_by", "reviewed_by", "approved_by", "title_en"):
            e = QLineEdit(self.doc.get(k) or "")
            e.setMaxLength(plan_document.FIELDS[k][1])
            self.lines[k] = e
            if k == "prepared_by":
                form.addRow(self.tr("Plan period"), self._period_row())
            form.addRow(names[k], e)
        self.texts: dict[str, QPlainTextEdit] = {}
        for k in ("basis", "implementation", "safeguards"):
            e = QPlainTextEdit(self.doc.get(k) or "")
            e.setMinimumHeight(70)
            self.texts[k] = e
            form.addRow(names[k], e)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#c0392b")
        lay.addWidget(self.error)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.resize(640, 620)

    def _period_row(self) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        self.period_from, self.period_to = QSpinBox(), QSpinBox()
        for sb, k in ((self.period_from, "period_from"), (self.period_to, "period_to")):
            sb.setRange(1899, 2200)
            sb.setSpecialValueText(self.tr("not set"))      # 1899: not set
            sb.setValue(self.doc.get(k) or 1899)
        row.addWidget(self.period_from)
        row.addWidget(QLabel("—"))
        row.addWidget(self.period_to)
        row.addStretch(1)
        return w

    def values(self) -> dict[str, Any]:
        v: dict[str, Any] = {k: (e.text().strip() or None) for k, e in self.lines.items()}
        v.update({k: (e.toPlainText().strip() or None) for k, e in self.texts.items()})
        v["period_from"] = self.period_from.value() if self.period_from.value() > 1899 else None
        v["period_to"] = self.period_to.value() if self.period_to.value() > 1899 else None
        return v

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if v != self.doc.get(k)}

    def accept(self) -> None:
        ch = self.changes()
        if not ch:
            super().accept()
            return
        try:
            for k, v in ch.items():
                plan_document.parse_field(k, v)
            a, b = self.values()["period_from"], self.values()["period_to"]
            if a is not None and b is not None and b < a:
                raise plan_document.DocumentError(self.tr("The plan period ends before it starts."), "period_to")
        except plan_document.DocumentError as exc:
            self.error.setText(str(exc))
            return
        if self.save(ch, self.version):
            super().accept()
