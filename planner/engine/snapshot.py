"""Engine input snapshot: plain frozen dataclasses + numpy arrays.

The engine never touches the database or ORM objects: :func:`planner.scenario.runs.load_snapshot`
(the storage side) reads a plan (and optionally a scenario) into a :class:`PlanInput`; tests and
benchmarks build one directly with :func:`make_input` from lists of plain dicts.

Conventions: unknown numbers are ``nan`` in float arrays; unknown strings are ``None`` in object
arrays; every table keeps the database ``id`` so results can point back at rows.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import shapely

from planner.engine.params import resolve_parameters
from planner.norms import shipped_profile

# column kinds: "i" int64, "f" float64 (nan = unknown), "O" object (str / None), "b" bool


def _column(kind: str, values: list[Any], n: int) -> np.ndarray:
    if kind == "f":
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64).reshape(n)
    if kind == "i":
        return np.array([int(v) for v in values], dtype=np.int64).reshape(n)
    if kind == "b":
        return np.array([bool(v) for v in values], dtype=bool).reshape(n)
    arr = np.empty(n, dtype=object)
    for k, v in enumerate(values):
        if isinstance(v, list):
            v = tuple(v)
        arr[k] = None if v is None else (v.value if hasattr(v, "value") and not isinstance(v, str) else v)
    return arr


class _Table:
    """A column table: every dataclass field is a 1-d numpy array of the same length."""

    COLS: ClassVar[dict[str, tuple[str, Any]]] = {}

    def __len__(self) -> int:
        first = dataclasses.fields(self)[0].name  # type: ignore[arg-type]
        return len(getattr(self, first))

    @classmethod
    def from_records(cls, rows: list[dict[str, Any]]):
        n = len(rows)
        cols: dict[str, np.ndarray] = {}
        for name, (kind, default) in cls.COLS.items():
            if name == "id" and default is None:
                vals = [r.get("id", k + 1) for k, r in enumerate(rows)]
            else:
                vals = [r.get(name, default) for r in rows]
            cols[name] = _column(kind, vals, n)
        unknown = {k for r in rows for k in r} - set(cls.COLS)
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
        return cls(**cols)

    def records(self) -> list[dict[str, Any]]:
        names = list(self.COLS)
        out = []
        for k in range(len(self)):
            out.append({n: _plain(getattr(self, n)[k]) for n in names})
        return out

    @property
    def digest(self) -> str:
        """sha256 of the table's content (:meth:`_hash_into`), computed once per table."""
        return _digest(self)

    def _hash_into(self, h: Any) -> None:
        # the JSON of the object columns (the costly part: a Python call per cell) is made once
        # per table (tables are frozen) and kept for PlanInput.inputs_hash, which hashes the
        # unchanged tables (demand, towns, items) of every what-if input again
        js = self.__dict__.get("_hash_json")
        if js is None:
            js = {name: json.dumps([_plain(v) for v in getattr(self, name)], ensure_ascii=False,
                                   default=str).encode()
                  for name, (kind, _d) in self.COLS.items() if kind == "O"}
            object.__setattr__(self, "_hash_json", js)
        for name, (kind, _d) in self.COLS.items():
            h.update(name.encode())
            # arrays hashed in place (the same bytes as tobytes(), without the copy)
            h.update(js[name] if kind == "O" else np.ascontiguousarray(getattr(self, name)))


def _digest(table: Any) -> str:
    """Content digest of a snapshot table, cached on the table: tables are frozen and their
    arrays are never written after the snapshot is built, so the digest of one table object
    never changes. Engine caches are keyed by it (never by ``id()`` of a table)."""
    cached = table.__dict__.get("_digest")
    if cached is None:
        h = hashlib.sha256()
        table._hash_into(h)
        cached = h.hexdigest()
        object.__setattr__(table, "_digest", cached)
    return cached


def _plain(v: Any) -> Any:
    if isinstance(v, (np.floating,)):
        v = float(v)
        return None if np.isnan(v) else v
    if isinstance(v, float):
        return None if np.isnan(v) else v
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


