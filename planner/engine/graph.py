"""Road graph: compact CSR matrices per travel mode, snapping, and cheap what-if edits.

* Coordinates are projected to a local metric CRS (the UTM zone of the data centroid, pyproj).
* ``walk``: both directions, seconds = length / walk speed, classes = profile network.walk_classes.
* ``drive``: seconds = length / (speed × post-disaster factor), speed = maxspeed when given, else
  the profile's speeds_kmh by class; oneway edges only u → v; classes = network.drive_classes.
* Parallel edges are merged to their minimum; every directed edge entry keeps its CSR slot, so a
  what-if (hazard cutting or slowing edges) rewrites ``data`` in place of a rebuild
  (:meth:`ModeGraph.with_edge_factors`, a few ms at 250k edges).
* Snapping (scipy cKDTree) goes to the nearest *snappable* node of that mode's network: a node
  of a strongly connected component (driving; walking: a connected component) of the **baseline**
  graph that holds at least ``max(SNAP_MIN_NODES = 20, SNAP_MIN_SHARE = 1 %)`` of the mode's
  nodes (capped at the size of the largest component, so a tiny network still snaps to its main
  part). A oneway dead end or a 3-node fragment next to the main road therefore never captures a
  warehouse or a village, while a real island or valley network of that size stays usable.
  Components are computed once on the baseline graph and shared by every what-if copy, so a
  hazard cut later shows up as *unreachable* instead of being snapped around. The snap distance
  is kept, walked at the walking speed and ADDED to every travel time; beyond ``snap_max_m`` a
  point is ``off_network``; without coordinates it is ``unlocated``. Nothing is dropped.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyproj
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from planner.engine.snapshot import PlanInput
from planner.geo import utm_crs

MIN_W = 1e-6  # seconds; csgraph must never see a zero-weight edge
SNAP_OK, SNAP_OFF, SNAP_UNLOCATED = "ok", "off_network", "unlocated"
SNAP_MIN_NODES = 20     # a component needs at least this many nodes to be snapped to …
SNAP_MIN_SHARE = 0.01   # … or this share of the mode's nodes, whichever is larger
_TOKENS = itertools.count()  # identifies a baseline graph to the driving worker process
#: parameters that shape the graph (with the road digest and the profile's network and speeds)
GRAPH_PARAMS = ("walk_speed_mps", "post_disaster_speed_factor", "snap_max_m")


def snappable_nodes(csr: csr_matrix, node_in: np.ndarray, symmetric: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """(snappable mask, component label per node, size threshold) of one mode graph.

    Components: strongly connected (directed graphs) or connected (symmetric). A component is
    snappable when it holds ≥ min(max(SNAP_MIN_NODES, ceil(SNAP_MIN_SHARE × nodes)), largest).
    """
    n = csr.shape[0]
    n_in = int(node_in.sum())
    if n_in == 0:
        return np.zeros(n, bool), np.full(n, -1, np.int64), 0
    _nc, lab = connected_components(csr, directed=True, connection="weak" if symmetric else "strong")
    lab = lab.astype(np.int64)
    sizes = np.bincount(lab[node_in], minlength=int(lab.max()) + 1)
    need = int(min(max(SNAP_MIN_NODES, int(np.ceil(SNAP_MIN_SHARE * n_in))), sizes.max()))
    ok = node_in & (sizes[lab] >= need)
    return ok, lab, need


@dataclass
class Snap:
    node: np.ndarray      # int64 node index (−1 when unlocated)
    dist_m: np.ndarray    # float (nan when unlocated)
    status: np.ndarray    # object: ok / off_network / unlocated
    time_s: np.ndarray    # dist_m / walk speed (nan when unlocated)

    @property
    def ok(self) -> np.ndarray:
        return self.status == SNAP_OK


@dataclass
class ModeGraph:
    """One travel mode's CSR graph (seconds) with the edge → CSR-slot index."""

    name: str
    n: int
    csr: csr_matrix          # forward: row = from
    csr_t: csr_matrix        # transposed (row = to); the same object when symmetric
    node_in: np.ndarray      # bool: node belongs to this mode's network
    entry_edge: np.ndarray   # per directed entry: road edge index
    entry_w: np.ndarray      # base weight, seconds
    entry_slot: np.ndarray   # slot in csr.data
    entry_slot_t: np.ndarray  # slot in csr_t.data
    symmetric: bool
    snappable: np.ndarray | None = None   # bool per node (baseline components, see snappable_nodes)
    component: np.ndarray | None = None   # baseline component label per node
    min_component: int = 0                # size threshold used
    _tree: Any = field(default=None, repr=False)
    _tree_nodes: Any = field(default=None, repr=False)

    def with_edge_factors(self, factor: np.ndarray) -> ModeGraph:
        """A copy whose edge times are multiplied by ``factor`` (per road edge; inf = cut).

        The CSR structure (indices/indptr) is shared; only ``data`` is rewritten, and only in
        the slots of entries whose factor is not 1 (parallel edges keep their minimum).
        """
        f = factor[self.entry_edge]
        hit = f != 1.0

        def rewrite(mat, slot):
            data = mat.data.copy()
            if hit.any():
                sl = np.unique(slot[hit])
                data[sl] = np.inf
                touched = np.zeros(len(data), bool)
                touched[sl] = True
                e = touched[slot]
                np.minimum.at(data, slot[e], self.entry_w[e] * f[e])
            return csr_matrix((data, mat.indices, mat.indptr), shape=mat.shape)

        csr = rewrite(self.csr, self.entry_slot)
        csr_t = csr if self.symmetric else rewrite(self.csr_t, self.entry_slot_t)
        return replace(self, csr=csr, csr_t=csr_t)


