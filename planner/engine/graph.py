"""Road graph: compact CSR matrices per travel mode, snapping, and cheap what-if edits.

* Coordinates are projected to a local metric CRS (the UTM zone of the data centroid, pyproj).
* ``walk``: both directions, seconds = length / walk speed, edges = the profile's
  network.walk_classes; ``drive``: seconds = length / (speed × post-disaster factor), speed =
  maxspeed when given, else the profile's speeds_kmh by class; oneway edges only u → v; edges =
  network.drive_classes. An edge's own permission (``RoadTable.walk_access`` / ``drive_access``,
  from the OSM access tags, see :mod:`planner.io.osm`) overrides its class: False takes it out
  of that mode, True admits it even when its class is not listed.
* Parallel edges are merged to their minimum; every directed edge entry keeps its CSR slot, so a
  what-if (hazard cutting or slowing edges) rewrites ``data`` in place of a rebuild
  (:meth:`ModeGraph.with_edge_factors`, a few ms at 250k edges).

Snapping (road-true access)
---------------------------
Every located site and demand unit of the snapshot (its *anchor points*; plus ``extra_points``
given to the constructor) is projected, per mode, onto the nearest **edge** of that mode's
network (the stored edge geometry, else the straight segment, in metres) — not onto the nearest
graph node, which may lie a kilometre along the road. The edge is split there: a new graph node
at the projection point, the two parts getting their proportional share of the edge's length
and time (oneway edges keep their direction). Every part keeps the original road edge as its
``entry_edge``, so a hazard that cuts or slows the road cuts or slows both parts. Several points
on one edge split it at each position in order; a projection within :data:`NODE_MERGE_M` (1 m) of
a graph node or of another split point reuses that node.

* Only edges of a *snappable* component are snapped to: a strongly connected component
  (driving; walking: a connected component) of the **baseline** road graph holding at least
  ``max(SNAP_MIN_NODES = 20, SNAP_MIN_SHARE = 1 %)`` of the mode's road nodes (capped at the size
  of the largest component, so a tiny network still snaps to its main part), both ends of the
  edge in it. A oneway dead end or a 3-node fragment next to the main road therefore never
  captures a warehouse or a village, while a real island or valley network of that size stays
  usable. Components are computed once on the baseline graph and shared by every what-if copy,
  so a hazard cut later shows up as *unreachable* instead of being snapped around.
* Controlled-access roads (:data:`NO_SNAP_CLASSES`: motorway, motorway_link) are never snapped
  to: nothing joins them between junctions.
* ``Snap.dist_m`` is the perpendicular (off-road) distance; ``Snap.time_s`` = dist_m /
  ``offroad_speed_mps`` (default: the walking speed), ADDED to every travel time. Beyond
  ``snap_max_m`` a point is ``off_network`` (its distance kept, no node inserted); without
  coordinates it is ``unlocated``. Nothing is dropped.
* A point that was not an anchor when the graph was built (a candidate site of a
  recommendation, see :mod:`planner.scenario.recommend`, which passes its candidates in as
  ``extra_points`` where it builds the graph itself) gets a conservative answer, never shorter
  than the truth: it is projected onto the nearest edge of the mode that can be travelled both
  ways (walking: every edge; driving: the two-way ones) and attached to whichever end of the
  (already split) piece of edge it falls on gives the smaller off-road + along-edge time; that
  along-edge time is part of ``time_s``. Within 1 m of a node the answer is exact.

The graph's content key (:func:`graph_key_parts`) holds a digest of the anchor points, so two
snapshots whose sites or units lie elsewhere never share a graph, while a what-if that only
closes sites, changes stock or adds hazards reuses it.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyproj
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from planner.engine.snapshot import PlanInput
from planner.geo import utm_crs

MIN_W = 1e-6  # seconds; csgraph must never see a zero-weight edge
SNAP_OK, SNAP_OFF, SNAP_UNLOCATED = "ok", "off_network", "unlocated"
SNAP_MIN_NODES = 20     # a component needs at least this many nodes to be snapped to …
SNAP_MIN_SHARE = 0.01   # … or this share of the mode's nodes, whichever is larger
#: driving searches per scipy call (their full rows are 8 B × nodes each: 4 × 100k nodes = 3 MB).
#: A call holds the interpreter lock throughout (≈ 5 ms a search at 100k nodes): 4 keeps a
#: window responsive while a run searches on a worker thread; a call's overhead is ≈ 0.5 ms
DRIVE_CHUNK = 4
NODE_MERGE_M = 1.0      # a projection this close (along the edge) to a node reuses the node
#: controlled-access classes: never snapped to (no driveway or path joins them between junctions)
NO_SNAP_CLASSES = frozenset({"motorway", "motorway_link"})
_TOKENS = itertools.count()  # identifies a baseline graph to the driving worker process
#: parameters that shape the graph (with the road digest, the anchor points and the profile's
#: network and speeds)
GRAPH_PARAMS = ("walk_speed_mps", "offroad_speed_mps", "post_disaster_speed_factor", "snap_max_m")


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
    node: np.ndarray      # int64 node index (−1 when unlocated or no road at all)
    dist_m: np.ndarray    # float: off-road (perpendicular) distance (nan when unlocated)
    status: np.ndarray    # object: ok / off_network / unlocated
    time_s: np.ndarray    # dist_m / offroad speed (+ the along-edge time for a point the graph was
    #                       not split at, see the module docstring); nan when unlocated

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
    entry_edge: np.ndarray   # per directed entry: road edge index (of the unsplit road table)
    entry_w: np.ndarray      # base weight, seconds
    entry_slot: np.ndarray   # slot in csr.data
    entry_slot_t: np.ndarray  # slot in csr_t.data
    symmetric: bool
    snappable: np.ndarray | None = None   # bool per node (baseline components, see snappable_nodes)
    component: np.ndarray | None = None   # baseline component label per node (−1: not in the mode)
    min_component: int = 0                # size threshold used

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


def mode_edges(roads, classes: set[str], mode: str) -> np.ndarray:
    """Bool per road edge: travelled in ``mode`` — its class is listed, unless its own
    permission (``roads.access(mode)``: 1.0 / 0.0) says otherwise; loops never."""
    by_class = np.fromiter((h in classes for h in roads.highway), bool, roads.n_edges)
    acc = roads.access(mode)
    ok = np.where(np.isnan(acc), by_class, acc == 1.0)
    return ok & (roads.edge_u != roads.edge_v)


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


def _points_key(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points as complex numbers (lon + i·lat): sortable, comparable, one array."""
    return np.asarray(lon, dtype=np.float64) + 1j * np.asarray(lat, dtype=np.float64)


