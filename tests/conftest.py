"""Shared fixtures. Storage tests run on SQLite always and on PostgreSQL when
ESPLAN_TEST_PG_URL points at a server (.ci/run starts one; in CI it is required)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ESPLAN_USER", "pytest")

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """The shared data folder ($ESPLAN_SHARED or ../shared beside the repo), or None."""
    from planner.demo import find_shared

    try:
        return find_shared()
    except FileNotFoundError:
        return None


@pytest.fixture(scope="session")
def shared() -> Path:
    d = shared_dir()
    if d is None:
        pytest.skip("../shared (real data) not found; set ESPLAN_SHARED")
    return d


def _backends() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("ESPLAN_TEST_PG_URL"):
        params.append(pytest.param("postgres", id="postgres", marks=pytest.mark.postgres))
    elif os.environ.get("CI"):
        raise RuntimeError("CI must run the storage tests on PostgreSQL: ESPLAN_TEST_PG_URL is not set")
    return params


@pytest.fixture(params=_backends())
def plan_location(request, tmp_path) -> str:
    """A location for a fresh plan: an SQLite file, or the test PostgreSQL database (emptied)."""
    if request.param == "sqlite":
        return str(tmp_path / "plan.esplan")
    url = os.environ["ESPLAN_TEST_PG_URL"]
    from sqlalchemy import create_engine

    from planner.migrations import drop_all

    eng = create_engine(url)
    drop_all(eng)
    eng.dispose()
    return url


@pytest.fixture
def new_plan(plan_location):
    from planner.store import create_plan

    plan = create_plan(plan_location, name="测试规划", district_name="测试区", overwrite=True)
    yield plan
    plan.dispose()