def _build_csr(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray) -> tuple[csr_matrix, np.ndarray]:
    """CSR with duplicates merged to their minimum; returns (matrix, slot of every entry)."""
    if len(src) == 0:
        return csr_matrix((n, n)), np.zeros(0, np.int64)
    key = src.astype(np.int64) * n + dst.astype(np.int64)
    uniq, slot = np.unique(key, return_inverse=True)
    data = np.full(len(uniq), np.inf)
    np.minimum.at(data, slot, w)
    rows = uniq // n
    cols = (uniq % n).astype(np.int32)
    indptr = np.zeros(n + 1, np.int64)
    np.add.at(indptr, rows + 1, 1)
    indptr = np.cumsum(indptr)
    idx_dtype = np.int32 if len(uniq) < 2**31 else np.int64
    mat = csr_matrix((data, cols.astype(idx_dtype), indptr.astype(idx_dtype)), shape=(n, n))
    return mat, slot.astype(np.int64)


def _class_speeds(profile: dict[str, Any]) -> dict[str, float]:
    out = {}
    for k, v in (profile.get("speeds_kmh") or {}).items():
        out[k] = float(v["value"] if isinstance(v, dict) else v)
    return out


def _classes(profile: dict[str, Any], key: str, fallback: list[str]) -> set[str]:
    net = profile.get("network") or {}
    v = net.get(key)
    if isinstance(v, dict):
        v = v.get("value")
    return set(v or fallback)


DEFAULT_DRIVE = ["motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
                 "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
                 "residential", "living_street", "service", "road"]
DEFAULT_WALK = [c for c in DEFAULT_DRIVE if not c.startswith("motorway")] + [
    "track", "path", "footway", "pedestrian", "steps", "cycleway", "bridleway"]


def _crs_of(inp: PlanInput) -> pyproj.CRS:
    """The metric CRS: UTM zone of the road nodes' centroid (no roads: of the sites and units)."""
    roads = inp.roads
    if roads.n_nodes:
        return utm_crs(float(np.mean(roads.node_lon)), float(np.mean(roads.node_lat)))
    pts_lon = np.concatenate([inp.sites.lon, inp.demand.lon])
    pts_lat = np.concatenate([inp.sites.lat, inp.demand.lat])
    ok = ~np.isnan(pts_lon)
    clon = float(np.mean(pts_lon[ok])) if ok.any() else 117.0
    clat = float(np.mean(pts_lat[ok])) if ok.any() else 35.0
    return utm_crs(clon, clat)


def graph_key_parts(inp: PlanInput) -> dict[str, Any]:
    """Everything the RoadGraph of ``inp`` depends on, by content: the road table's digest, the
    graph parameters (:data:`GRAPH_PARAMS`), the profile's network classes and speeds, and
    (only without roads, where it cannot follow from the digest) the projection's EPSG code."""
    return {"roads": inp.roads.digest, "params": {k: inp.params.get(k) for k in GRAPH_PARAMS},
            "network": inp.norms.get("network"), "speeds_kmh": inp.norms.get("speeds_kmh"),
            "crs": None if inp.roads.n_nodes else _crs_of(inp).to_epsg()}


