"""A new plan from a district's files in one go (the GUI's new-plan wizard; 新建规划向导).

:func:`build_new_plan` creates the plan file (:func:`planner.store.create_plan`), then imports,
each optional, through the same importers as ``esplan-cli import``:

1. the district boundary (GeoJSON, :func:`planner.io.tables.import_boundary`);
2. the road network of an OpenStreetMap extract (:func:`planner.io.osm.import_osm`), clipped to the
   boundary buffered by ``clip_buffer_m`` (default :data:`DEFAULT_CLIP_BUFFER_M`; no boundary: not
   clipped, which the report's notes say);
3. the registry tables — towns, villages / demand units, sites, supply items, stock — in one
   transaction (:func:`planner.io.tables.import_batch`: all or nothing, towns before the villages
   that name them), each read through its column mapping (:mod:`planner.io.mapping`) with its own
   coordinate system.

If any step fails or is cancelled, the new plan file is deleted (with its ``-wal``/``-shm``
journal) unless ``keep_on_failure``: no half-made plan is left behind. An existing file is never
overwritten. Progress and cancel follow :mod:`planner.progress`.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.io.errors import ImportReport
from planner.progress import Cancelled
from planner.text import text as _t

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_CLIP_BUFFER_M", "NewPlanSpec", "TableFile", "boundary_summary", "build_new_plan",
           "district_code_problem"]

#: how far beyond the district boundary roads are kept (villages near the edge reach them)
DEFAULT_CLIP_BUFFER_M = 2000.0

#: the first two digits of a Chinese 统计用区划代码: the provinces (GB/T 2260)
_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82"})


def district_code_problem(code: str) -> str | None:
    """None if ``code`` is a 6-digit county-level 区划代码 (a known province, a city and county
    part that are not 00), else what is wrong with it (in the language in force)."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        return _t("import.newplan.code.six_digits", code=code)
    if code[:2] not in _PROVINCES:
        return _t("import.newplan.code.province", code=code, province=code[:2])
    if code[4:] == "00":
        return _t("import.newplan.code.county", code=code)
    return None


def boundary_summary(path: str | Path) -> dict[str, Any]:
    """What a boundary file holds, for the wizard to show before importing it: ``area_km2``,
    ``bounds`` (lon/lat), ``name`` and ``code`` from its properties (None if absent). Raises
    :class:`planner.io.errors.ImportFailed` when it holds no readable polygon (the import checks
    the rest: validity, CRS, China)."""
    import shapely
    from shapely.geometry import shape

    from planner.geo import area_km2
    from planner.io.errors import ImportFailed, ImportProblem, explain
    from planner.io.tables import _load_json

    f = str(path)
    try:
        obj = _load_json(Path(path))
    except (OSError, ValueError) as exc:
        raise ImportFailed([ImportProblem(f, None, None, _t("import.geojson.invalid", why=explain(exc)))]) from exc
    feats = obj.get("features") if isinstance(obj, dict) and obj.get("type") == "FeatureCollection" else \
        [obj] if isinstance(obj, dict) and obj.get("type") == "Feature" else \
        [{"geometry": obj, "properties": {}}]
    geoms: list[Any] = []
    props: dict[str, Any] = {}
    for ft in feats or []:
        g = ft.get("geometry") if isinstance(ft, dict) else None
        if isinstance(g, dict) and g.get("type") in ("Polygon", "MultiPolygon"):
            try:
                geoms.append(shape(g))
            except Exception:  # noqa: BLE001 - malformed: the import names it; here: no polygon
                log.info("%s: a malformed polygon", f, exc_info=True)
                continue
            props = props or dict(ft.get("properties") or {})
    if not geoms:
        raise ImportFailed([ImportProblem(f, None, None, _t("import.boundary.no_polygon"))])
    geom = shapely.union_all(geoms)
    code = props.get("code") or props.get("adcode") or props.get("gb")
    return {"area_km2": area_km2(geom), "bounds": tuple(geom.bounds),
            "name": props.get("name") if isinstance(props.get("name"), str) else None,
            "code": None if code is None else str(code)}


