"""One entry point for importing a file of any kind: the CLI's ``import`` and the GUI's import
dialog both call :func:`import_file`, so they accept the same kinds with the same defaults.

The importers themselves are loaded on first use (osmium, openpyxl … only when needed).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from planner.io.errors import ImportReport
from planner.io.templates import IMPORT_MODES

__all__ = ["IMPORT_KINDS", "IMPORT_MODES", "NETWORK_KINDS", "TABLE_KINDS", "import_file"]

TABLE_KINDS = ("sites", "items", "stock", "demand", "towns")
NETWORK_KINDS = ("osm", "roads-geojson")
IMPORT_KINDS = (*NETWORK_KINDS, "boundary", *TABLE_KINDS)


def import_file(plan: Any, kind: str, path: str | Path, *, progress: Any = None,
                clip: bool = True, clip_buffer_m: float = 0.0, name: str | None = None,
                code: str | None = None, mode: str = "insert", crs: str = "wgs84",
                sheet: str | None = None, encoding: str | None = None, replace: bool = False,
                columns: dict[str, str] | None = None) -> ImportReport:
    """Import ``path`` as ``kind`` (one of :data:`IMPORT_KINDS`) into ``plan``.

    * ``osm``: :func:`planner.io.osm.import_osm` (``clip``: clip to the plan's district boundary,
      buffered by ``clip_buffer_m``; candidate sites too), then the offline basemap
      (:mod:`planner.io.basemap`: water, rivers, built-up areas, buildings; replaced);
    * ``roads-geojson``: :func:`planner.io.roads_geojson.import_road_geojson` (``clip`` as above);
    * ``boundary``: :func:`planner.io.tables.import_boundary` (``name``, ``code``: None → from the file);
    * a registry table: :func:`planner.io.tables.import_table` (``mode``, ``crs``, ``sheet``, ``encoding``,
      ``columns``: the file's column → template field, e.g. from :func:`planner.io.mapping.import_columns`).

    ``replace``: allow replacing what the plan holds when that is drastic — a boundary already
    there, a road network by one much smaller.

    ``progress`` (set_progress / is_cancelled, :mod:`planner.progress`) is passed to the network
    importers, which report and may raise :class:`planner.progress.Cancelled`; the table and
    boundary importers do not report progress. Raises
    :class:`planner.io.errors.ImportFailed` (nothing written) and ``ValueError`` for an unknown kind."""
    from sqlalchemy.exc import IntegrityError, SQLAlchemyError

    from planner.io.errors import ImportFailed, plan_problem

    try:
        return _import(plan, kind, path, progress=progress, clip=clip, clip_buffer_m=clip_buffer_m, name=name,
                       code=code, mode=mode, crs=crs, sheet=sheet, encoding=encoding, replace=replace,
                       columns=columns)
    except SQLAlchemyError as exc:
        if isinstance(exc, IntegrityError):
            raise
        # locked, read-only, disk full …: the plan's fault, never a row's
        raise ImportFailed([plan_problem(plan, exc)]) from exc


def _import(plan: Any, kind: str, path: str | Path, *, progress: Any, clip: bool, clip_buffer_m: float,
            name: str | None, code: str | None, mode: str, crs: str, sheet: str | None, encoding: str | None,
            replace: bool, columns: dict[str, str] | None = None) -> ImportReport:
    boundary = "plan" if clip else None
    if kind == "osm":
        from planner.io import basemap
        from planner.io.network import resolve_boundary
        from planner.io.osm import import_osm
        from planner.progress import Span

        t0 = time.perf_counter()
        # the basemap (water, rivers, built-up areas, buildings) is read first and written after
        # the roads: a refused road import leaves both as they were
        base = basemap.read_basemap(path, boundary=resolve_boundary(plan, boundary), clip_buffer_m=clip_buffer_m,
                                    progress=Span(progress, 0.0, 0.3))
        rep = import_osm(plan, path, boundary=boundary, clip_buffer_m=clip_buffer_m,
                         progress=Span(progress, 0.3, 0.95) if progress is not None else None,
                         allow_smaller=replace)
        basemap.write_basemap(plan, base, reason=f"import basemap from {Path(path).name}")
        basemap.add_to_report(rep, base)
        rep.seconds = round(time.perf_counter() - t0, 3)      # roads and basemap
        rep.stats["seconds"] = rep.seconds
        return rep
    if kind == "roads-geojson":
        from planner.io.roads_geojson import import_road_geojson

        return import_road_geojson(plan, path, boundary=boundary, clip_buffer_m=clip_buffer_m,
                                   progress=progress, allow_smaller=replace)
    if kind == "boundary":
        from planner.io.tables import import_boundary

        return import_boundary(plan, path, name=name, code=code, replace=replace, encoding=encoding)
    if kind in TABLE_KINDS:
        from planner.io.tables import import_table

        return import_table(plan, kind, path, mode=mode, crs=crs, sheet=sheet, encoding=encoding, columns=columns)
    from planner.text import text

    raise ValueError(text("import.unknown_kind", kind=repr(kind), kinds=", ".join(IMPORT_KINDS)))