def anchor_points(inp: PlanInput, extra_points: Any = None) -> np.ndarray:
    """The distinct located points the graph is split at (sorted, as :func:`_points_key`):
    sites, demand units and ``extra_points`` ((lon, lat) arrays)."""
    lon = [inp.sites.lon, inp.demand.lon]
    lat = [inp.sites.lat, inp.demand.lat]
    if extra_points is not None:
        lon.append(np.asarray(extra_points[0], dtype=np.float64))
        lat.append(np.asarray(extra_points[1], dtype=np.float64))
    x, y = np.concatenate(lon), np.concatenate(lat)
    ok = np.isfinite(x) & np.isfinite(y)
    return np.unique(_points_key(x[ok], y[ok]))


def graph_key_parts(inp: PlanInput, extra_points: Any = None) -> dict[str, Any]:
    """Everything the RoadGraph of ``inp`` depends on, by content: the road table's digest, the
    anchor points' digest (sites, demand units and ``extra_points``: where edges are split),
    the graph parameters (:data:`GRAPH_PARAMS`), the profile's network classes and speeds, and
    (only without roads, where it cannot follow from the digest) the projection's EPSG code."""
    return {"roads": inp.roads.digest,
            "anchors": hashlib.sha256(anchor_points(inp, extra_points).tobytes()).hexdigest(),
            "params": {k: inp.params.get(k) for k in GRAPH_PARAMS},
            "network": inp.norms.get("network"), "speeds_kmh": inp.norms.get("speeds_kmh"),
            "crs": None if inp.roads.n_nodes else _crs_of(inp).to_epsg()}