@dataclass(frozen=True, eq=False)
class SiteTable(_Table):
    id: np.ndarray
    code: np.ndarray
    name: np.ndarray
    kind: np.ndarray            # warehouse / reserve_point / shelter
    status: np.ndarray          # built / planned / closed
    tier: np.ndarray            # district / town / village / None
    shelter_class: np.ndarray   # emergency / short / medium / long / None
    indoor_area: np.ndarray
    outdoor_area: np.ndarray
    stated_capacity: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    town: np.ndarray
    village: np.ndarray         # a village-level point's demand unit code (str / None)
    COLS: ClassVar = {"id": ("i", None), "code": ("O", None), "name": ("O", None),
                      "kind": ("O", "shelter"), "status": ("O", "built"), "tier": ("O", None),
                      "shelter_class": ("O", None), "indoor_area": ("f", None),
                      "outdoor_area": ("f", None), "stated_capacity": ("f", None),
                      "lon": ("f", None), "lat": ("f", None), "town": ("O", None),
                      "village": ("O", None)}


@dataclass(frozen=True, eq=False)
class ItemTable(_Table):
    id: np.ndarray
    code: np.ndarray
    name_zh: np.ndarray
    name_en: np.ndarray
    unit: np.ndarray
    norm_key: np.ndarray
    unit_price: np.ndarray
    COLS: ClassVar = {"id": ("i", None), "code": ("O", None), "name_zh": ("O", None),
                      "name_en": ("O", None), "unit": ("O", None), "norm_key": ("O", None),
                      "unit_price": ("f", None)}


@dataclass(frozen=True, eq=False)
class LotTable(_Table):
    id: np.ndarray
    site_id: np.ndarray
    item_id: np.ndarray
    quantity: np.ndarray
    mode: np.ndarray          # physical / agreement
    expiry: np.ndarray        # ISO date string or None
    lead_time_h: np.ndarray
    supplier: np.ndarray      # agreement supplier (str / None)
    COLS: ClassVar = {"id": ("i", None), "site_id": ("i", 0), "item_id": ("i", 0),
                      "quantity": ("f", 0.0), "mode": ("O", "physical"), "expiry": ("O", None),
                      "lead_time_h": ("f", None), "supplier": ("O", None)}


@dataclass(frozen=True, eq=False)
class DemandTable(_Table):
    id: np.ndarray
    code: np.ndarray
    name: np.ndarray
    town: np.ndarray
    population: np.ndarray
    vulnerable: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    sheltering_demand: np.ndarray   # 避难需求 override (nan: population × share)
    flags: np.ndarray               # tuple of str (易失联, 防汛重点村 …)
    COLS: ClassVar = {"id": ("i", None), "code": ("O", None), "name": ("O", None),
                      "town": ("O", None), "population": ("f", None), "vulnerable": ("f", None),
                      "lon": ("f", None), "lat": ("f", None), "sheltering_demand": ("f", None),
                      "flags": ("O", ())}


@dataclass(frozen=True, eq=False)
class TownTable(_Table):
    code: np.ndarray
    name: np.ndarray
    population: np.ndarray
    sheltering_share: np.ndarray    # nan: the plan's share
    COLS: ClassVar = {"code": ("O", None), "name": ("O", None), "population": ("f", None),
                      "sheltering_share": ("f", None)}


