"""A second process for the driving searches (scipy's Dijkstra holds the GIL: threads give nothing).

Opt-in: a :class:`planner.engine.session.WhatIf` uses it only with ``worker=True`` or
``ESPLAN_WORKER=1``. On 2 shared cores it does not win (benchmarks/bench_engine.py compares worker on
and off): the searches are short (≈ 5 ms each at 100k nodes) and the second core is busy.

:class:`DrivePool` owns at most one worker process. It is started lazily, the first time a batch
of driving searches is big enough (``min_sources`` searches on a graph of ``min_nodes`` nodes),
and takes half of every later batch while the calling process computes the other half. The
worker holds its own copy of one baseline driving CSR (``indptr/indices/data``, sent once per
baseline graph); per batch it receives only the CSR slots whose time differs from that baseline
(a what-if) and the source nodes, and sends back the distance rows (and predecessor rows when
asked). Each row is the same scipy search on the same matrix as in the calling process, so the
results are bit-identical to the single-process path.

Falls back to the single-process path, per batch, when the batch or the graph is small, the
environment variable ``ESPLAN_NO_WORKER=1`` is set, the worker has not finished booting yet
(``spawn`` on Windows/macOS: the batch never waits for a boot; logged at debug level), cannot be
started, or fails (the failed half is then recomputed locally and the pool stays off). A worker
that cannot be started or fails is logged as a warning (logger ``planner.engine.workers``).

The worker function is a module-level function and nothing relies on inherited globals, so the
``spawn`` start method (Windows) works as well as ``fork`` (Linux). :meth:`DrivePool.close` stops
the worker; it also runs when the pool is garbage-collected and at interpreter exit.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import sys
import weakref
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

ENV_OFF = "ESPLAN_NO_WORKER"
MIN_SOURCES = 8
MIN_NODES = 20_000
RECV_TIMEOUT_S = 120.0

log = logging.getLogger(__name__)


def _worker_main(conn) -> None:  # pragma: no cover - runs in the child process
    """Worker loop. Messages: ('load', token, n, indptr, indices, data) — the baseline CSR;
    ('rows', batch, token, slots, values, nodes, limit, preds) — search rows from the END of
    ``nodes`` backwards, sending ('row', batch, j) + the raw bytes of D[j] (and P[j]) after each,
    until a ('front', batch, f) message says the caller has reached row j (j < f) — then
    ('done', batch); ('stop',). Replies ('ready', pid) once after start."""
    try:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra
    except BaseException as e:  # noqa: BLE001
        conn.send(("error", repr(e)))
        return
    conn.send(("ready", os.getpid()))
    token = None
    base = None
    pending: list[Any] = []
    while True:
        try:
            msg = pending.pop(0) if pending else conn.recv()
        except (EOFError, OSError):
            return
        kind = msg[0]
        if kind == "stop":
            return
        if kind != "rows":
            if kind == "load":
                _, token, n, indptr, indices, data = msg
                base = csr_matrix((data, indices, indptr), shape=(n, n))
            continue  # a 'front' of a finished batch
        _, batch, tok, slots, values, nodes, limit, preds = msg
        try:
            if tok != token or base is None:
                raise RuntimeError("graph not loaded")
            G = base
            if len(slots):
                data = base.data.copy()
                data[slots] = values
                G = csr_matrix((data, base.indices, base.indptr), shape=base.shape)
            front = 0
            for j in range(len(nodes) - 1, -1, -1):
                while conn.poll(0):
                    m = conn.recv()
                    if m[0] == "front" and m[1] == batch:
                        front = max(front, m[2])
                    elif m[0] != "front":
                        pending.append(m)
                if j < front or pending:
                    break
                if preds:
                    D, P = dijkstra(G, directed=True, indices=nodes[j:j + 1], limit=limit,
                                    return_predecessors=True)
                else:
                    D, P = dijkstra(G, directed=True, indices=nodes[j:j + 1], limit=limit), None
                conn.send(("row", batch, j))
                conn.send_bytes(np.ascontiguousarray(D[0], dtype=np.float64).data.cast("B"))
                if P is not None:
                    conn.send_bytes(np.ascontiguousarray(P[0], dtype=np.int32).data.cast("B"))
            conn.send(("done", batch))
        except (EOFError, OSError):
            return
        except BaseException as e:  # noqa: BLE001
            try:
                conn.send(("error", batch, repr(e)))
            except OSError:  # the caller has gone (broken pipe / closed handle): nothing to tell
                return


def _context():
    """forkserver on Linux from source: the worker is forked from a clean server process, never
    from the (possibly multithreaded) GUI process. A frozen Linux build forks directly (a
    forkserver/spawn child would re-run the executable). Elsewhere spawn."""
    if sys.platform.startswith("linux"):
        if getattr(sys, "frozen", False):
            return mp.get_context("fork")
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])  # children fork with numpy/scipy already imported
        return ctx
    return mp.get_context("spawn")


def _stop(proc, conn) -> None:
    """Stop a worker: ask, then terminate, then kill; always join (no zombies)."""
    try:
        if conn is not None:
            try:
                conn.send(("stop",))
            except Exception:
                # usually a worker that has already died (its failure was logged): terminate it
                log.debug("could not ask the drive worker to stop; terminating it", exc_info=True)
        if proc is not None:
            proc.join(2.0)
            if proc.is_alive():
                proc.terminate()
                proc.join(2.0)
            if proc.is_alive():
                proc.kill()
                proc.join(2.0)
    finally:
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("closing the pipe to the drive worker failed; ignored", exc_info=True)


class DrivePool:
    """At most one worker process for driving searches (see the module docstring)."""

    def __init__(self, *, min_sources: int = MIN_SOURCES, min_nodes: int = MIN_NODES,
                 boot_wait_s: float | None = None, enabled: bool = True):
        self.min_sources = int(min_sources)
        self.min_nodes = int(min_nodes)
        self.enabled = enabled and os.environ.get(ENV_OFF, "") not in ("1", "true", "yes")
        if getattr(sys, "frozen", False) and not sys.platform.startswith("linux"):
            # a frozen (PyInstaller) spawn child re-runs the executable: only safe when the entry
            # point calls multiprocessing.freeze_support() first, which this module cannot check
            self.enabled = self.enabled and os.environ.get("ESPLAN_WORKER_FROZEN", "") == "1"
        self._boot_wait = boot_wait_s
        self._proc: Any = None    # a multiprocessing Process of the chosen context
        self._conn: Connection | None = None
        self._ready = False
        self._failed = False
        self._token: Any = None
        self._batch = 0
        self._finalizer: weakref.finalize | None = None
        self.batches = 0          # batches the worker took part in (tests, benchmarks)

    # -- life cycle -------------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def _start(self) -> bool:
        if self._proc is not None:
            return True
        try:
            ctx = _context()
            parent, child = ctx.Pipe(duplex=True)
            proc = ctx.Process(target=_worker_main, args=(child,), daemon=True, name="esplan-drive-worker")
            proc.start()
            child.close()
        except Exception:
            log.warning("could not start the drive worker process; driving searches fall back to "
                        "this process", exc_info=True)
            self._failed = True
            return False
        self._proc, self._conn = proc, parent
        self._finalizer = weakref.finalize(self, _stop, proc, parent)
        if self._boot_wait is None:  # fork(server) boots quickly; never wait for a spawn boot
            self._boot_wait = {"fork": 1.0, "forkserver": 5.0}.get(ctx.get_start_method(), 0.0)
        return True

    def _is_ready(self) -> bool:
        if self._ready:
            return True
        try:
            assert self._conn is not None  # _start() succeeded
            if self._conn.poll(self._boot_wait or 0.0):
                msg = self._conn.recv()
                if msg and msg[0] == "ready":
                    self._ready = True
                else:
                    log.warning("the drive worker did not boot (it sent %r); driving searches fall back "
                                "to this process", msg)
                    self._fail()
            else:
                log.debug("the drive worker has not booted yet; this batch of driving searches runs "
                          "in this process")
        except Exception:
            log.warning("the drive worker failed while booting; driving searches fall back to this "
                        "process", exc_info=True)
            self._fail()
        self._boot_wait = 0.0
        return self._ready

    def _fail(self) -> None:
        self._failed = True
        self._ready = False
        self.close()

    def close(self) -> None:
        """Stop the worker (idempotent; also runs at garbage collection and interpreter exit)."""
        fin, self._finalizer = self._finalizer, None
        if fin is not None:
            fin()
        self._proc = self._conn = None
        self._ready = False
        self._token = None

    def __enter__(self) -> DrivePool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- searches -----------------------------------------------------------------------------------
    def wanted(self, n_nodes: int, n_sources: int) -> bool:
        return (self.enabled and not self._failed and n_nodes >= self.min_nodes
                and n_sources >= self.min_sources)

    def rows(self, token: Any, base_csr, csr, nodes: np.ndarray, limit: float, preds: bool):
        """(D, P or None) of driving searches from ``nodes`` on ``csr``, shared with the worker;
        None when the worker is not available (the caller searches alone).

        ``base_csr``: the baseline matrix ``csr`` derives from (same indptr/indices; only the
        slots that differ are sent). This process searches rows from the front, the worker from
        the back, one row at a time, until they meet (at most one row is searched twice), so
        neither waits for the other and the transfer overlaps the searches.
        """
        if not self._start() or not self._is_ready():
            return None
        from scipy.sparse.csgraph import dijkstra

        nodes = np.asarray(nodes, np.int64)
        k, n = len(nodes), csr.shape[0]
        self._batch += 1
        batch = self._batch
        conn = self._conn
        try:
            assert conn is not None  # _start() and _is_ready() succeeded
            if self._token != token:
                conn.send(("load", token, base_csr.shape[0], base_csr.indptr, base_csr.indices, base_csr.data))
                self._token = token
            slots = np.nonzero(csr.data != base_csr.data)[0]
            conn.send(("rows", batch, token, slots, csr.data[slots], nodes, float(limit), bool(preds)))
        except Exception:
            log.warning("could not send a batch to the drive worker; driving searches fall back to "
                        "this process", exc_info=True)
            self._fail()
            return None
        D = np.empty((k, n), np.float64)
        P = np.empty((k, n), np.int32) if preds else None
        have = np.zeros(k, bool)
        scratch_d = np.empty(n, np.float64)
        scratch_p = np.empty(n, np.int32)
        worker_ok = True
        done = False
        bad_msg: Any = None    # the worker's unexpected message (its error report), for the log

        def drain(block: bool) -> None:
            """Read the worker's messages (one, waiting for it, when ``block``)."""
            nonlocal worker_ok, done, bad_msg
            while worker_ok and not done and (block or conn.poll(0)):
                msg = conn.recv()
                if msg[0] == "row" and msg[1] == batch:
                    j = msg[2]
                    dup = bool(have[j])   # both searched it: keep ours (identical)
                    conn.recv_bytes_into((scratch_d if dup else D[j]).data.cast("B"))
                    if P is not None:
                        conn.recv_bytes_into((scratch_p if dup else P[j]).data.cast("B"))
                    have[j] = True
                elif msg[0] == "done" and msg[1] == batch:
                    done = True
                else:
                    worker_ok = False
                    bad_msg = msg
                if block:
                    return

        f = 0
        try:
            while f < k and not have[f]:
                if P is not None:
                    d, p = dijkstra(csr, directed=True, indices=nodes[f:f + 1], limit=limit,
                                    return_predecessors=True)
                    P[f] = p[0]
                else:
                    d = dijkstra(csr, directed=True, indices=nodes[f:f + 1], limit=limit)
                D[f] = d[0]
                have[f] = True
                f += 1
                conn.send(("front", batch, f))
                drain(False)
            # the rest is the worker's: wait for its 'done' (it stops before row f - 1)
            while worker_ok and not done:
                if not conn.poll(RECV_TIMEOUT_S):
                    raise TimeoutError("drive worker did not answer")
                drain(True)
        except Exception:
            log.warning("the drive worker failed during a batch; its rows are recomputed in this "
                        "process and the worker stays off", exc_info=True)
            worker_ok = False
        else:
            if not worker_ok or not have.all():
                what = f"it sent {bad_msg!r}" if bad_msg is not None else "rows missing"
                log.warning("the drive worker failed during a batch (%s); its rows are recomputed in "
                            "this process and the worker stays off", what)
        if not worker_ok or not have.all():
            self._fail()
            rest = np.nonzero(~have)[0]
            if len(rest):
                r = dijkstra(csr, directed=True, indices=nodes[rest], limit=limit, return_predecessors=preds)
                if P is not None:
                    D[rest], P[rest] = r
                else:
                    D[rest] = r
            return D, P
        self.batches += 1
        return D, P
