"""The driving worker process (planner.engine.workers.DrivePool): identical results, no leaks."""
from __future__ import annotations

import logging
import multiprocessing as mp
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from synthetic import district, river_hazard  # noqa: E402

from planner.engine.session import WhatIf  # noqa: E402

SIDE = 50


@pytest.fixture(scope="module")
def inp():
    return district(side=SIDE, n_units=300, n_shelters=20, n_sources=14, seed=3)


def _ours():
    return [p for p in mp.active_children() if p.name == "esplan-drive-worker"]


def _runs(w: WhatIf) -> list[str]:
    hz = river_hazard(SIDE, width=300.0)
    out = [w.baseline.to_json()]
    out.append(w.run({"name": "river", "hazards": [hz]}).to_json())
    out.append(w.run({"name": "stock", "stock_changes": [{"site_code": "Q00", "item_code": None,
                                                           "factor": 0}]}).to_json())
    out.append(w.run({"name": "river2", "hazards": [river_hazard(SIDE, width=600.0)]}).to_json())
    return out


def test_worker_results_identical_and_no_leak(inp, monkeypatch):
    monkeypatch.delenv("ESPLAN_NO_WORKER", raising=False)
    before = len(_ours())
    single = WhatIf(inp, worker=False)
    ref = _runs(single)
    assert single.pool.batches == 0 and not single.pool.alive
    with WhatIf(inp, worker=True, worker_min_sources=2, worker_min_nodes=0) as w:
        got = _runs(w)
        assert w.pool.batches >= 2      # the baseline (with trees) and the river reruns
        assert w.pool.alive
    assert got == ref
    assert not w.pool.alive
    assert len(_ours()) == before


def test_env_var_and_thresholds_keep_one_process(inp, monkeypatch):
    monkeypatch.setenv("ESPLAN_NO_WORKER", "1")
    w = WhatIf(inp, worker=True, worker_min_sources=2, worker_min_nodes=0)
    assert w.pool.batches == 0 and not w.pool.alive
    monkeypatch.delenv("ESPLAN_NO_WORKER")
    w2 = WhatIf(inp, worker=True)   # default thresholds: the 2.5k-node grid is too small for a worker
    assert w2.pool.batches == 0 and not w2.pool.alive
    assert w.baseline.to_json() == w2.baseline.to_json()


def test_worker_is_off_unless_asked_for(inp, monkeypatch):
    """Off by default (it does not win on 2 cores, benchmarks/bench_engine.py); ESPLAN_WORKER=1 asks."""
    monkeypatch.delenv("ESPLAN_NO_WORKER", raising=False)
    monkeypatch.delenv("ESPLAN_WORKER", raising=False)
    w = WhatIf(inp, worker_min_sources=2, worker_min_nodes=0)
    assert w.pool.batches == 0 and not w.pool.alive
    monkeypatch.setenv("ESPLAN_WORKER", "1")
    with WhatIf(inp, worker_min_sources=2, worker_min_nodes=0) as w2:
        assert w2.pool.batches >= 1 and w2.pool.alive
        assert w.baseline.to_json() == w2.baseline.to_json()


def test_worker_death_falls_back(inp, monkeypatch, caplog):
    monkeypatch.delenv("ESPLAN_NO_WORKER", raising=False)
    ref = _runs(WhatIf(inp, worker=False))
    w = WhatIf(inp, worker=True, worker_min_sources=2, worker_min_nodes=0)
    assert w.pool.alive
    w.pool._proc.kill()
    w.pool._proc.join(5)
    with caplog.at_level(logging.WARNING, logger="planner.engine.workers"):
        assert _runs(w)[1:] == ref[1:]
    assert not w.pool.alive          # a failed worker is reaped and the pool stays off
    # the fallback is not silent: one warning says the worker failed and the searches fall back
    warned = [r for r in caplog.records if r.name == "planner.engine.workers" and r.levelno == logging.WARNING]
    assert len(warned) == 1 and "this process" in warned[0].getMessage()
    w.close()
    assert not _ours()


def test_garbage_collected_whatif_stops_its_worker(inp, monkeypatch):
    import gc

    monkeypatch.delenv("ESPLAN_NO_WORKER", raising=False)
    w = WhatIf(inp, worker=True, worker_min_sources=2, worker_min_nodes=0)
    proc = w.pool._proc
    assert proc is not None and proc.is_alive()
    del w
    gc.collect()
    proc.join(5)
    assert not proc.is_alive()
    assert not _ours()