@dataclass(frozen=True, eq=False)
class RoadTable:
    """Road nodes (lon/lat arrays) and edges (node indices, class, oneway, length, maxspeed)."""

    node_lon: np.ndarray
    node_lat: np.ndarray
    edge_u: np.ndarray          # int64 node index
    edge_v: np.ndarray
    highway: np.ndarray         # object
    oneway: np.ndarray          # bool: driving only u → v
    length_m: np.ndarray
    maxspeed: np.ndarray        # km/h, nan = by class
    # per edge its line as WKB (bytes, WGS84; None: the straight segment), or None: all straight.
    # Kept encoded: bytes are not tracked by the garbage collector and take half the memory of a
    # shapely object with its GEOS geometry (at 100k nodes the 250k decoded lines were a third
    # of what every full collection walked); :meth:`lines` decodes them when needed
    geometry: np.ndarray | None = None
    node_id: np.ndarray | None = None   # database / OSM ids, for reference
    # per-edge permissions from the source's access tags (planner.io.osm): float 1.0 = allowed,
    # 0.0 = forbidden, nan = by highway class (the profile's network.walk_classes / drive_classes);
    # None = nan everywhere
    walk_access: np.ndarray | None = None
    drive_access: np.ndarray | None = None

    @property
    def n_nodes(self) -> int:
        return len(self.node_lon)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    @classmethod
    def from_arrays(cls, node_lon, node_lat, edge_u, edge_v, highway, oneway=None, length_m=None,
                    maxspeed=None, geometry=None, node_id=None, walk_access=None,
                    drive_access=None) -> RoadTable:
        """Column arrays → RoadTable. ``walk_access`` / ``drive_access``: per edge True / False /
        None (or 1.0 / 0.0 / nan): allowed, forbidden, by class; None for the whole column = by
        class everywhere."""
        node_lon = np.asarray(node_lon, dtype=np.float64)
        node_lat = np.asarray(node_lat, dtype=np.float64)
        edge_u = np.asarray(edge_u, dtype=np.int64)
        edge_v = np.asarray(edge_v, dtype=np.int64)
        m = len(edge_u)
        if isinstance(highway, str):
            hw = np.empty(m, dtype=object)
            hw[:] = highway
        else:
            hw = np.empty(m, dtype=object)
            hw[:] = list(highway)
        oneway = np.zeros(m, bool) if oneway is None else np.asarray(oneway, dtype=bool)
        if length_m is None:
            length_m = haversine_m(node_lon[edge_u], node_lat[edge_u], node_lon[edge_v], node_lat[edge_v])
        length_m = np.asarray(length_m, dtype=np.float64)
        maxspeed = np.full(m, np.nan) if maxspeed is None else np.asarray(
            [np.nan if x is None else x for x in maxspeed], dtype=np.float64)
        if geometry is not None:
            geometry = _wkb_column(geometry, m)
        return cls(node_lon, node_lat, edge_u, edge_v, hw, oneway, length_m, maxspeed, geometry,
                   None if node_id is None else np.asarray(node_id, dtype=np.int64),
                   _access(walk_access, m), _access(drive_access, m))

    @classmethod
    def empty(cls) -> RoadTable:
        return cls.from_arrays([], [], [], [], [])

    def lines(self) -> np.ndarray | None:
        """The edges' stored lines as shapely LineStrings (WGS84; None where an edge has none),
        decoded now (not kept); None when the table has no geometry column."""
        return None if self.geometry is None else shapely.from_wkb(self.geometry)

    @property
    def digest(self) -> str:
        """sha256 of the road network's content (nodes, edges, classes, oneway, lengths, speeds,
        geometries; not ``node_id``), computed once per table. Two snapshots of one plan (new
        objects, same roads) have the same digest: the key of the engine's graph cache."""
        return _digest(self)

    def _hash_into(self, h: Any) -> None:
        for name in ("node_lon", "node_lat", "edge_u", "edge_v", "oneway", "length_m", "maxspeed"):
            h.update(name.encode())
            h.update(np.ascontiguousarray(getattr(self, name)))   # in place: the bytes of tobytes()
        hw = self.__dict__.get("_highway_json")
        if hw is None:   # the costly part of hashing a road table (json of every class): done once
            hw = json.dumps(list(self.highway)).encode()
            object.__setattr__(self, "_highway_json", hw)
        h.update(hw)
        if self.geometry is not None:
            h.update(b"geometry")
            for wkb in self.geometry:
                h.update(b"-" if wkb is None else wkb)
        for name in ("walk_access", "drive_access"):
            arr = getattr(self, name)
            if arr is not None and not np.isnan(arr).all():   # all "by class": as before the column
                h.update(name.encode())
                h.update(np.ascontiguousarray(arr))

    def access(self, mode: str) -> np.ndarray:
        """Per-edge permission of ``mode`` ("walk" / "drive"): 1.0, 0.0 or nan (by class)."""
        arr = self.walk_access if mode == "walk" else self.drive_access
        return np.full(self.n_edges, np.nan) if arr is None else arr


def _wkb_column(geometry: Any, m: int) -> np.ndarray:
    """A geometry column as an object array of WKB bytes (None kept): shapely geometries are
    encoded (all at once), bytes-like values taken as they are."""
    g = np.empty(m, dtype=object)
    g[:] = list(geometry)
    shaped = np.array([x is not None and not isinstance(x, (bytes, bytearray, memoryview)) for x in g], dtype=bool)
    if shaped.any():
        g[shaped] = shapely.to_wkb(g[shaped])
    other = np.array([isinstance(x, (bytearray, memoryview)) for x in g], dtype=bool)
    if other.any():
        g[other] = [bytes(x) for x in g[other]]
    return g


