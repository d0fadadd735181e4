"""One meaning per number: the CLI, the window and the PDF print the same numerator and
denominator for every check — the text the check itself carries (planner.engine.texts.check_basis)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest

from planner.demo import demo_path
from planner.engine.results import typed
from planner.scenario.runs import run
from planner.store import open_plan


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def andorra(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("one")
    plan = tmp / "a.esplan"
    shutil.copy(demo_path("andorra"), plan)
    p = open_plan(plan)
    try:
        _inp, result = run(p)
    finally:
        p.dispose()
    return plan, result


def test_basis_is_numerator_over_denominator(andorra):
    _plan, result = andorra
    c = typed(result).check("served_within_threshold")
    assert c is not None and c.numerator is not None and c.denominator
    assert c.value == pytest.approx(c.numerator / c.denominator, abs=1e-5)
    zh = c.basis("zh")
    assert "可安置人数" in zh and "避难需求人口" in zh
    assert f"{c.numerator:,.0f}" in zh and f"{c.denominator:,.0f}" in zh
    cap = typed(result).check("capacity_share_of_demand")
    assert cap is not None and cap.denominator == c.denominator       # one 避难需求 for both


def test_cli_prints_each_checks_basis(andorra, capsys):
    from planner.cli import main

    plan, result = andorra
    main(["check", str(plan)])
    out = capsys.readouterr().out
    for c in typed(result).checks:
        assert c.basis("zh") in out, c.id


def test_window_shows_each_checks_basis(andorra, qtbot):
    from desktop.results import ChecksModel

    _plan, result = andorra
    m = ChecksModel()
    m.set_checks(typed(result).checks)
    for row, c in enumerate(typed(result).checks):
        assert m.data(m.index(row, 4)) == c.basis("en" if m.tr("Check") == "Check" else "zh"), c.id


def test_pdf_prints_each_checks_basis(andorra, tmp_path):
    from planner.report import write_report

    plan, result = andorra
    pdf = write_report(Path(plan), tmp_path / "p.pdf", result=result)
    text = _flat("\n".join(p.extract_text() or "" for p in pypdf.PdfReader(str(pdf)).pages))
    for c in typed(result).checks:
        assert _flat(c.basis("zh")) in text, c.id


def test_window_shows_the_selected_checks_basis_and_target_source(andorra, qtbot):
    from desktop.results import ResultsPanel

    _plan, result = andorra
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_result(result)
    c = typed(result).check("served_within_threshold")
    panel.show_basis(c)
    lang = "en" if panel.tr("Check") == "Check" else "zh"
    assert c.basis(lang).split(" / ")[0] in panel.basis.text()
    assert c.target_source and c.target_source.split(":")[0] in panel.basis.text()


def test_a_time_check_without_a_place_reads_the_same_in_window_and_pdf(qtbot):
    """A time limit failed because some people have no shelter place: the window prints what the
    CLI's findings and the PDF print (planner.engine.texts.fmt_check), never a bare "—"."""
    from desktop.i18n import is_chinese
    from desktop.results import ChecksModel
    from planner.engine.results import Check
    from planner.engine.texts import fmt_check

    lang = "zh" if is_chinese() else "en"
    m = ChecksModel()
    m.set_checks((Check(id="p95_time_min", name_zh="时间", name_en="time", value=None, target=15.0, unit="min",
                        status="fail"),
                  Check(id="mean_time_min", name_zh="时间", name_en="time", value=None, target=15.0, unit="min",
                        status="unknown")))
    assert m.data(m.index(0, 2)) == fmt_check(None, "min", lang) != "—"
    assert m.data(m.index(1, 2)) == "—"                     # not assessable: no value at all