def graph_key(parts: dict[str, Any]) -> str:
    """sha256 of :func:`graph_key_parts`: equal keys ⇒ identical graphs (the cache key)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class RoadGraph:
    """Both mode graphs of one snapshot, the metric projection and the snapping trees.

    ``key`` (:func:`graph_key`) identifies the graph by content; what-if copies keep their
    baseline's key and add ``factor_key`` (the edge factors written into them).
    """

    def __init__(self, inp: PlanInput):
        p = inp.params
        roads = inp.roads
        self.key_parts = graph_key_parts(inp)
        self.key = graph_key(self.key_parts)
        self.walk_speed = float(p["walk_speed_mps"])
        self.snap_max_m = float(p["snap_max_m"])
        lon, lat = roads.node_lon, roads.node_lat
        self.crs = _crs_of(inp)
        self._fwd = pyproj.Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self._inv = pyproj.Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        self.n = roads.n_nodes
        x, y = self.to_xy(lon, lat)
        self.node_xy = np.column_stack([x, y]) if self.n else np.zeros((0, 2))
        self.roads = roads

        hw = roads.highway
        u, v, length = roads.edge_u, roads.edge_v, roads.length_m
        not_loop = u != v
        walk_cls = _classes(inp.norms, "walk_classes", DEFAULT_WALK)
        drive_cls = _classes(inp.norms, "drive_classes", DEFAULT_DRIVE)
        is_walk = np.array([h in walk_cls for h in hw], dtype=bool) & not_loop
        is_drive = np.array([h in drive_cls for h in hw], dtype=bool) & not_loop

        # walking
        wt = np.maximum(length / self.walk_speed, MIN_W)
        e = np.nonzero(is_walk)[0]
        self.walk = self._mode("walk", np.concatenate([u[e], v[e]]), np.concatenate([v[e], u[e]]),
                               np.concatenate([wt[e], wt[e]]), np.concatenate([e, e]), symmetric=True)
        # driving
        speeds = _class_speeds(inp.norms)
        default_speed = speeds.get("road", 20.0)
        cls_speed = np.array([speeds.get(h, default_speed) for h in hw], dtype=np.float64)
        ms = roads.maxspeed
        kmh = np.where(np.isfinite(ms) & (ms > 0), ms, cls_speed)
        factor = float(p["post_disaster_speed_factor"])
        dt_s = np.maximum(length / (kmh / 3.6 * factor), MIN_W) if len(kmh) else np.zeros(0)
        e = np.nonzero(is_drive)[0]
        back = e[~roads.oneway[e]]
        self.drive = self._mode("drive", np.concatenate([u[e], v[back]]), np.concatenate([v[e], u[back]]),
                                np.concatenate([dt_s[e], dt_s[back]]), np.concatenate([e, back]),
                                symmetric=False)
        self.edge_speed_kmh = kmh
        self._edge_tree: Any = None   # shapely STRtree of the edges, built on first use
        # shared by every what-if copy (with_edge_factors): baseline search results, reused for
        # as long as a copy's changed edges provably do not touch them (see reach / drive_rows)
        self._memo: dict[Any, Any] = {"base_walk": self.walk.csr_t.data.copy(),
                                      "base_drive": self.drive.csr.data.copy()}
        self._memo["base_graph"] = self
        self._changed: dict[str, Any] = {}
        self.factor_key = "base"

    # -- construction ---------------------------------------------------------------------------
    def _mode(self, name, src, dst, w, edge, symmetric) -> ModeGraph:
        n = self.n
        csr, slot = _build_csr(n, src, dst, w)
        if symmetric:
            csr_t, slot_t = csr, slot
        else:
            csr_t, slot_t = _build_csr(n, dst, src, w)
        node_in = np.zeros(n, bool)
        node_in[src] = True
        node_in[dst] = True
        snappable, comp, need = snappable_nodes(csr, node_in, symmetric)
        return ModeGraph(name, n, csr, csr_t, node_in, edge.astype(np.int64), w.astype(np.float64),
                         slot, slot_t, symmetric, snappable=snappable, component=comp, min_component=need)

    def mode(self, name: str) -> ModeGraph:
        return self.walk if name == "walk" else self.drive

    # -- projection -----------------------------------------------------------------------------
    def to_xy(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        if lon.size == 0:
            return np.zeros(0), np.zeros(0)
        x, y = self._fwd.transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def to_lonlat(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = self._inv.transform(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        return np.asarray(lon), np.asarray(lat)

    def geom_to_wgs84(self, geom):
        return shapely.transform(geom, lambda c: np.column_stack(self.to_lonlat(c[:, 0], c[:, 1])))

    # -- snapping -------------------------------------------------------------------------------
    def snap(self, mode: str, lon, lat) -> Snap:
        mg = self.mode(mode)
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        k = len(lon)
        node = np.full(k, -1, np.int64)
        dist = np.full(k, np.nan)
        status = np.empty(k, dtype=object)
        status[:] = SNAP_UNLOCATED
        located = ~(np.isnan(lon) | np.isnan(lat))
        if mg._tree is None:
            self.snap_trees()
        if located.any():
            if mg._tree is None:
                status[located] = SNAP_OFF
            else:
                x, y = self.to_xy(lon[located], lat[located])
                d, j = mg._tree.query(np.column_stack([x, y]))
                node[located] = mg._tree_nodes[j]
                dist[located] = d
                status[located] = np.where(d <= self.snap_max_m, SNAP_OK, SNAP_OFF)
        return Snap(node, dist, status, dist / self.walk_speed)

    # -- what-if --------------------------------------------------------------------------------
    def edge_geometries_xy(self) -> np.ndarray:
        """Metric LineStrings of every edge (stored geometry, else the straight segment)."""
        if self.roads.geometry is not None:
            g = self.roads.geometry.copy()
            missing = np.array([x is None for x in g])
        else:
            g = np.empty(self.roads.n_edges, dtype=object)
            missing = np.ones(self.roads.n_edges, bool)
        if missing.any():
            u, v = self.roads.edge_u[missing], self.roads.edge_v[missing]
            coords = np.stack([self.node_xy[u], self.node_xy[v]], axis=1)
            g[missing] = shapely.linestrings(coords)
        if (~missing).any():
            g[~missing] = shapely.transform(g[~missing], lambda c: np.column_stack(self.to_xy(c[:, 0], c[:, 1])))
        return g

    def hazard_edge_factors(self, hazards) -> np.ndarray:
        """Per-edge time multiplier: inf for edges a ``block`` zone touches, 1/factor for ``slow``."""
        fac = np.ones(self.roads.n_edges)
        if not hazards or self.roads.n_edges == 0:
            return fac
        if self._memo.get("edge_tree") is None:
            self._memo["edge_tree"] = shapely.STRtree(self.edge_geometries_xy())
        self._edge_tree = self._memo["edge_tree"]
        for hz in hazards:
            poly = self.geom_to_xy(hz.geometry)
            hit = self._edge_tree.query(poly, predicate="intersects")
            if hz.effect == "block":
                fac[hit] = np.inf
            else:
                fac[hit] = np.maximum(fac[hit], 1.0 / max(float(hz.factor), 1e-9))
        return fac

    def geom_to_xy(self, geom):
        return shapely.transform(geom, lambda c: np.column_stack(self.to_xy(c[:, 0], c[:, 1])))

    def with_edge_factors(self, factor: np.ndarray) -> RoadGraph:
        """A shallow copy whose walk and drive graphs have edge times × factor (inf = cut).

        Factors are relative to the baseline graph this one was built as (a copy of a copy
        starts again from the baseline's weights). Factors must be ≥ 1 (hazards only slow).
        """
        base = self._memo["base_graph"]
        new = object.__new__(RoadGraph)
        new.__dict__.update(base.__dict__)
        new._changed = {}
        hit = np.nonzero(factor != 1.0)[0]
        new.factor_key = "base" if len(hit) == 0 else hashlib.sha1(
            hit.tobytes() + factor[hit].tobytes()).hexdigest()
        new.walk = base.walk.with_edge_factors(factor)
        new.drive = base.drive.with_edge_factors(factor)
        base.snap_trees()
        new.walk._tree, new.walk._tree_nodes = base.walk._tree, base.walk._tree_nodes
        new.drive._tree, new.drive._tree_nodes = base.drive._tree, base.drive._tree_nodes
        return new

    def snap_trees(self) -> None:
        """Build the snapping KD-trees now (they are shared by every what-if copy)."""
        for mg in (self.walk, self.drive):
            if mg._tree is None:
                ids = np.nonzero(mg.node_in if mg.snappable is None else mg.snappable)[0]
                mg._tree_nodes = ids
                mg._tree = cKDTree(self.node_xy[ids]) if len(ids) else None

    # -- incremental searches ---------------------------------------------------------------------
    def changed(self, mode: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(from, to) node pairs of CSR entries whose time differs from the baseline; None = none.

        walk: entries of csr_t (the direction of the shelter searches); drive: entries of csr.
        """
        if self.factor_key == "base":
            return None
        if mode not in self._changed:
            mat = self.walk.csr_t if mode == "walk" else self.drive.csr
            base = self._memo["base_walk" if mode == "walk" else "base_drive"]
            sl = np.nonzero(mat.data != base)[0]
            rows = np.searchsorted(mat.indptr, sl, side="right") - 1
            self._changed[mode] = (rows.astype(np.int64), mat.indices[sl].astype(np.int64))
        return self._changed[mode]

    def reach(self, mode: str, nodes: np.ndarray, limit: float, chunk: int = 50) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per node: (reached node indices, times) of a search *to* it (csr_t) within ``limit``.

        Baseline results are memoised. On a what-if copy a memoised result is reused when no
        changed entry starts inside its reach set: hazards only lengthen edges, so every
        shortest path within the limit then survives unchanged and nothing new comes in range.
        """
        G = self.mode(mode).csr_t
        ch = self.changed(mode)
        bad = None
        if ch is not None:
            bad = np.zeros(self.n, bool)
            bad[ch[0]] = True
        out: list[Any] = [None] * len(nodes)
        todo = []
        for i, nd in enumerate(nodes):
            m = self._memo.get(("reach", mode, int(nd), float(limit)))
            if m is not None and (bad is None or not bad[m[0]].any()):
                out[i] = m
            else:
                todo.append(i)
        for c0 in range(0, len(todo), chunk):
            part = todo[c0:c0 + chunk]
            D = dijkstra(G, directed=True, indices=np.asarray(nodes)[part], limit=limit)
            for r, i in enumerate(part):
                idx = np.nonzero(np.isfinite(D[r]))[0]
                res = (idx, D[r, idx])
                out[i] = res
                if ch is None:
                    self._memo[("reach", mode, int(nodes[i]), float(limit))] = res
        return out

    def drive_rows(self, nodes: np.ndarray, limit: float) -> np.ndarray:
        """Driving times from each node (rows) to every node within ``limit`` (inf beyond).

        Baseline rows and their shortest-path trees are memoised; on a what-if copy a row is
        reused when no changed entry (u → v) is a tree edge (pred[v] == u): every tree path is
        then intact and other paths only got longer.
        """
        ch = self.changed("drive")
        out = np.empty((len(nodes), self.n))
        todo = []
        for i, nd in enumerate(nodes):
            m = self._memo.get(("drive", int(nd), float(limit)))
            if m is not None and (ch is None or not np.any(m[1][ch[1]] == ch[0])):
                out[i] = m[0]
            else:
                todo.append(i)
        if todo:
            want = ch is None   # baseline rows are memoised with their shortest-path trees
            D, P = self._drive_search(np.asarray(nodes)[todo], limit, want)
            for r, i in enumerate(todo):
                out[i] = D[r]
                if want:
                    self._memo[("drive", int(nodes[i]), float(limit))] = (D[r].copy(), P[r].astype(np.int32))
        return out

    def _drive_search(self, nodes: np.ndarray, limit: float, preds: bool):
        """(D, P or None): driving Dijkstra from ``nodes`` within ``limit``.

        When a :class:`planner.engine.workers.DrivePool` is attached (``_memo["drive_pool"]``,
        see WhatIf) and the batch is big enough, its worker process takes part of the rows;
        every row is the same scipy search on the same matrix, so the results are bit-identical
        to a single-process search.
        """
        G = self.drive.csr
        pool = self._memo.get("drive_pool")
        if pool is not None and pool.wanted(self.n, len(nodes)):
            base = self._memo["base_graph"].drive.csr
            token = self._memo.setdefault("drive_token", (os.getpid(), next(_TOKENS)))
            got = pool.rows(token, base, G, nodes, limit, preds)
            if got is not None:
                return got
        if preds:
            return dijkstra(G, directed=True, indices=nodes, limit=limit, return_predecessors=True)
        return dijkstra(G, directed=True, indices=nodes, limit=limit), None

    def with_hazards(self, hazards) -> RoadGraph:
        return self.with_edge_factors(self.hazard_edge_factors(hazards))