def _access(values: Any, m: int) -> np.ndarray | None:
    """An access column as float64 (1.0 allowed, 0.0 forbidden, nan by class); None stays None."""
    if values is None:
        return None
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        out = values.astype(np.float64)
    else:
        out = np.array([np.nan if v is None or (isinstance(v, float) and np.isnan(v)) else float(bool(v))
                        for v in values], dtype=np.float64)
    if len(out) != m:
        raise ValueError(f"access column has {len(out)} values for {m} edges")
    return out


@dataclass(frozen=True, eq=False)
class Hazard:
    """A scenario hazard zone (kept for :func:`planner.engine.graph.RoadGraph.with_hazards`)."""

    name: str
    effect: str               # block / slow
    factor: float             # speed multiplier for slow (0 < factor ≤ 1)
    closes_sites: bool
    geometry: Any             # shapely (Multi)Polygon, WGS84


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    r = 6371008.8
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


@dataclass(frozen=True, eq=False)
class PlanInput:
    """Everything one engine run needs, as plain data. Build with make_input or
    :func:`planner.scenario.runs.load_snapshot`."""

    sites: SiteTable
    items: ItemTable
    lots: LotTable
    demand: DemandTable
    roads: RoadTable
    towns: TownTable
    norms: dict[str, Any]
    params: dict[str, Any]
    param_sources: dict[str, str]
    hazards: tuple[Hazard, ...] = ()
    scenario_name: str = "baseline"
    scenario_changes: dict[str, Any] = field(default_factory=dict)
    plan_name: str = ""
    # what apply_scenario did (closed_by_hazard, site/stock changes applied); {} for a baseline
    effects: dict[str, Any] = field(default_factory=dict)

    @property
    def inputs_hash(self) -> str:
        """sha256 of a canonical serialisation of every input (cached): the tables' own content
        digests (each computed once per table object and kept on it, so the road network of a
        rerun that reuses its table — :func:`planner.scenario.runs.load_snapshot` — is not hashed
        again: ≈ 0.25 s at 100k nodes), then norms, parameters, scenario and hazards."""
        cached = self.__dict__.get("_hash")
        if cached is not None:
            return cached
        h = hashlib.sha256()
        for part in ("sites", "items", "lots", "demand", "towns", "roads"):
            h.update(f"[{part}]".encode())
            h.update(getattr(self, part).digest.encode())
        h.update(json.dumps({"norms": self.norms, "params": self.params,
                             "scenario": self.scenario_name, "changes": self.scenario_changes},
                            sort_keys=True, ensure_ascii=False, default=str).encode())
        for hz in self.hazards:
            h.update(json.dumps([hz.name, hz.effect, hz.factor, hz.closes_sites]).encode())
            h.update(shapely.to_wkb(hz.geometry))
        digest = h.hexdigest()
        object.__setattr__(self, "_hash", digest)
        return digest

    def with_params(self, **overrides: Any) -> PlanInput:
        """A copy with some parameters replaced (source: 'override')."""
        params = {**self.params, **overrides}
        sources = {**self.param_sources, **{k: "override (caller)" for k in overrides}}
        new = dataclasses.replace(self, params=params, param_sources=sources)
        new.__dict__.pop("_hash", None)
        return new


def make_input(*, sites=(), items=(), lots=(), demand=(), towns=(), roads: RoadTable | None = None,
               norms: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
               plan: dict[str, Any] | None = None, hazards=(), scenario_name: str = "baseline",
               plan_name: str = "") -> PlanInput:
    """Build a PlanInput from plain dicts (tests, benchmarks, demo)."""
    if norms is None:
        norms = shipped_profile("cn_standard")
    values, sources = resolve_parameters(norms, plan=plan, overrides=params or {},
                                         override_label="caller")
    return PlanInput(
        sites=SiteTable.from_records(list(sites)), items=ItemTable.from_records(list(items)),
        lots=LotTable.from_records(list(lots)), demand=DemandTable.from_records(list(demand)),
        roads=roads if roads is not None else RoadTable.empty(),
        towns=TownTable.from_records(list(towns)), norms=norms, params=values,
        param_sources=sources, hazards=tuple(hazards), scenario_name=scenario_name,
        plan_name=plan_name)