def graph_key(parts: dict[str, Any]) -> str:
    """sha256 of :func:`graph_key_parts`: equal keys ⇒ identical graphs (the cache key)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass
class _Splits:
    """Where road edges were split: one row per inserted node, sorted by (edge, position)."""

    edge: np.ndarray     # road edge index
    t: np.ndarray        # position along the edge, 0 … 1 (from u)
    node: np.ndarray     # graph node index

    @property
    def key(self) -> np.ndarray:
        return 2.0 * self.edge + self.t   # edges occupy disjoint intervals [2e, 2e + 1]


class _ModeSnap:
    """One mode's snapping state: the candidate edges and their STRtree, the anchors' answers."""

    def __init__(self, edges: np.ndarray, geoms: np.ndarray):
        self.edges = edges                         # candidate road edge indices (ascending)
        self.tree = shapely.STRtree(geoms[edges]) if len(edges) else None
        self.two_way: np.ndarray | None = None     # fallback candidates (driving: two-way only)
        self.two_way_tree: Any = None
        # anchors' answers, aligned with RoadGraph._anchor_keys
        self.node: np.ndarray = np.zeros(0, np.int64)
        self.dist: np.ndarray = np.zeros(0)
        self.ok: np.ndarray = np.zeros(0, bool)


class RoadGraph:
    """Both mode graphs of one snapshot, split at its anchor points; the metric projection and
    the snapping state (see the module docstring).

    ``key`` (:func:`graph_key`) identifies the graph by content; what-if copies keep their
    baseline's key and add ``factor_key`` (the edge factors written into them). Node indices
    ``0 … roads.n_nodes − 1`` are the road table's nodes; the split points follow
    (``node_xy`` holds all of them).
    """

    def __init__(self, inp: PlanInput, extra_points: Any = None):
        p = inp.params
        roads = inp.roads
        self.key_parts = graph_key_parts(inp, extra_points)
        self.key = graph_key(self.key_parts)
        self.walk_speed = float(p["walk_speed_mps"])
        self.offroad_speed = float(p.get("offroad_speed_mps") or p["walk_speed_mps"])
        self.snap_max_m = float(p["snap_max_m"])
        self.crs = _crs_of(inp)
        self._fwd = pyproj.Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self._inv = pyproj.Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        self.n_road = roads.n_nodes
        x, y = self.to_xy(roads.node_lon, roads.node_lat)
        road_xy = np.column_stack([x, y]) if self.n_road else np.zeros((0, 2))
        self.node_xy = road_xy
        self.roads = roads
        self._memo: dict[Any, Any] = {}

        hw = roads.highway
        u, v, length = roads.edge_u, roads.edge_v, roads.length_m
        is_walk = mode_edges(roads, _classes(inp.norms, "walk_classes", DEFAULT_WALK), "walk")
        is_drive = mode_edges(roads, _classes(inp.norms, "drive_classes", DEFAULT_DRIVE), "drive")
        oneway = roads.oneway
        wt = np.maximum(length / self.walk_speed, MIN_W)
        speeds = _class_speeds(inp.norms)
        default_speed = speeds.get("road", 20.0)
        cls_speed = np.array([speeds.get(h, default_speed) for h in hw], dtype=np.float64)
        ms = roads.maxspeed
        kmh = np.where(np.isfinite(ms) & (ms > 0), ms, cls_speed)
        factor = float(p["post_disaster_speed_factor"])
        dt_s = np.maximum(length / (kmh / 3.6 * factor), MIN_W) if len(kmh) else np.zeros(0)
        self.edge_speed_kmh = kmh
        self._edge_time = {"walk": wt, "drive": dt_s}

        # baseline components of the unsplit road graph: which edges may be snapped to
        n0 = self.n_road
        comps = {}
        for name, e_in, sym in (("walk", is_walk, True), ("drive", is_drive, False)):
            e = np.nonzero(e_in)[0]
            back = e if sym else e[~oneway[e]]
            src, dst = np.concatenate([u[e], v[back]]), np.concatenate([v[e], u[back]])
            adj = csr_matrix((np.ones(len(src)), (src, dst)), shape=(n0, n0))
            node_in = np.zeros(n0, bool)
            node_in[src] = True
            node_in[dst] = True
            ok, lab, need = snappable_nodes(adj, node_in, sym)
            cand = e_in & ok[u] & ok[v] & (lab[u] == lab[v])
            cand &= ~np.fromiter((h in NO_SNAP_CLASSES for h in hw), bool, roads.n_edges)
            comps[name] = (ok, lab, need, cand)

        # anchors: project onto each mode's candidate edges, then split the edges there
        geoms = self.edge_geometries_xy() if roads.n_edges else np.zeros(0, dtype=object)
        self._snap = {name: _ModeSnap(np.nonzero(comps[name][3])[0], geoms) for name in ("walk", "drive")}
        self._snap["drive"].two_way = np.nonzero(comps["drive"][3] & ~oneway)[0]
        self._snap["walk"].two_way = self._snap["walk"].edges
        self._snap["walk"].two_way_tree = self._snap["walk"].tree
        self._anchor_keys = anchor_points(inp, extra_points)
        ax, ay = self.to_xy(self._anchor_keys.real, self._anchor_keys.imag)
        proj = {}
        for name, (e, t, d) in self._project_modes(ax, ay).items():
            proj[name] = (e, t, d, np.isfinite(d) & (d <= self.snap_max_m))
        # one set of split points for both modes (a point usually projects onto the same edge)
        req_node, splits = self._split_nodes(np.concatenate([proj[k][0][proj[k][3]] for k in proj]),
                                             np.concatenate([proj[k][1][proj[k][3]] for k in proj]), geoms)
        self._splits = splits
        self.n = n0 + len(splits.node)
        pos = 0
        for name, (e, t, d, ok) in proj.items():
            node = np.full(len(e), -1, np.int64)
            has = e >= 0
            node[has] = np.where(t[has] < 0.5, u[e[has]], v[e[has]])   # off network: the nearer end
            cnt = int(ok.sum())
            node[ok] = req_node[pos:pos + cnt]
            pos += cnt
            self._snap[name].node, self._snap[name].dist, self._snap[name].ok = node, d, ok

        # the split road edges: pieces (a, b, share of the edge, road edge)
        pa, pb, share, parent = self._pieces(u, v, splits)

        def entries(e_in, both):
            keep = e_in[parent]
            a, b, sh, par = pa[keep], pb[keep], share[keep], parent[keep]
            back = both[par]
            return (np.concatenate([a, b[back]]), np.concatenate([b, a[back]]),
                    np.concatenate([sh, sh[back]]), np.concatenate([par, par[back]]))

        src, dst, sh, par = entries(is_walk, np.ones(roads.n_edges, bool))
        self.walk = self._mode("walk", src, dst, np.maximum(wt[par] * sh, MIN_W), par, True, comps["walk"], splits)
        src, dst, sh, par = entries(is_drive, ~oneway)
        self.drive = self._mode("drive", src, dst, np.maximum(dt_s[par] * sh, MIN_W), par, False, comps["drive"],
                                splits)
        # shared by every what-if copy (with_edge_factors): baseline search results, reused for
        # as long as a copy's changed edges provably do not touch them (see reach / drive_rows)
        # (the baseline's own weights: what-if copies rewrite copies of them, never these)
        self._memo.update({"base_walk": self.walk.csr_t.data, "base_drive": self.drive.csr.data})
        self._memo["base_graph"] = self
        self._changed: dict[str, Any] = {}
        self.factor_key = "base"

    # -- construction ---------------------------------------------------------------------------
    def _project(self, edges: np.ndarray, tree: Any, x: np.ndarray, y: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(road edge, position 0…1 from u, distance m) of the nearest candidate edge per point
        (edge −1 and distance nan without candidates); ties go to the lowest edge index."""
        k = len(x)
        e_out = np.full(k, -1, np.int64)
        t_out = np.zeros(k)
        d_out = np.full(k, np.nan)
        if tree is None or k == 0:
            return e_out, t_out, d_out
        pts = shapely.points(x, y)
        (pi, ti), dist = tree.query_nearest(pts, all_matches=True, return_distance=True)
        order = np.lexsort((ti, pi))
        pi, ti, dist = pi[order], ti[order], dist[order]
        first = np.ones(len(pi), bool)
        first[1:] = pi[1:] != pi[:-1]
        pi, ti, dist = pi[first], ti[first], dist[first]
        e = edges[ti]
        geoms = self._edge_geoms()
        t = shapely.line_locate_point(geoms[e], pts[pi], normalized=True)
        t = np.where(self._reversed(e), 1.0 - t, t)
        e_out[pi], t_out[pi], d_out[pi] = e, np.clip(t, 0.0, 1.0), dist
        return e_out, t_out, d_out

    def _project_modes(self, x: np.ndarray, y: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """:meth:`_project` for both modes. Where a point's nearest walking edge is also a driving
        candidate, it is its nearest driving edge too unless a driving-only candidate lies nearer
        (or as near with a lower index): only those few edges are searched again."""
        w, d = self._snap["walk"], self._snap["drive"]
        out = {"walk": self._project(w.edges, w.tree, x, y)}
        ew, tw, dw = out["walk"]
        m = self.roads.n_edges
        in_d, in_w = np.zeros(m, bool), np.zeros(m, bool)
        in_d[d.edges] = True
        in_w[w.edges] = True
        same = ew >= 0
        same[same] = in_d[ew[same]]
        e, t, dist = self._project(d.edges, d.tree, x[~same], y[~same])
        ed, td, dd = np.full(len(x), -1, np.int64), np.zeros(len(x)), np.full(len(x), np.nan)
        ed[~same], td[~same], dd[~same] = e, t, dist
        ed[same], td[same], dd[same] = ew[same], tw[same], dw[same]
        only = d.edges[~in_w[d.edges]]
        if same.any() and len(only):
            idx = np.nonzero(same)[0]
            e2, t2, d2 = self._project(only, shapely.STRtree(self._edge_geoms()[only]), x[idx], y[idx])
            better = (e2 >= 0) & ((d2 < dd[idx]) | ((d2 == dd[idx]) & (e2 < ed[idx])))
            ed[idx[better]], td[idx[better]], dd[idx[better]] = e2[better], t2[better], d2[better]
        out["drive"] = (ed, td, dd)
        return out

    def _reversed(self, e: np.ndarray) -> np.ndarray:
        """Per edge: does its geometry run v → u (rather than u → v, as the importers write it)?
        Straight segments never do; stored geometries are checked once per edge (cached)."""
        if self.roads.geometry is None:
            return np.zeros(len(e), bool)
        rev = self._memo.get("reversed")
        if rev is None:
            rev = self._memo["reversed"] = np.full(self.roads.n_edges, -1, np.int8)
        todo = np.unique(e[rev[e] < 0])
        if len(todo):
            first = shapely.get_coordinates(shapely.get_point(self._edge_geoms()[todo], 0))
            if len(first) == len(todo):   # (an empty geometry: treated as u → v)
                du = np.hypot(*(first - self.node_xy[self.roads.edge_u[todo]]).T)
                dv = np.hypot(*(first - self.node_xy[self.roads.edge_v[todo]]).T)
                rev[todo] = dv < du
            else:
                rev[todo] = 0
        return rev[e] == 1

    def _split_nodes(self, e: np.ndarray, t: np.ndarray, geoms: np.ndarray) -> tuple[np.ndarray, _Splits]:
        """Node per split request (edge e at position t) and the split points created.

        Within NODE_MERGE_M of an end: that end; requests within NODE_MERGE_M of the previous
        one on the same edge share its node. New nodes get indices from ``n_road`` on and
        their coordinates are appended to ``node_xy``."""
        u, v, length = self.roads.edge_u, self.roads.edge_v, self.roads.length_m
        node = np.full(len(e), -1, np.int64)
        if len(e):
            along = t * length[e]
            at_u = along <= NODE_MERGE_M
            at_v = ~at_u & (length[e] - along <= NODE_MERGE_M)
            node[at_u] = u[e[at_u]]
            node[at_v] = v[e[at_v]]
        mid = np.nonzero(node < 0)[0]
        order = mid[np.lexsort((t[mid], e[mid]))]
        se, st = e[order], t[order]
        new = np.ones(len(order), bool)
        if len(order) > 1:
            new[1:] = (se[1:] != se[:-1]) | ((st[1:] - st[:-1]) * length[se[1:]] > NODE_MERGE_M)
        cluster = np.cumsum(new) - 1
        node[order] = self.n_road + cluster
        ce, ct = se[new], st[new]
        if len(ce):
            g = geoms[ce]
            gt = np.where(self._reversed(ce), 1.0 - ct, ct)
            xy = shapely.get_coordinates(shapely.line_interpolate_point(g, gt, normalized=True))
            self.node_xy = np.concatenate([self.node_xy, xy])
        return node, _Splits(ce.astype(np.int64), ct, self.n_road + np.arange(len(ce), dtype=np.int64))

    @staticmethod
    def _pieces(u: np.ndarray, v: np.ndarray, sp: _Splits):
        """The road edges cut at the split points: (from, to, share of the edge, road edge)."""
        m = len(u)
        split = np.zeros(m, bool)
        split[sp.edge] = True
        whole = np.nonzero(~split)[0]
        k = len(sp.edge)
        first = np.ones(k, bool)
        first[1:] = sp.edge[1:] != sp.edge[:-1]
        last = np.ones(k, bool)
        last[:-1] = sp.edge[1:] != sp.edge[:-1]
        prev_node = np.where(first, u[sp.edge], np.roll(sp.node, 1))
        prev_t = np.where(first, 0.0, np.roll(sp.t, 1))
        a = np.concatenate([u[whole], prev_node, sp.node[last]])
        b = np.concatenate([v[whole], sp.node, v[sp.edge[last]]])
        share = np.concatenate([np.ones(len(whole)), sp.t - prev_t, 1.0 - sp.t[last]])
        parent = np.concatenate([whole, sp.edge, sp.edge[last]])
        return a, b, share, parent

    def _mode(self, name, src, dst, w, edge, symmetric, comp, splits: _Splits) -> ModeGraph:
        n = self.n
        csr, slot = _build_csr(n, src, dst, w)
        if symmetric:
            csr_t, slot_t = csr, slot
        else:
            csr_t, slot_t = _build_csr(n, dst, src, w)
        node_in = np.zeros(n, bool)
        node_in[src] = True
        node_in[dst] = True
        ok, lab, need, cand = comp
        # a split point belongs to its road edge's component (snappable when the edge is a candidate)
        on_cand = cand[splits.edge]
        snappable = np.concatenate([ok, on_cand]) & node_in
        label = np.concatenate([lab, np.where(node_in[self.n_road:], lab[self.roads.edge_u[splits.edge]], -1)])
        # per entry: road edge and CSR slots as int32 when they fit (exact; half of int64)
        idx = np.int32 if max(self.roads.n_edges, csr.nnz, csr_t.nnz) < 2**31 else np.int64
        slot = slot.astype(idx)
        return ModeGraph(name, n, csr, csr_t, node_in, edge.astype(idx), w.astype(np.float64),
                         slot, slot if symmetric else slot_t.astype(idx), symmetric, snappable=snappable,
                         component=label, min_component=need)

    def mode(self, name: str) -> ModeGraph:
        return self.walk if name == "walk" else self.drive

    def hull_points(self, nodes: np.ndarray) -> np.ndarray:
        """Metric coordinates of the road nodes among ``nodes`` (all of them when none is a road
        node): the outline of what a search reached, without the split points lying on its
        edges (which only slow a concave hull down)."""
        road = nodes[nodes < self.n_road]
        return self.node_xy[road if len(road) else nodes]

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
        """Snap points to ``mode``'s network: anchors exactly (their split node), any other point
        conservatively (see the module docstring)."""
        ms = self._snap[mode]
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        k = len(lon)
        node = np.full(k, -1, np.int64)
        dist = np.full(k, np.nan)
        along = np.zeros(k)
        status = np.empty(k, dtype=object)
        status[:] = SNAP_UNLOCATED
        located = np.isfinite(lon) & np.isfinite(lat)
        if located.any():
            li = np.nonzero(located)[0]
            keys = _points_key(lon[li], lat[li])
            anchors = self._anchor_keys
            j = np.minimum(np.searchsorted(anchors, keys), max(len(anchors) - 1, 0))
            known = (anchors[j] == keys) if len(anchors) else np.zeros(len(li), bool)
            ai = li[known]
            node[ai] = ms.node[j[known]]
            dist[ai] = ms.dist[j[known]]
            other = li[~known]
            if len(other):
                node[other], dist[other], along[other] = self._snap_other(mode, lon[other], lat[other])
            status[li] = np.where(np.isfinite(dist[li]) & (dist[li] <= self.snap_max_m), SNAP_OK, SNAP_OFF)
        return Snap(node, dist, status, dist / self.offroad_speed + along)

    def _snap_other(self, mode: str, lon: np.ndarray, lat: np.ndarray):
        """(node, off-road distance, along-edge seconds) of points that are not anchors: the
        nearest two-way candidate edge, the nearer end of the piece of it the point falls on."""
        ms = self._snap[mode]
        if ms.two_way_tree is None and ms.two_way is not None and len(ms.two_way):
            ms.two_way_tree = shapely.STRtree(self._edge_geoms()[ms.two_way])
        x, y = self.to_xy(lon, lat)
        e, t, d = self._project(ms.two_way if ms.two_way is not None else np.zeros(0, np.int64),
                                ms.two_way_tree, x, y)
        node = np.full(len(x), -1, np.int64)
        along = np.zeros(len(x))
        has = np.nonzero(e >= 0)[0]
        if len(has):
            e, t = e[has], t[has]
            # the piece of edge e holding t: between the split points on either side (or its ends)
            a, ta = self.roads.edge_u[e].copy(), np.zeros(len(e))
            b, tb = self.roads.edge_v[e].copy(), np.ones(len(e))
            sp = self._splits
            if len(sp.edge):
                i = np.searchsorted(sp.key, 2.0 * e + t)
                il, ir = np.maximum(i - 1, 0), np.minimum(i, len(sp.edge) - 1)
                left = (i > 0) & (sp.edge[il] == e)
                right = (i < len(sp.edge)) & (sp.edge[ir] == e)
                a[left], ta[left] = sp.node[il[left]], sp.t[il[left]]
                b[right], tb[right] = sp.node[ir[right]], sp.t[ir[right]]
            secs = self._edge_time[mode][e]
            to_a, to_b = (t - ta) * secs, (tb - t) * secs
            length = self.roads.length_m[e]
            to_a = np.where((t - ta) * length <= NODE_MERGE_M, 0.0, to_a)
            to_b = np.where((tb - t) * length <= NODE_MERGE_M, 0.0, to_b)
            use_a = to_a <= to_b
            node[has] = np.where(use_a, a, b)
            along[has] = np.where(use_a, to_a, to_b)
        return node, d, along

    def snap_trees(self) -> None:
        """Build the fallback snapping trees now (the anchors' answers are computed with the
        graph; everything here is shared by every what-if copy)."""
        for ms in self._snap.values():
            if ms.two_way_tree is None and ms.two_way is not None and len(ms.two_way):
                ms.two_way_tree = shapely.STRtree(self._edge_geoms()[ms.two_way])

    # -- what-if --------------------------------------------------------------------------------
    def _edge_geoms(self) -> np.ndarray:
        g = self._memo.get("edge_geoms")
        if g is None:
            g = self._memo["edge_geoms"] = self._edge_geometries()
        return g

    def edge_geometries_xy(self) -> np.ndarray:
        """Metric LineStrings of every road edge (stored geometry, else the straight segment)."""
        return self._edge_geoms()

    def _edge_geometries(self) -> np.ndarray:
        road_xy = self.node_xy[:self.n_road]
        lines = self.roads.lines()
        if lines is not None:
            g = lines
            missing = np.array([x is None for x in g], dtype=bool)
        else:
            g = np.empty(self.roads.n_edges, dtype=object)
            missing = np.ones(self.roads.n_edges, bool)
        if missing.any():
            u, v = self.roads.edge_u[missing], self.roads.edge_v[missing]
            coords = np.stack([road_xy[u], road_xy[v]], axis=1)
            g[missing] = shapely.linestrings(coords)
        if (~missing).any():
            g[~missing] = shapely.transform(g[~missing], lambda c: np.column_stack(self.to_xy(c[:, 0], c[:, 1])))
        return g

    def hazard_edge_factors(self, hazards) -> np.ndarray:
        """Per-edge time multiplier: inf for edges a ``block`` zone touches, 1/factor for ``slow``."""
        fac = np.ones(self.roads.n_edges)
        if not hazards or self.roads.n_edges == 0:
            return fac
        x0, y0, x1, y1 = self.edge_bounds()
        geoms = self.edge_geometries_xy()
        for hz in hazards:
            poly = self.geom_to_xy(hz.geometry)
            # the edges whose box meets the zone's box, then the exact test on their geometry:
            # the edges an STRtree query with predicate="intersects" returns, without keeping a
            # tree of every edge (≈ 100 B per edge) for it
            b = shapely.bounds(poly)   # float64 scalars: the float32 boxes are compared in float64
            cand = np.nonzero((x1 >= b[0]) & (x0 <= b[2]) & (y1 >= b[1]) & (y0 <= b[3]))[0]
            shapely.prepare(poly)
            hit = cand[shapely.intersects(poly, geoms[cand])] if len(cand) else cand   # prepared side first
            if hz.effect == "block":
                fac[hit] = np.inf
            else:
                fac[hit] = np.maximum(fac[hit], 1.0 / max(float(hz.factor), 1e-9))
        return fac

    def edge_bounds(self) -> tuple[np.ndarray, ...]:
        """(xmin, ymin, xmax, ymax) of every road edge's metric geometry as float32, rounded
        outwards (a box that holds the edge: a conservative filter, never the answer)."""
        got = self._memo.get("edge_bounds")
        if got is None:
            b = shapely.bounds(self.edge_geometries_xy())
            lo, hi = b[:, :2].astype(np.float32), b[:, 2:].astype(np.float32)
            lo = np.where(lo > b[:, :2], np.nextafter(lo, np.float32(-np.inf)), lo)
            hi = np.where(hi < b[:, 2:], np.nextafter(hi, np.float32(np.inf)), hi)
            got = self._memo["edge_bounds"] = (lo[:, 0].copy(), lo[:, 1].copy(), hi[:, 0].copy(), hi[:, 1].copy())
        return got

    def geom_to_xy(self, geom):
        return shapely.transform(geom, lambda c: np.column_stack(self.to_xy(c[:, 0], c[:, 1])))

    def with_edge_factors(self, factor: np.ndarray) -> RoadGraph:
        """A shallow copy whose walk and drive graphs have edge times × factor (inf = cut).

        ``factor`` is per road edge (of the unsplit road table: the pieces of a split edge
        share their edge's factor). Factors are relative to the baseline graph this one was
        built as (a copy of a copy starts again from the baseline's weights). Factors must be
        ≥ 1 (hazards only slow). Snapping state is shared with the baseline.
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
        return new

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
            self._changed[mode + "_slots"] = sl
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

    def drive_rows(self, nodes: np.ndarray, limit: float, cols: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
        """(times, complete): driving times from each node (rows) to the nodes ``cols`` (all
        nodes when None) within ``limit`` (inf beyond), shape (len(nodes), len(cols)); and per
        row whether its search was provably not cut short by the limit — its farthest node plus
        the longest finite edge is within the limit, so every edge out of what it reached led
        to a node it reached: inf in that row then means *no road at all*, not *too far*.

        Baseline rows and their shortest-path trees are memoised: the times at ``cols`` only
        (the supply step reads the sites' and units' nodes, a few thousand of 100k) and the tree
        as one bit per entry of the driving CSR (entry u → v is set when pred[v] == u: 1 bit
        instead of a 4-byte predecessor per node). On a what-if copy a row is reused when it was
        memoised for the same ``cols`` and no changed entry is a tree edge: every tree path is
        then intact and other paths only got longer. The values are the search's own, whichever
        of them is kept.
        """
        ch = self.changed("drive")
        slots = self._changed.get("drive_slots") if ch is not None else None
        ncol = self.n if cols is None else len(cols)
        out = np.empty((len(nodes), ncol))
        complete = np.zeros(len(nodes), bool)
        todo = []
        for i, nd in enumerate(nodes):
            m = self._memo.get(("drive", int(nd), float(limit)))
            if (m is not None and _same_cols(m[0], cols)
                    and (slots is None or not _bits_at(m[2], slots).any())):
                out[i] = m[1]
                # intact tree: the same nodes are reached at the same times, and what it did not
                # reach is no nearer (hazards only lengthen edges)
                complete[i] = m[3]
            else:
                todo.append(i)
        if todo:
            data = self.drive.csr.data
            fin_w = data[np.isfinite(data)]
            max_w = float(fin_w.max()) if len(fin_w) else 0.0
        want = ch is None   # baseline rows are memoised with their shortest-path trees
        if want and todo:
            csr = self.drive.csr
            slot_row = np.repeat(np.arange(self.n, dtype=np.int32), np.diff(csr.indptr))
        for c0 in range(0, len(todo), DRIVE_CHUNK):   # chunks: a search's full rows are 8 B × nodes each
            part = todo[c0:c0 + DRIVE_CHUNK]
            D, P = self._drive_search(np.asarray(nodes)[part], limit, want)
            Dc = D if cols is None else D[:, cols]
            fin = np.max(D, axis=1, initial=-np.inf, where=np.isfinite(D)) if D.shape[1] else np.zeros(len(part))
            for r, i in enumerate(part):
                out[i] = Dc[r]
                complete[i] = fin[r] + max_w <= limit
                if want:
                    assert P is not None
                    self._memo[("drive", int(nodes[i]), float(limit))] = (
                        None if cols is None else cols, Dc[r].copy(), np.packbits(P[r][csr.indices] == slot_row),
                        bool(complete[i]))
            del D, Dc, P
        return out, complete

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


def _bits_at(packed: np.ndarray, i: np.ndarray) -> np.ndarray:
    """Bits ``i`` of a ``np.packbits`` array (big-endian bit order), without unpacking it."""
    return (packed[i >> 3] >> (7 - (i & 7)).astype(np.uint8)) & 1 if len(i) else np.zeros(0, np.uint8)


def _same_cols(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a is b or (len(a) == len(b) and bool(np.array_equal(a, b)))