@dataclass
class TableFile:
    """One registry file to import: ``kind`` (towns, demand, sites, items, stock), the file, the
    ``columns`` argument from :func:`planner.io.mapping.import_columns` (None: the template's
    names), the coordinate system of its lon/lat."""

    kind: str
    path: str
    columns: dict[str, str] | None = None
    crs: str = "wgs84"
    sheet: str | None = None
    encoding: str | None = None


@dataclass
class NewPlanSpec:
    path: str
    name: str
    district_code: str
    district_name: str | None = None
    boundary: str | None = None
    osm: str | None = None
    clip_buffer_m: float = DEFAULT_CLIP_BUFFER_M
    tables: list[TableFile] = field(default_factory=list)
    keep_on_failure: bool = False


class _Part:
    """Progress of one step mapped into [start, end] of the whole."""

    def __init__(self, progress: Any, start: float, end: float):
        self.progress, self.start, self.end = progress, start, end

    def set_progress(self, fraction: float, message: str) -> None:
        if self.progress is not None:
            self.progress.set_progress(self.start + (self.end - self.start) * max(0.0, min(1.0, fraction)), message)

    def is_cancelled(self) -> bool:
        return bool(self.progress is not None and self.progress.is_cancelled())


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build_new_plan(spec: NewPlanSpec, progress: Any = None, *, user: str | None = None) -> list[ImportReport]:
    """Create the plan of ``spec`` and import its files (see the module); returns the imports'
    reports in order. Raises what the failing step raised (:class:`planner.io.errors.ImportFailed`
    naming file, row and field; :class:`planner.store.PlanError`; :class:`planner.progress.Cancelled`)
    after deleting the new file unless ``spec.keep_on_failure``."""
    from planner.store import PlanError, create_plan

    path = Path(spec.path).expanduser()
    problem = district_code_problem(spec.district_code)
    if problem:
        raise ValueError(problem)
    if path.exists():
        raise PlanError(_t("import.newplan.exists", path=str(path)))
    whole = _Part(progress, 0.0, 1.0)

    def step(fraction: float, message: str) -> None:
        if whole.is_cancelled():
            raise Cancelled("cancelled")
        whole.set_progress(fraction, message)

    step(0.0, _t("import.newplan.progress.create", path=path.name))
    plan = create_plan(path, name=spec.name, district_name=spec.district_name or None,
                       district_code=spec.district_code.strip(), user=user)
    reports: list[ImportReport] = []
    try:
        if spec.boundary:
            step(0.05, _t("import.newplan.progress.boundary"))
            from planner.io.tables import import_boundary

            reports.append(import_boundary(plan, spec.boundary, name=spec.district_name or None,
                                           code=spec.district_code.strip(), user=user))
        if spec.osm:
            step(0.1, _t("import.newplan.progress.osm"))
            from planner.io.osm import import_osm

            reports.append(import_osm(plan, spec.osm, boundary="plan" if spec.boundary else None,
                                      clip_buffer_m=spec.clip_buffer_m if spec.boundary else 0.0,
                                      progress=_Part(progress, 0.1, 0.8)))
        if spec.tables:
            step(0.8, _t("import.newplan.progress.tables", n=len(spec.tables)))
            from planner.io.tables import import_batch

            files = [(t.kind, t.path, {"columns": t.columns, "crs": t.crs, "sheet": t.sheet,
                                       "encoding": t.encoding}) for t in spec.tables]
            reports.extend(import_batch(plan, files, user=user))
        step(1.0, _t("import.newplan.progress.done"))
    except BaseException:
        plan.dispose()
        if spec.keep_on_failure:
            log.warning("new plan %s: a step failed; the partly made plan is kept as asked", path)
        else:
            log.warning("new plan %s: a step failed; the new file is deleted", path)
            _remove(path)
        raise
    plan.dispose()
    return reports
