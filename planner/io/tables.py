"""Import and export of the registries: sites, supply items, stock lots, demand units, admin units,
and the district boundary.

Files: CSV (UTF-8 with or without BOM; GB18030 as written by Chinese Excel only when the text
validates as such — else refused, or named with ``encoding``; read strictly: open quotes, ragged
rows refused), XLSX (first sheet or a named one; streamed, bounded, through defusedxml) and GeoJSON
(a FeatureCollection of Point features, properties = the columns; features without geometry are
unlocated rows; NaN/Infinity refused). What is checked and why: docs/import.md. The columns are
described in :mod:`planner.io.templates` (English keys, Chinese aliases, Chinese enum values).

Strict validation: every row and field is checked *before anything is written* and every problem
is collected; if there is any, :class:`~planner.io.errors.ImportFailed` is raised listing each one
(file, row as the user sees it — header = row 1, first data row = row 2; for GeoJSON the 0-based
feature index —, field, message, value) and the plan is unchanged. Otherwise all rows are written
in one ``plan.transaction`` (audited) and an :class:`~planner.io.errors.ImportReport` is returned.

Modes (:data:`IMPORT_MODES`): ``insert`` (the default) refuses a row whose code (stock: site +
item + batch, an empty batch being the site's one unbatched lot of the item) is already in the
plan, so a second import never doubles anything; ``upsert`` updates that row and sets only the
columns present in the file (an empty cell in a present column clears that value or restores the
column's default); ``replace`` (stock only) replaces the stock of every site named in the file —
the only mode that deletes rows.

Checked: required fields, types (numbers, dates, codes), negative quantities/areas/populations,
vulnerable > population, enum values, unknown site/item codes in stock (sites/items in the same
batch count), unit mismatch (kg↔t↔g, L↔mL↔m³ are converted; anything else is refused),
duplicate codes in the file, codes clashing with existing rows (``mode="insert"``; ``"upsert"``
updates them instead), lon/lat outside the world or given only half, points outside the
district boundary (buffered by ``district_tolerance_m`` in a local UTM projection), admin codes
mangled by Excel, unknown town codes (when the plan has admin units), agreement stock without a
lead time.

Public API::

    import_table(plan, kind, path, *, mode="insert", crs="wgs84", sheet=None, user=None,
                 district_tolerance_m=2000, columns=None, defaults=None, encoding=None) -> ImportReport
    import_batch(plan, files, *, mode="insert", crs="wgs84", user=None,
                 district_tolerance_m=2000) -> list[ImportReport]
    read_table(path, kind, sheet=None, *, columns=None) -> list[dict]
    export_table(plan, kind, path) -> int            # .csv / .xlsx / .geojson by suffix
    import_boundary(plan, path, *, name=None, code=None, role="district", source=None,
                    user=None, replace=False, encoding=None) -> ImportReport
    write_template(kind, path)                        # from planner.io.templates
"""
from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
import logging
import math
import re
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import shapely
from shapely.geometry import mapping as geom_mapping, shape as geom_shape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from planner import models as m
from planner.geo import WGS84, area_km2, to_metric, transformer, utm_epsg
from planner.io.coords import normalise_crs, to_wgs84
from planner.io.errors import ImportFailed, ImportProblem, ImportReport, explain, kind_label, plan_problem
from planner.io.templates import (
    IMPORT_MODES,
    TEMPLATES,
    Column,
    TableSpec,
    canonical_kind,
    normalise_header,
    write_template,
)
from planner.text import text as _t

log = logging.getLogger(__name__)

__all__ = ["import_table", "import_batch", "read_table", "export_table", "import_boundary",
           "write_template", "TEMPLATES", "UNIT_FACTORS", "convert_quantity", "IMPORT_MODES"]

MODELS: dict[str, type[m.Base]] = {
    "sites": m.Site, "items": m.SupplyItem, "stock": m.StockLot, "demand": m.DemandUnit,
    "admin_units": m.AdminUnit,
}
#: the order in which a batch is validated and written (references point backwards)
ORDER = ("admin_units", "items", "sites", "demand", "stock")

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
GEOJSON_SUFFIXES = (".geojson", ".json")

#: unit → (dimension, factor to the dimension's base unit); kg↔t↔g, L↔mL↔m³
UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "g": ("mass", 0.001), "克": ("mass", 0.001),
    "kg": ("mass", 1.0), "千克": ("mass", 1.0), "公斤": ("mass", 1.0),
    "t": ("mass", 1000.0), "吨": ("mass", 1000.0),
    "ml": ("volume", 0.001), "毫升": ("volume", 0.001),
    "l": ("volume", 1.0), "升": ("volume", 1.0),
    "m³": ("volume", 1000.0), "m3": ("volume", 1000.0), "立方米": ("volume", 1000.0),
}

_SCI = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_DIGITS = re.compile(r"^\d+$")
_DATE_PATTERNS = (
    # a time of day may follow (an Excel datetime as text); nothing else ("2027-12-31 左右" is refused)
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: text starting with one of these is a formula to a spreadsheet: exports put an apostrophe before it
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
_FOREIGN_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{1,11}")
#: units counted in whole pieces: a quantity of 2.5 床 is refused (the kg/L family is continuous)
PIECE_UNITS = frozenset({
    "件", "个", "床", "顶", "台", "张", "套", "箱", "袋", "瓶", "桶", "块", "条", "双", "部", "辆", "只", "把",
    "盒", "包", "副", "组", "架", "艘", "支", "根", "卷", "份", "人份", "具", "面", "盏", "付",
    "pcs", "pc", "piece", "pieces", "unit", "units", "set", "sets", "box", "boxes", "bag", "bags",
    "bottle", "bottles", "tent", "tents", "each", "ea",
})


# =============================================================================================
# reading
# =============================================================================================
@dataclass
class _Sheet:
    """What was read from one file: rows keyed by canonical column names."""

    file: str
    fmt: str                                   # csv / xlsx / geojson
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    present: set[str] = field(default_factory=set)      # canonical columns in the file
    ignored: list[str] = field(default_factory=list)    # headers not understood
    problems: list[ImportProblem] = field(default_factory=list)
    header_row: int | None = 1


def _unit_key(u: str) -> str:
    s = u.strip().replace(" ", "")
    return s if s in ("m³",) else s.lower()


def convert_quantity(q: float, from_unit: str, to_unit: str) -> float | None:
    """``q`` in ``from_unit`` expressed in ``to_unit``; None if the units are not convertible."""
    a, b = _unit_key(from_unit), _unit_key(to_unit)
    if a == b:
        return q
    fa, fb = UNIT_FACTORS.get(a), UNIT_FACTORS.get(b)
    if fa is None or fb is None or fa[0] != fb[0]:
        return None
    return float(f"{q * fa[1] / fb[1]:.12g}")


def _header_map(spec: TableSpec, headers: Sequence[Any],
                columns: Mapping[str, str] | None) -> tuple[dict[int, str], list[str], list[tuple[str, str]]]:
    """Column index → canonical key; ignored headers; duplicates (header, key)."""
    lookup: dict[str, str] = {}
    for c in spec.columns:
        lookup.setdefault(normalise_header(c.key), c.key)
    for c in spec.columns:
        for a in c.aliases:
            lookup.setdefault(normalise_header(a), c.key)
    user_map = {normalise_header(k): v for k, v in (columns or {}).items()}
    out: dict[int, str] = {}
    ignored: list[str] = []
    dups: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for i, h in enumerate(headers):
        if h is None or str(h).strip() == "":
            continue
        n = normalise_header(h)
        key = None
        if columns and str(h).strip() in columns:
            key = columns[str(h).strip()]
        elif n in user_map:
            key = user_map[n]
        elif n in lookup:
            key = lookup[n]
        if key is None or key == "":
            ignored.append(str(h).strip())
            continue
        if key in seen:
            dups.append((str(h).strip(), key))
            continue
        seen[key] = str(h)
        out[i] = key
    return out, ignored, dups


class _Undecodable(ValueError):
    """The bytes are not UTF-8 and no other encoding can be told for sure (message for the user)."""


def _decode(data: bytes, encoding: str | None = None) -> str:
    """The file's text: UTF-8 (with or without BOM), or GB18030 (Chinese Excel's "CSV") only when
    the text validates as Chinese text — every non-ASCII character a GB2312 one, or bytes that
    Windows-1252 cannot decode at all. A Latin-1/Windows-1252 file decodes as GB18030 too, into
    rare characters ("Aixà" → "Aix鄐"): that is refused, not guessed; ``encoding`` says which."""
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise _Undecodable(_t("import.file.unknown_encoding", encoding=repr(encoding))) from None
        except UnicodeDecodeError as exc:
            raise _Undecodable(_t("import.file.not_valid_encoding", encoding=encoding, byte=exc.start)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise _Undecodable(_t("import.file.cannot_decode")) from None
    if _plain_chinese(text):
        return text
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return text           # not Windows-1252 either: GB18030 (with rare characters) it is
    raise _Undecodable(_t("import.file.ambiguous_encoding"))


def _plain_chinese(text: str) -> bool:
    for ch in set(text):
        if ord(ch) < 128:
            continue
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            return False
    return True


#: a cell longer than Excel's own limit is refused (a runaway quote or a pasted document)
MAX_CELL_CHARS = 32767
#: files larger than this are refused before they are read
MAX_FILE_BYTES = 256 * 1024 * 1024
#: a worksheet may have at most this many rows and columns (a cell at XFD1048576 declares 17·10⁹)
MAX_ROWS = 1_000_000
MAX_COLUMNS = 1000


def _too_big(path: Path, sh: _Sheet) -> bool:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        sh.problems.append(ImportProblem(str(path), None, None, _t(
            "import.file.too_big", size=f"{size / 2**20:.0f}", limit=MAX_FILE_BYTES // 2**20)))
        return True
    return False


#: an XLSX is a zip: what its parts unpack to is capped too (the shared strings are read whole)
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024


def _zip_bomb(path: Path, sh: _Sheet) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False            # not a zip: openpyxl says what is wrong with it
    if total > MAX_UNPACKED_BYTES:
        sh.problems.append(ImportProblem(str(path), None, None, _t(
            "import.file.unpacks_to", size=f"{total / 2**20:,.0f}", limit=f"{MAX_UNPACKED_BYTES // 2**20:,}")))
        return True
    return False


def _read_csv(path: Path, spec: TableSpec, columns: Mapping[str, str] | None, sh: _Sheet,
              encoding: str | None = None) -> list[list[Any]]:
    """Strict CSV: a quote left open, text after a closing quote, a cell over the size limit, a
    quoted cell that runs over several lines *and* holds the delimiter (a quote left open that
    swallowed the following rows) are refused with the row; surplus cells are checked in _read."""
    f = str(path)
    if _too_big(path, sh):
        return []
    try:
        text = _decode(path.read_bytes(), encoding)
    except _Undecodable as exc:
        sh.problems.append(ImportProblem(f, None, None, str(exc)))
        return []
    end = text.find("\n")
    first = text[:end] if end >= 0 else text
    delim = "\t" if first.count("\t") > first.count(",") else ","
    buf = io.StringIO(text, newline="")
    del text          # the buffer holds its own copy: one is enough (a large file's memory)
    reader = csv.reader(buf, delimiter=delim, strict=True)
    rows: list[list[Any]] = []
    start = 1
    try:
        for r in reader:
            for j, cell in enumerate(r):
                if "\n" in cell and delim in cell:
                    name = r[0] if j else ""
                    sh.problems.append(ImportProblem(
                        f, len(rows) + 1, None, _t("import.csv.quote_runs_over", cell=j + 1, start=start,
                                                    lines=cell.count(chr(10)) + 1, end=reader.line_num),
                        (name + " " + cell[:60]).strip()))
                    return []
            rows.append(r)
            start = reader.line_num + 1
    except csv.Error as exc:
        why = str(exc)
        if "unexpected end of data" in why:
            why = _t("import.csv.quote_never_closed")
        elif "field larger than field limit" in why:
            why = _t("import.csv.cell_too_large", limit=csv.field_size_limit() // 1024)
        elif "expected after" in why:
            why = _t("import.csv.text_after_quote", why=why)
        sh.problems.append(ImportProblem(f, len(rows) + 1, None, _t("import.csv.malformed", line=start, why=why)))
        return []
    return rows


def _read_xlsx(path: Path, sheet: str | None, sh: _Sheet) -> list[list[Any]]:
    """The sheet's rows, read streaming (openpyxl's read-only mode, XML through defusedxml: no
    entity expansion), refused beyond :data:`MAX_ROWS` × :data:`MAX_COLUMNS` cells. The declared
    dimension is ignored (a lone cell at XFD1048576 would pad every row to 16384 cells)."""
    import openpyxl
    from openpyxl import load_workbook

    f = str(path)
    if not openpyxl.DEFUSEDXML:   # openpyxl parses with defusedxml when it is installed (a dependency)
        sh.problems.append(ImportProblem(f, None, None, _t("import.xlsx.no_defusedxml")))
        return []
    if _too_big(path, sh) or _zip_bomb(path, sh):
        return []
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook: reported to the user as a problem
        why = explain(exc)
        if "Forbidden" in type(exc).__name__:
            why = _t("import.xlsx.entities", why=why)
        sh.problems.append(ImportProblem(f, None, None, _t("import.xlsx.cannot_read", why=why)))
        return []
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            sh.problems.append(ImportProblem(f, None, "sheet", _t("import.xlsx.no_sheet", sheet=repr(sheet),
                                                                     sheets=", ".join(wb.sheetnames)), sheet))
            return []
        if not hasattr(ws, "reset_dimensions"):   # a chart sheet
            sh.problems.append(ImportProblem(f, None, "sheet", _t("import.xlsx.no_table"), ws.title))
            return []
        ws.reset_dimensions()
        rows: list[list[Any]] = []
        blank_run = 0
        for n, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            values = list(cells)
            while values and _blank(values[-1]):
                values.pop()
            if n > MAX_ROWS and values:   # (empty formatted rows beyond the cap cost time, not memory)
                sh.problems.append(ImportProblem(f, n, None, _t("import.xlsx.too_many_rows", row=f"{n:,}",
                                                                limit=f"{MAX_ROWS:,}")))
                return []
            if len(values) > MAX_COLUMNS:
                sh.problems.append(ImportProblem(f, n, None, _t("import.xlsx.too_many_columns", column=len(values),
                                                                limit=MAX_COLUMNS)))
                return []
            if values:
                rows.extend([] for _ in range(blank_run))
                blank_run = 0
                rows.append(values)
            else:
                blank_run += 1    # trailing blank rows are not kept (a sheet formatted to row 10⁶)
        return rows
    except Exception as exc:  # noqa: BLE001 - a damaged or hostile workbook: reported as a problem
        why = explain(exc)
        if "Forbidden" in type(exc).__name__:   # defusedxml: EntitiesForbidden, DTDForbidden …
            why = _t("import.xlsx.entities", why=why)
        sh.problems.append(ImportProblem(f, None, None, _t("import.xlsx.cannot_read", why=why)))
        return []
    finally:
        wb.close()



def _geojson_crs_ok(obj: Mapping[str, Any]) -> str | None:
    """None if the GeoJSON's declared CRS is WGS84/CGCS2000 geographic (or absent), else its name."""
    crs = obj.get("crs")
    if not crs:
        return None
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, Mapping) else str(crs)
    n = name.upper().replace("::", ":")
    if any(n.endswith(t) for t in (":4326", ":4490", "CRS84", ":CRS84")) or n in ("EPSG:4326", "EPSG:4490"):
        return None
    return name or repr(crs)


def _no_constant(name: str) -> Any:
    raise ValueError(_t("import.json.constant", name=name))


def _load_json(path: Path, encoding: str | None = None) -> Any:
    """Strict JSON: NaN/Infinity refused (ValueError), encoding as for CSV (_Undecodable)."""
    return json.loads(_decode(path.read_bytes(), encoding), parse_constant=_no_constant)


def _is_coord(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _read_geojson(path: Path, spec: TableSpec, columns: Mapping[str, str] | None, sh: _Sheet,
                  encoding: str | None = None) -> None:
    sh.fmt, sh.header_row = "geojson", None
    f = str(path)
    if _too_big(path, sh):
        return
    try:
        obj = _load_json(path, encoding)
    except ValueError as exc:   # _Undecodable too
        sh.problems.append(ImportProblem(f, None, None, _t("import.geojson.invalid", why=explain(exc))))
        return
    if not isinstance(obj, Mapping) or obj.get("type") != "FeatureCollection" or not isinstance(
            obj.get("features"), list):
        sh.problems.append(ImportProblem(f, None, None, _t("import.geojson.not_collection")))
        return
    bad_crs = _geojson_crs_ok(obj)
    if bad_crs:
        sh.problems.append(ImportProblem(f, None, "crs", _t("import.geojson.crs"), bad_crs))
        return
    feats = obj["features"]
    keys: list[str] = []
    for ft in feats:
        for k in (ft.get("properties") or {}) if isinstance(ft, Mapping) else ():
            if k not in keys:
                keys.append(k)
    hmap, ignored, dups = _header_map(spec, keys, columns)
    sh.ignored = ignored
    for h, k in dups:
        sh.problems.append(ImportProblem(f, None, h, _t("import.geojson.second_property", column=repr(k)), h))
    for i, ft in enumerate(feats):
        if not isinstance(ft, Mapping) or ft.get("type") != "Feature":
            sh.problems.append(ImportProblem(f, i, None, _t("import.geojson.not_feature")))
            continue
        props = ft.get("properties") or {}
        row: dict[str, Any] = {}
        for j, k in enumerate(keys):
            if j in hmap and k in props:
                row[hmap[j]] = props[k]
        geom = ft.get("geometry")
        if geom is not None:
            coords = geom.get("coordinates") if isinstance(geom, Mapping) else None
            if not isinstance(geom, Mapping) or geom.get("type") != "Point" or not isinstance(
                    coords, (list, tuple)) or len(coords) < 2:
                sh.problems.append(ImportProblem(f, i, "geometry", _t("import.geojson.points_only"),
                                                 geom.get("type") if isinstance(geom, Mapping) else geom))
                continue
            if not (_is_coord(coords[0]) and _is_coord(coords[1])):
                sh.problems.append(ImportProblem(f, i, "geometry", _t("import.geojson.two_numbers"),
                                                 repr(coords[:2])[:80]))
                continue
            row["lon"], row["lat"] = coords[0], coords[1]
            sh.present.update(("lon", "lat"))
        sh.rows.append((i, row))
    sh.present.update(hmap.values())


def _read(path: str | Path, kind: str, sheet: str | None = None,
          columns: Mapping[str, str] | None = None, encoding: str | None = None) -> _Sheet:
    spec = TEMPLATES[canonical_kind(kind)]
    path = Path(path)
    sh = _Sheet(str(path), "csv")
    if not path.is_file():
        sh.problems.append(ImportProblem(str(path), None, None, _t("import.file.not_found")))
        return sh
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        _read_geojson(path, spec, columns, sh, encoding)
        _check_cells(sh)
        return sh
    if suffix in CSV_SUFFIXES:
        raw = _read_csv(path, spec, columns, sh, encoding)
    elif suffix in XLSX_SUFFIXES:
        sh.fmt = "xlsx"
        raw = _read_xlsx(path, sheet, sh)
    else:
        sh.problems.append(ImportProblem(str(path), None, None, _t("import.file.unsupported"), path.suffix))
        return sh
    if sh.problems:
        return sh
    # the header is the first row; blank rows are skipped but still counted
    if not raw or all(_blank(v) for v in raw[0]):
        sh.problems.append(ImportProblem(str(path), 1, None, _t("import.file.header_row")))
        return sh
    hmap, ignored, dups = _header_map(spec, raw[0], columns)
    sh.ignored = ignored
    for h, k in dups:
        sh.problems.append(ImportProblem(str(path), 1, h, _t("import.file.two_columns", column=repr(k)), h))
    sh.present = set(hmap.values())
    width = len(raw[0])
    while width and _blank(raw[0][width - 1]):
        width -= 1
    raw.reverse()
    raw.pop()         # the header; the data rows are consumed (and freed) in order below
    n = 1
    while raw:
        values = raw.pop()
        n += 1
        if all(_blank(v) for v in values):
            continue
        surplus = [v for v in values[width:] if not _blank(v)]
        if surplus and sh.fmt == "csv":
            # an unquoted comma in a value shifts every later field: refused, never cut off
            sh.problems.append(ImportProblem(str(path), n, None, _t("import.csv.surplus_cells",
                                                                     cells=width + len(values[width:]),
                                                                     width=width), surplus[0]))
            continue
        row = {key: values[i] for i, key in hmap.items() if i < len(values)}
        if sh.fmt == "csv":
            row = {k: _unescape(v) for k, v in row.items()}
        sh.rows.append((n, row))
    _check_cells(sh)
    return sh


def _unescape(v: Any) -> Any:
    """Take off the apostrophe a CSV export puts before text a spreadsheet would run as a formula."""
    if isinstance(v, str) and len(v) > 1 and v[0] == "'" and v[1] in _FORMULA_LEAD:
        return v[1:]
    return v


def _check_cells(sh: _Sheet) -> None:
    """Cells over :data:`MAX_CELL_CHARS` are refused (with row and field), not cut or stored."""
    for n, row in sh.rows:
        for k, v in row.items():
            if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                sh.problems.append(ImportProblem(sh.file, n, k, _t("import.file.cell_too_long", chars=f"{len(v):,}",
                                                                   limit=f"{MAX_CELL_CHARS:,}"), v[:40] + "…"))


def read_table(path: str | Path, kind: str, sheet: str | None = None, *,
               columns: Mapping[str, str] | None = None, encoding: str | None = None) -> list[dict[str, Any]]:
    """The raw rows of a registry file, keyed by canonical column names (values unparsed).

    Each dict also has ``_row``: the row number as the user sees it (header = 1) or, for GeoJSON,
    the feature index. Columns that are not understood are left out (see :func:`import_table`'s
    notes). File-level problems (unreadable file, no header …) raise :class:`ImportFailed`.
    """
    sh = _read(path, kind, sheet, columns, encoding)
    if sh.problems:
        raise ImportFailed(sh.problems)
    return [{"_row": n, **row} for n, row in sh.rows]


# =============================================================================================
# parsing single values
# =============================================================================================
class _Bad(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "") or (isinstance(v, float) and math.isnan(v))


#: invisible characters that arrive with copy-and-paste from web pages and chat programs: a code
#: "S01" + U+200B must be the code S01, not a new one
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def _has_invisible(s: str) -> bool:
    return any(ord(ch) in _INVISIBLE for ch in s)


def _clean(s: str) -> str:
    """NFC (one spelling of é, of a Hangul/CJK compatibility form …), invisible characters removed."""
    return unicodedata.normalize("NFC", s).translate(_INVISIBLE).strip()


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return _clean(str(v))


def _code(v: Any) -> str:
    if isinstance(v, bool):
        raise _Bad(_t("import.value.code_bool"))
    if isinstance(v, (dt.date, dt.time)):
        raise _Bad(_t("import.value.code_date"))
    if isinstance(v, float):
        if not v.is_integer():
            raise _Bad(_t("import.value.code_decimal"))
        return str(int(v))
    if isinstance(v, int):
        return str(v)
    s = _text(v)
    if _SCI.match(s):
        raise _Bad(_t("import.value.code_scientific"))
    if re.fullmatch(r"\d+\.0+", s):  # 370406001001.0 from a float round trip
        s = s.split(".")[0]
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in s):
        raise _Bad(_t("import.value.code_control", chars=s.encode('unicode_escape').decode()))
    return s


def _admin_code(v: Any, country: str = "CN") -> str:
    """A 统计用区划代码 (6, 9 or 12 digits) in a Chinese plan; in a plan of another country (plan
    info ``extra.country``, ISO 3166-1 alpha-2) that country's own codes: letters, digits, '-'."""
    s = _code(v)
    if country == "CN":
        if not _DIGITS.match(s) or len(s) not in (6, 9, 12):
            raise _Bad(_t("import.value.admin_code"))
    elif not _FOREIGN_CODE.fullmatch(s):
        raise _Bad(_t("import.value.admin_code_foreign", country=country))
    return s


_NUM_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NUM_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _number(v: Any) -> float:
    """A number: a JSON/Excel number, or text with a decimal point. Thousands separators (',' or
    the full-width '，', also a space) must group by three: "1,500" is 1500, "1,5" is refused —
    in half the world it means 1.5, and a guess would store 15 or 1.5."""
    if isinstance(v, bool):
        raise _Bad(_t("import.value.number"))
    if isinstance(v, (int, float)):
        f = float(v)
    elif isinstance(v, str):
        s = unicodedata.normalize("NFKC", v).translate(_INVISIBLE).strip().replace("\u2212", "-")
        s = re.sub(r"(?<=\d) (?=\d{3}\b)", ",", s)      # 1 500 → 1,500 (then checked as such)
        if "," in s:
            if not _NUM_GROUPED.fullmatch(s):
                raise _Bad(_t("import.value.ambiguous_number"))
            s = s.replace(",", "")
        if not _NUM_PLAIN.fullmatch(s):
            raise _Bad(_t("import.value.number"))
        f = float(s)
    else:
        raise _Bad(_t("import.value.number"))
    if not math.isfinite(f):
        raise _Bad(_t("import.value.finite"))
    return f


def _int(v: Any) -> int:
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    f = _number(v)
    if not f.is_integer():
        raise _Bad(_t("import.value.whole"))
    return int(f)


def _date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _excel_serial(float(v))
    s = unicodedata.normalize("NFKC", str(v)).translate(_INVISIBLE).strip()
    for pat in _DATE_PATTERNS:
        mt = pat.fullmatch(s)
        if mt:
            try:
                return dt.date(int(mt.group(1)), int(mt.group(2)), int(mt.group(3)))
            except ValueError:
                raise _Bad(_t("import.value.calendar_date")) from None
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        return _excel_serial(float(s))
    raise _Bad(_t("import.value.date_only"))


def _excel_serial(f: float) -> dt.date:
    if not (1 <= f < 2958466) or not float(f).is_integer():
        raise _Bad(_t("import.value.date"))
    return _EXCEL_EPOCH + dt.timedelta(days=int(f))


def _norm_choice(s: str) -> str:
    return s.strip().lower().replace(" ", "_").replace("-", "_")


def _enum(v: Any, c: Column) -> str:
    s = _text(v)
    key = _norm_choice(s)
    for value, spellings in (c.choices or {}).items():
        if key == value or key in (_norm_choice(x) for x in spellings):
            return value
    allowed = "; ".join(f"{k} ({'/'.join(z[:2])})" for k, z in (c.choices or {}).items())
    raise _Bad(_t("import.value.unknown_choice", allowed=allowed))


def _list(v: Any) -> list[str]:
    if isinstance(v, (list, tuple)):
        return [str(x).strip() for x in v if not _blank(x)]
    return [p.strip() for p in re.split(r"[;；]", _text(v)) if p.strip()]


def _parse(v: Any, c: Column, country: str = "CN") -> Any:
    if isinstance(v, (Mapping, list, tuple)) and c.type != "list":
        raise _Bad(_t("import.value.json_object" if isinstance(v, Mapping) else "import.value.json_list"))
    if isinstance(v, (Mapping, list, tuple)) and any(isinstance(x, (Mapping, list, tuple)) for x in v):
        raise _Bad(_t("import.value.list_text"))
    if c.type == "text":
        return _text(v)
    if c.type == "code":
        return _code(v)
    if c.type == "admin_code":
        return _admin_code(v, country)
    if c.type == "int":
        return _int(v)
    if c.type == "float":
        return _number(v)
    if c.type == "date":
        return _date(v)
    if c.type == "enum":
        return _enum(v, c)
    if c.type == "list":
        return _list(v)
    if c.type == "crs":
        try:
            return normalise_crs(_text(v))
        except ValueError as exc:
            raise _Bad(str(exc)) from None
    raise AssertionError(c.type)


def _max_len(model: type[m.Base], key: str) -> int | None:
    col = model.__table__.columns.get(key)
    return getattr(col.type, "length", None) if col is not None else None


# =============================================================================================
# validation context shared by the files of one batch
# =============================================================================================
class _District:
    """The district boundary (role "district") buffered by a tolerance, in local UTM metres."""

    def __init__(self, geom: Any, tolerance_m: float):
        c = geom.centroid
        epsg = utm_epsg(c.x, c.y)
        self.fwd = transformer(WGS84, epsg)
        self.local = to_metric(geom, epsg)
        self.tolerance_m = tolerance_m
        self.buffered = self.local.buffer(tolerance_m)
        shapely.prepare(self.buffered)

    def outside_m(self, lon: float, lat: float) -> float | None:
        """None if inside (with tolerance), else the distance to the boundary in metres."""
        x, y = self.fwd.transform(lon, lat)
        if not math.isfinite(x) or not math.isfinite(y):
            return float("inf")
        if shapely.contains_xy(self.buffered, x, y):
            return None
        return float(self.local.distance(shapely.Point(x, y)))


@dataclass
class _Context:
    mode: str
    crs: str
    tolerance_m: float
    country: str = "CN"     # the plan's (PlanInfo.extra["country"]): which administrative codes are valid
    existing: dict[str, dict[Any, Any]] = field(default_factory=dict)   # kind → key → row dict
    batch: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict)  # rows validated so far
    item_units: dict[str, str] = field(default_factory=dict)
    site_codes: set[str] = field(default_factory=set)
    admin_codes: set[str] = field(default_factory=set)
    demand_codes: set[str] = field(default_factory=set)   # demand units of this import (village points)
    stock_units_in_use: dict[str, set[str]] = field(default_factory=dict)  # item code → site codes
    district: _District | None = None
    converted: dict[tuple[str, float, float], tuple[float, float]] = field(default_factory=dict)

    def preconvert(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Convert all GCJ-02/BD-09 points of a file at once (vectorised); _check_location looks up."""
        groups: dict[str, list[tuple[float, float]]] = {}
        for raw in rows:
            try:
                lon, lat = _number(raw.get("lon")), _number(raw.get("lat"))
                crs = normalise_crs(_text(raw["crs"])) if not _blank(raw.get("crs")) else self.crs
            except (_Bad, ValueError, TypeError):
                continue
            if crs != "wgs84" and -180 <= lon <= 180 and -90 <= lat <= 90:
                groups.setdefault(crs, []).append((lon, lat))
        for crs, pts in groups.items():
            xs, ys = to_wgs84([p[0] for p in pts], [p[1] for p in pts], crs)
            for (lon, lat), x, y in zip(pts, xs.tolist(), ys.tolist(), strict=True):
                self.converted[(crs, lon, lat)] = (x, y)


@dataclass(frozen=True)
class _ItemUnit:
    unit: str


def _load_context(plan: Any, mode: str, crs: str, tolerance_m: float) -> _Context:
    ctx = _Context(mode=mode, crs=crs, tolerance_m=tolerance_m)
    with plan.session() as s:
        info = s.scalars(select(m.PlanInfo).limit(1)).first()
        country = (info.extra or {}).get("country") if info is not None else None
        ctx.country = str(country).upper() if country else "CN"
        # what validation needs of the rows already in the plan: codes (items: their unit; stock:
        # the lot ids per identity) — not whole rows (a plan of 10⁵ villages)
        for kind in ("sites", "demand", "admin_units"):
            coded = cast(Any, MODELS[kind])
            ctx.existing[kind] = dict.fromkeys(s.scalars(select(coded.code)))
        ctx.existing["items"] = {c: _ItemUnit(u) for c, u in s.execute(select(m.SupplyItem.code, m.SupplyItem.unit))}
        ctx.item_units = {c: r.unit for c, r in ctx.existing["items"].items()}
        ctx.site_codes = set(ctx.existing["sites"])
        ctx.admin_codes = set(ctx.existing["admin_units"])
        lots: dict[Any, Any] = {}
        for lot_id, batch, site_code, item_code in s.execute(
                select(m.StockLot.id, m.StockLot.batch, m.Site.code, m.SupplyItem.code)
                .join(m.Site, m.StockLot.site_id == m.Site.id)
                .join(m.SupplyItem, m.StockLot.item_id == m.SupplyItem.id)):
            lots.setdefault((site_code, item_code, batch), []).append(lot_id)
            ctx.stock_units_in_use.setdefault(item_code, set()).add(site_code)
        ctx.existing["stock"] = lots
        geoms = [b.geometry for b in s.scalars(select(m.Boundary).where(m.Boundary.role == "district"))
                 if b.geometry is not None and not b.geometry.is_empty]
    if geoms:
        ctx.district = _District(shapely.union_all(geoms), tolerance_m)
    return ctx


# =============================================================================================
# validating one file
# =============================================================================================
@dataclass
class _Validated:
    kind: str
    file: str
    sheet: _Sheet
    rows: list[tuple[int, dict[str, Any]]]      # (row number, values for the model)
    present: set[str]
    problems: list[ImportProblem]
    notes: list[str]
    stats: dict[str, float]


def _validate(sh: _Sheet, kind: str, ctx: _Context, defaults: Mapping[str, Any] | None) -> _Validated:
    spec = TEMPLATES[kind]
    model = MODELS[kind]
    f = sh.file
    probs = list(sh.problems)
    notes: list[str] = []
    stats: dict[str, float] = {"rows": 0, "located": 0, "converted_crs": 0, "converted_unit": 0}
    out: list[tuple[int, dict[str, Any]]] = []
    defaults = dict(defaults or {})
    present = set(sh.present) | {k for k, v in defaults.items() if not _blank(v)}
    v = _Validated(kind, f, sh, out, present, probs, notes, stats)
    if sh.problems:
        return v
    if sh.ignored:
        notes.append(_t("import.note.ignored_columns", kind=kind_label(kind), columns=", ".join(sh.ignored)))
    for k in defaults:
        if k not in spec.keys:
            raise ValueError(f"defaults: {k!r} is not a column of {kind}")
    # an empty FeatureCollection (the export of an empty table) names no properties: no rows, no problem
    missing = [k for k in spec.required if k not in present] if sh.rows or sh.fmt != "geojson" else []
    for k in missing:
        probs.append(ImportProblem(f, sh.header_row, k, _t("import.row.required_column", column=repr(k),
                                                                aliases="、".join(spec.column(k).aliases) or "-")))
    if missing:
        return v
    if not sh.rows:
        notes.append(_t("import.note.no_rows"))

    seen: dict[Any, int] = {}
    batch = ctx.batch.setdefault(kind, {})
    if "lon" in spec.keys:
        ctx.preconvert(raw for _, raw in sh.rows)
    unchecked_towns = 0
    pending = sh.rows
    sh.rows = []      # the file's raw rows are consumed (and freed) as they are validated
    pending.reverse()
    while pending:
        n, raw = pending.pop()
        stats["rows"] += 1
        n_before = len(probs)
        row: dict[str, Any] = {}
        bad_fields: set[str] = set()

        def bad(fld: str | None, msg: str, value: Any = None, _n: int = n,
                _bad_fields: set[str] = bad_fields) -> None:
            probs.append(ImportProblem(f, _n, fld, msg, value))
            if fld:
                _bad_fields.add(fld)

        for c in spec.columns:
            val = raw.get(c.key)
            if _blank(val) and c.key in defaults:
                val = defaults[c.key]
            if _blank(val):
                if c.required:
                    bad(c.key, _t("import.row.required_value"))
                row[c.key] = [] if c.type == "list" else None
                continue
            try:
                pv = _parse(val, c, ctx.country)
            except _Bad as exc:
                bad(c.key, exc.message, val)
                continue
            if c.type in ("code", "admin_code") and isinstance(val, str) and _has_invisible(val):
                stats["invisible_removed"] = stats.get("invisible_removed", 0) + 1
            if c.type in ("text", "code", "admin_code"):
                limit = _max_len(model, c.key)
                if limit and len(pv) > limit:
                    bad(c.key, _t("import.row.too_long", chars=len(pv), limit=limit), val)
                    continue
            if c.min is not None and (pv < c.min or (c.min_exclusive and pv == c.min)):
                bad(c.key, _t("import.row.positive" if c.min_exclusive else "import.row.not_negative"), val)
                continue
            row[c.key] = pv

        # -- coordinates --------------------------------------------------------------------------
        if "lon" in spec.keys:
            _check_location(row, raw, spec, ctx, bad, bad_fields, stats)

        # -- per kind ------------------------------------------------------------------------------
        if kind == "demand":
            pop, vul = row.get("population"), row.get("vulnerable")
            if pop is not None and vul is not None and vul > pop:
                bad("vulnerable", _t("import.row.vulnerable", vulnerable=vul, population=pop), raw.get("vulnerable"))
        if kind == "admin_units" and (row.get("sheltering_share") or 0) > 1:
            bad("sheltering_share", _t("import.row.share"), raw.get("sheltering_share"))
        if kind == "sites" and row.get("village_code") and "village_code" not in bad_fields:
            if row["village_code"] not in ctx.existing["demand"] and row["village_code"] not in ctx.demand_codes:
                bad("village_code", _t("import.row.unknown_village"),
                    row["village_code"])
        if kind in ("sites", "demand") and row.get("town_code") and "town_code" not in bad_fields:
            if ctx.admin_codes:
                if row["town_code"] not in ctx.admin_codes:
                    bad("town_code", _t("import.row.unknown_town"), row["town_code"])
            else:
                unchecked_towns += 1
        if kind == "stock":
            _check_stock(row, raw, ctx, bad, bad_fields, stats)

        # -- identity: duplicates, clashes ----------------------------------------------------------
        key = tuple(row.get(k) for k in spec.key) if len(spec.key) > 1 else row.get(spec.key[0])
        if kind == "stock":
            # a lot is identified by site + item + batch (an empty batch: the site's one unbatched
            # lot of the item); the plan enforces it (unique key, migration 0003)
            if not (bad_fields & {"site_code", "item_code", "batch"}):
                what = _t("import.row.batch" if row.get("batch") is not None else "import.row.batch_empty")
                if key in seen:
                    bad("batch", _t("import.row.same_lot", what=what, row=seen[key]), row.get("batch"))
                seen.setdefault(key, n)
                if ctx.mode == "insert" and key in ctx.existing["stock"]:
                    bad("batch", _t("import.row.lot_exists", what=what), row.get("batch"))
                elif ctx.mode == "upsert" and len(ctx.existing["stock"].get(key, [])) > 1:
                    bad("batch", _t("import.row.several_lots"), row.get("batch"))
        elif key is not None and spec.key[0] not in bad_fields:
            if key in seen:
                bad(spec.key[0], _t("import.row.duplicate_in_file", row=seen[key]), key)
            else:
                seen[key] = n
                if key in batch:
                    bad(spec.key[0], _t("import.row.duplicate_in_batch"), key)
                elif key in ctx.existing.get(kind, {}) and ctx.mode == "insert":
                    bad(spec.key[0], _t("import.row.exists_in_plan"), key)
        if kind == "items" and row.get("unit") and key in ctx.existing["items"] and ctx.mode == "upsert":
            old = ctx.existing["items"][key].unit
            if old != row["unit"] and key in ctx.stock_units_in_use and "unit" in present:
                bad("unit", _t("import.row.unit_change", old=repr(old), new=repr(row["unit"])), row["unit"])

        if bad_fields or len(probs) > n_before:
            continue
        # register for later files / rows of the batch
        if kind == "items":
            ctx.item_units[row["code"]] = row["unit"]
        elif kind == "sites":
            ctx.site_codes.add(row["code"])
        elif kind == "admin_units":
            ctx.admin_codes.add(row["code"])
        elif kind == "demand":
            ctx.demand_codes.add(row["code"])
        if kind != "stock":
            batch[key] = row
        out.append((n, row))

    if unchecked_towns:
        notes.append(_t("import.note.towns_unchecked", n=unchecked_towns))
    if stats.get("invisible_removed"):
        notes.append(_t("import.note.invisible_removed", n=int(stats["invisible_removed"])))
        log.info("%s: invisible characters removed from %d code(s)", Path(f).name, int(stats["invisible_removed"]))
    if stats["converted_crs"]:
        notes.append(_t("import.note.converted_crs", n=int(stats["converted_crs"])))
    if stats["converted_unit"]:
        notes.append(_t("import.note.converted_unit", n=int(stats["converted_unit"])))
    for k in ("converted_crs", "converted_unit"):
        if not stats[k]:
            del stats[k]
    if "lon" not in spec.keys:
        del stats["located"]
    return v


def _check_location(row: dict[str, Any], raw: Mapping[str, Any], spec: TableSpec, ctx: _Context, bad: Any,
                    bad_fields: set[str], stats: dict[str, float]) -> None:
    lon, lat = row.get("lon"), row.get("lat")
    if "lon" in bad_fields or "lat" in bad_fields:
        return
    if (lon is None) != (lat is None):
        missing = "lat" if lat is None else "lon"
        bad(missing, _t("import.row.lon_lat_pair", given="lon" if missing == "lat" else "lat", missing=missing))
        return
    if lon is None or lat is None:  # both None here (one without the other was refused above)
        row["crs"] = None
        return
    crs = row.get("crs") or ctx.crs
    if "crs" in bad_fields:
        return
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        hint = _t("import.row.swapped") if -180 <= lat <= 180 and -90 <= lon <= 90 else ""
        fld = "lon" if not -180 <= lon <= 180 else "lat"
        bad(fld, _t("import.row.world") + hint, raw.get(fld))
        return
    if crs != "wgs84":
        hit = ctx.converted.get((crs, lon, lat))
        if hit is None:
            x, y = to_wgs84(lon, lat, crs)
            hit = float(x), float(y)
        # 1e-9° ≈ 0.1 mm: keeps the stored numbers short enough to survive any file format
        lon2, lat2 = round(hit[0], 9), round(hit[1], 9)
        label = {"gcj02": "GCJ-02", "bd09": "BD-09"}[crs]
        if lon2 != lon or lat2 != lat:
            stats["converted_crs"] += 1
            note = f"converted from {label} to WGS84"
            given = row.get("location_source")
            row["location_source"] = f"{given}; {note}" if given else note
        row["lon"], row["lat"] = lon, lat = lon2, lat2
    row["crs"] = crs
    stats["located"] += 1
    if ctx.district is not None:
        d = ctx.district.outside_m(lon, lat)
        if d is not None:
            bad("lon", _t("import.row.outside_district", lon=f"{lon:.6f}", lat=f"{lat:.6f}", km=f"{d / 1000:.1f}",
                           tolerance=f"{ctx.tolerance_m:g}"),
                f"{raw.get('lon')}, {raw.get('lat')}")


def _check_stock(row: dict[str, Any], raw: Mapping[str, Any], ctx: _Context, bad: Any,
                 bad_fields: set[str], stats: dict[str, float]) -> None:
    sc, ic = row.get("site_code"), row.get("item_code")
    if sc is not None and "site_code" not in bad_fields and sc not in ctx.site_codes:
        bad("site_code", _t("import.row.unknown_site"), sc)
    item_unit = None
    if ic is not None and "item_code" not in bad_fields:
        if ic not in ctx.item_units:
            bad("item_code", _t("import.row.unknown_item"), ic)
        else:
            item_unit = ctx.item_units[ic]
    u = row.get("unit")
    if item_unit is not None and u and "unit" not in bad_fields and "quantity" not in bad_fields:
        q = row.get("quantity")
        conv = convert_quantity(q if q is not None else 0.0, u, item_unit)
        if conv is None:
            bad("unit", _t("import.row.wrong_unit", item=repr(ic), item_unit=repr(item_unit), unit=repr(u)), u)
        elif _unit_key(u) != _unit_key(item_unit):
            if q is not None:
                row["quantity"] = conv
            stats["converted_unit"] += 1
    if item_unit is not None:
        row["unit"] = item_unit
        q = row.get("quantity")
        if (q is not None and "quantity" not in bad_fields and _unit_key(item_unit) in PIECE_UNITS
                and not float(q).is_integer()):
            bad("quantity", _t("import.row.whole_pieces", item=repr(ic), unit=item_unit, quantity=f"{q:g}"),
                raw.get("quantity"))
    if row.get("mode") == "agreement" and row.get("lead_time_h") is None and "lead_time_h" not in bad_fields:
        bad("lead_time_h", _t("import.row.lead_time"))


# =============================================================================================
# writing
# =============================================================================================
_NOT_STORED = {"crs"}
_NOT_STORED_STOCK = {"crs", "unit", "site_code", "item_code"}


def _attrs(kind: str, row: Mapping[str, Any], present: set[str], update: bool) -> dict[str, Any]:
    """Model attributes from a validated row. On update only the columns in the file are set."""
    spec = TEMPLATES[kind]
    out: dict[str, Any] = {}
    for c in spec.columns:
        if c.key in (_NOT_STORED_STOCK if kind == "stock" else _NOT_STORED):
            continue
        if update and c.key not in present and not (c.key == "location_source" and row.get(c.key)):
            continue
        val = row.get(c.key)
        if val is None and c.default is not None:
            val = c.default
        if c.type == "list" and val is None:
            val = []
        if c.type == "enum" and val is not None:
            val = _enum_member(kind, c.key, val)
        out[c.key] = val
    return out


def _enum_member(kind: str, key: str, value: str) -> Any:
    model = MODELS[kind]
    col = model.__table__.columns[key]
    enum_cls = getattr(col.type, "enum_class", None)
    return enum_cls(value) if enum_cls is not None else value


def _plain(v: Any) -> Any:
    return v.value if isinstance(v, enum.Enum) else v


class _Diagnosed(Exception):
    """Internal: the row-by-row re-run found (or did not find) the row the database refuses."""

    def __init__(self, where: tuple[str, int | None], exc: Exception | None):
        super().__init__("diagnosed")
        self.where, self.exc = where, exc


def _write_all(plan: Any, validated: list[_Validated], ctx: _Context, user: str | None,
               reason: str, chunk: int = 500) -> list[ImportReport]:
    """Write every validated row in one transaction (flushing ``chunk`` rows at a time).

    If the database refuses something (an IntegrityError: e.g. another user saved the same code
    between validation and writing), the transaction is rolled back and the rows are replayed
    one flush per row in a second transaction that is always rolled back, to name the row.
    """
    try:
        return _write_pass(plan, validated, ctx, user, reason, chunk)
    except SQLAlchemyError as first:
        if not isinstance(first, IntegrityError):
            # locked, read-only, disk full …: the plan's fault, not a row's
            raise ImportFailed([plan_problem(plan, first)]) from first
        where: tuple[str, int | None] = ("", None)
        exc: Exception = first
        try:
            _write_pass(plan, validated, ctx, user, reason, 1, diagnose=True)
        except _Diagnosed as d:
            where = d.where
            exc = d.exc or first
        except SQLAlchemyError:
            pass
        f, n = where
        if isinstance(exc, IntegrityError):
            msg = _t("import.write.refused_row", why=explain(exc))
        else:
            msg = _t("import.write.database_error", why=explain(exc))
        raise ImportFailed([ImportProblem(f or validated[0].file, n, None, msg)]) from first


def _write_pass(plan: Any, validated: list[_Validated], ctx: _Context, user: str | None, reason: str,
                chunk: int, diagnose: bool = False) -> list[ImportReport]:
    reports = {id(v): ImportReport(file=v.file, kind=v.kind, notes=list(v.notes), stats=dict(v.stats))
               for v in validated}
    current: tuple[str, int | None] = ("", None)
    with plan.transaction(user=user, reason=reason) as s:
        try:
            for v in validated:
                rep = reports[id(v)]
                model = MODELS[v.kind]
                if v.kind == "stock":
                    site_ids = dict(s.execute(select(m.Site.code, m.Site.id)).all())
                    item_ids = dict(s.execute(select(m.SupplyItem.code, m.SupplyItem.id)).all())
                    existing_lots: dict[Any, list[Any]] = {}
                    if ctx.mode == "replace":
                        # the stock of every site named in the file is replaced by the file's lots
                        ids = sorted({site_ids[r["site_code"]] for _, r in v.rows})
                        gone = list(s.scalars(select(m.StockLot).where(m.StockLot.site_id.in_(ids))))
                        for lot in gone:
                            s.delete(lot)
                        s.flush()
                        rep.notes.append(_t("import.note.replaced_stock", sites=len(ids), lots=len(gone)))
                    if ctx.mode == "upsert":
                        for lot, sc, ic in s.execute(
                                select(m.StockLot, m.Site.code, m.SupplyItem.code)
                                .join(m.Site, m.StockLot.site_id == m.Site.id)
                                .join(m.SupplyItem, m.StockLot.item_id == m.SupplyItem.id)):
                            existing_lots.setdefault((sc, ic, lot.batch), []).append(lot)
                else:
                    codes = [r["code"] for _, r in v.rows]
                    existing = {}
                    if ctx.mode == "upsert" and codes:
                        for i in range(0, len(codes), 500):
                            coded = cast(Any, model)  # every model but StockLot has a code column
                            existing.update({o.code: o for o in s.scalars(
                                select(model).where(coded.code.in_(codes[i:i + 500])))})
                for i, (n, row) in enumerate(v.rows, start=1):
                    current = (v.file, n)
                    if v.kind == "stock":
                        key = (row["site_code"], row["item_code"], row.get("batch"))
                        obj = (existing_lots.get(key) or [None])[0] if ctx.mode == "upsert" else None
                        attrs = _attrs("stock", row, v.present, update=obj is not None)
                        attrs["site_id"] = site_ids[row["site_code"]]
                        attrs["item_id"] = item_ids[row["item_code"]]
                    else:
                        obj = existing.get(row["code"])
                        attrs = _attrs(v.kind, row, v.present, update=obj is not None)
                    if obj is None:
                        s.add(model(**attrs))
                        rep.inserted += 1
                    else:
                        changed = False
                        for k, val in attrs.items():
                            if _plain(getattr(obj, k)) != _plain(val):
                                setattr(obj, k, val)
                                changed = True
                        if changed:
                            rep.updated += 1
                        else:
                            rep.skipped += 1
                    if i % chunk == 0:
                        s.flush()
                s.flush()  # before the next file: stock needs the ids of new sites and items
        except SQLAlchemyError as exc:
            if diagnose:
                raise _Diagnosed(current, exc) from exc
            raise
        if diagnose:
            raise _Diagnosed(("", None), None)  # nothing refused this time: roll back anyway
    return [reports[id(v)] for v in validated]



# =============================================================================================
# public API: import
# =============================================================================================
FileSpec = tuple  # (kind, path) or (kind, path, sheet) or (kind, path, {options})


def import_batch(plan: Any, files: Iterable[Any], *, mode: str = "insert", crs: str = "wgs84",
                 user: str | None = None, district_tolerance_m: float = 2000.0) -> list[ImportReport]:
    """Import several registry files in one transaction (all validated first, all or nothing).

    ``files`` is a list of ``(kind, path)``, ``(kind, path, sheet)`` or
    ``(kind, path, {"sheet": …, "columns": {…}, "defaults": {…}, "crs": …})``. They are
    processed in dependency order (admin units, items, sites, demand, stock), so stock rows may
    name sites and items of the same batch. Returns one report per file, in that order.
    """
    if mode not in IMPORT_MODES:
        raise ValueError(f"mode must be one of {', '.join(IMPORT_MODES)}, not {mode!r}")
    crs = normalise_crs(crs)
    jobs = []
    for spec in files:
        kind, path, *rest = spec
        if mode == "replace" and canonical_kind(kind) != "stock":
            raise ValueError("mode 'replace' is for stock only (it replaces the stock of the sites in the "
                             "file); import other registers with 'insert' or 'upsert'")
        opts: dict[str, Any] = {}
        if rest:
            opts = dict(rest[0]) if isinstance(rest[0], Mapping) else {"sheet": rest[0]}
        unknown = set(opts) - {"sheet", "columns", "defaults", "crs", "encoding"}
        if unknown:
            raise ValueError(f"unknown import option(s): {', '.join(sorted(unknown))}")
        jobs.append((canonical_kind(kind), Path(path), opts))
    jobs.sort(key=lambda j: ORDER.index(j[0]))
    t0 = time.perf_counter()
    ctx = _load_context(plan, mode, crs, district_tolerance_m)
    validated: list[_Validated] = []
    problems: list[ImportProblem] = []
    for kind, path, opts in jobs:
        sh = _read(path, kind, opts.get("sheet"), opts.get("columns"), opts.get("encoding"))
        ctx.crs = normalise_crs(opts.get("crs", crs))
        v = _validate(sh, kind, ctx, opts.get("defaults"))
        ctx.crs = crs
        validated.append(v)
        problems.extend(v.problems)
    if problems:
        raise ImportFailed(problems)
    names = ", ".join(p.name for _, p, _ in jobs)
    reports = _write_all(plan, validated, ctx, user, f"import {names}")
    dt_s = time.perf_counter() - t0
    for r in reports:
        r.seconds = dt_s
    return reports


def import_table(plan: Any, kind: str, path: str | Path, *, mode: str = "insert", crs: str = "wgs84",
                 sheet: str | None = None, user: str | None = None, district_tolerance_m: float = 2000.0,
                 columns: Mapping[str, str] | None = None,
                 defaults: Mapping[str, Any] | None = None, encoding: str | None = None) -> ImportReport:
    """Validate and import one registry file (CSV, XLSX or GeoJSON by suffix).

    ``kind``: ``sites``, ``items``, ``stock``, ``demand`` or ``admin_units`` (``towns``).
    ``mode="insert"`` refuses codes that already exist; ``"upsert"`` updates those rows (only
    the columns present in the file). ``crs`` is the default for rows without a ``crs`` value.
    ``columns`` maps extra header names to template columns (``{"pop_2000": "population"}``;
    map to ``""`` to ignore one); ``defaults`` gives values for empty or missing columns
    (``{"population_source": "2000 census"}``); ``encoding`` names a CSV/GeoJSON file's text
    encoding (None: UTF-8, or GB18030 when the text validates as such — never a guess). Raises
    :class:`ImportFailed` (nothing written) listing every problem.
    """
    opts: dict[str, Any] = {"sheet": sheet, "columns": columns, "defaults": defaults, "encoding": encoding}
    return import_batch(plan, [(kind, path, opts)], mode=mode, crs=crs, user=user,
                        district_tolerance_m=district_tolerance_m)[0]


# =============================================================================================
# export
# =============================================================================================
def _export_rows(plan: Any, kind: str) -> list[dict[str, Any]]:
    spec = TEMPLATES[kind]
    model = MODELS[kind]
    rows: list[dict[str, Any]] = []
    with plan.session() as s:
        if kind == "stock":
            q = (select(m.StockLot, m.Site.code, m.SupplyItem.code, m.SupplyItem.unit)
                 .join(m.Site, m.StockLot.site_id == m.Site.id)
                 .join(m.SupplyItem, m.StockLot.item_id == m.SupplyItem.id)
                 .order_by(m.Site.code, m.SupplyItem.code, m.StockLot.id))
            for lot, sc, ic, unit in s.execute(q):
                r = {c.key: _plain(getattr(lot, c.key, None)) for c in spec.columns}
                r.update(site_code=sc, item_code=ic, unit=unit)
                rows.append(r)
        else:
            coded = cast(Any, model)  # every model but StockLot has a code column
            for obj in s.scalars(select(model).order_by(coded.code)):
                r = {c.key: _plain(getattr(obj, c.key, None)) for c in spec.columns if c.key != "crs"}
                if "crs" in spec.keys:
                    r["crs"] = "wgs84" if obj.lon is not None else None
                rows.append(r)
    return rows


def _cell(v: Any, c: Column) -> Any:
    if v is None:
        return ""
    if c.type == "list":
        return _defuse(";".join(str(x) for x in v))
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return _defuse(v)
    return v


def _defuse(s: str) -> str:
    """CSV text a spreadsheet would run as a formula (=, +, -, @ first) gets an apostrophe before
    it (OWASP's advice); the importer takes it off again, so the file round-trips."""
    if s.startswith(_FORMULA_LEAD) or (s.startswith("'") and s[1:2] in _FORMULA_LEAD and s[1:2]):
        return "'" + s
    return s


def export_table(plan: Any, kind: str, path: str | Path) -> int:
    """Write a registry table to ``path`` (.csv UTF-8 with BOM, .xlsx, or .geojson); returns rows.

    The columns are the template's, so the file imports again unchanged (coordinates are
    WGS84, ``crs`` says so). GeoJSON: located rows are Point features, the others have no
    geometry. ``kind="boundary"`` writes the plan's boundaries as GeoJSON polygons.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if str(kind).strip().lower() in ("boundary", "boundaries"):
        return _export_boundaries(plan, path)
    kind = canonical_kind(kind)
    spec = TEMPLATES[kind]
    rows = _export_rows(plan, kind)
    if suffix in CSV_SUFFIXES:
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(spec.keys)
            for r in rows:
                w.writerow([_cell(r.get(c.key), c) for c in spec.columns])
    elif suffix in XLSX_SUFFIXES:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = kind
        ws.append(spec.keys)
        for r in rows:
            values = []
            for c in spec.columns:
                v = r.get(c.key)
                if c.type == "list":
                    v = ";".join(v) if v else None
                values.append(v)
            ws.append(values)
        for col in ws.iter_cols(min_row=2):
            for cell in col:
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, str):
                    cell.number_format = "@"
                    cell.data_type = "s"   # text, never a formula (openpyxl takes "=…" for one)
        wb.save(path)
    elif suffix in GEOJSON_SUFFIXES:
        feats = []
        for r in rows:
            lon, lat = r.get("lon"), r.get("lat")
            props = {}
            for c in spec.columns:
                if c.key in ("lon", "lat"):
                    continue
                v = r.get(c.key)
                props[c.key] = v.isoformat() if isinstance(v, dt.date) else v
            geom = ({"type": "Point", "coordinates": [lon, lat]}
                    if lon is not None and lat is not None else None)
            feats.append({"type": "Feature", "geometry": geom, "properties": props})
        path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False,
                                   indent=1), encoding="utf-8")
    else:
        raise ValueError(f"export to .csv, .xlsx or .geojson, not {path.name!r}")
    return len(rows)


def _export_boundaries(plan: Any, path: Path) -> int:
    if path.suffix.lower() not in GEOJSON_SUFFIXES:
        raise ValueError("boundaries export only to .geojson")
    with plan.session() as s:
        bs = list(s.scalars(select(m.Boundary).order_by(m.Boundary.id)))
    feats = [{"type": "Feature", "geometry": geom_mapping(b.geometry),
              "properties": {"name": b.name, "code": b.code, "role": b.role, "source": b.source,
                             "authoritative": b.authoritative}} for b in bs]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
                    encoding="utf-8")
    return len(feats)


# =============================================================================================
# boundary
# =============================================================================================
#: roughly China (lon/lat): a Chinese plan's boundary outside it has swapped axes or a wrong CRS
_CHINA_BBOX = (73.0, 3.0, 136.0, 54.0)


def _located_points(s: Any) -> list[tuple[str, str, float, float]]:
    out: list[tuple[str, str, float, float]] = []
    for label, model in (("site", m.Site), ("demand unit", m.DemandUnit)):
        for code, lon, lat in s.execute(select(model.code, model.lon, model.lat)
                                        .where(model.lon.is_not(None), model.lat.is_not(None))):
            out.append((label, code, lon, lat))
    return out


def import_boundary(plan: Any, path: str | Path, *, name: str | None = None, code: str | None = None,
                    role: str = "district", source: str | None = None, user: str | None = None,
                    replace: bool = False, encoding: str | None = None,
                    district_tolerance_m: float = 2000.0) -> ImportReport:
    """Import a (Multi)Polygon boundary from GeoJSON (the plan's boundary of ``role``).

    The file may be a FeatureCollection, a Feature or a bare geometry, in EPSG:4326 (WGS84) or
    EPSG:4490 (CGCS2000) lon/lat; any other declared CRS is refused. Several polygons are merged.
    Refused (:class:`ImportFailed`, nothing written): NaN/Infinity, a self-intersecting or otherwise
    invalid polygon (never "repaired": that can drop half the area), a boundary in which none of the
    plan's located sites and demand units lies (with a hint when lon/lat look swapped), a Chinese
    plan's boundary outside China, and replacing an existing boundary without ``replace``. Sites
    and demand units the new boundary leaves outside are listed in the report's notes.
    """
    t0 = time.perf_counter()
    path = Path(path)
    f = str(path)

    def fail(msg: str, fld: str | None = None, row: int | None = None, value: Any = None) -> ImportFailed:
        return ImportFailed([ImportProblem(f, row, fld, msg, value)])

    if not path.is_file():
        raise fail(_t("import.file.not_found"))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise fail(_t("import.boundary.too_big", limit=MAX_FILE_BYTES // 2**20))
    try:
        obj = _load_json(path, encoding)
    except ValueError as exc:   # _Undecodable, NaN/Infinity too
        raise fail(_t("import.geojson.invalid", why=explain(exc))) from exc
    if not isinstance(obj, Mapping):
        raise fail(_t("import.boundary.not_geojson"))
    bad_crs = _geojson_crs_ok(obj)
    if bad_crs:
        raise fail(_t("import.boundary.crs"), "crs", None, bad_crs)
    if obj.get("type") == "FeatureCollection":
        feats = list(obj.get("features") or [])
    elif obj.get("type") == "Feature":
        feats = [obj]
    else:
        feats = [{"type": "Feature", "geometry": obj, "properties": {}}]
    problems: list[ImportProblem] = []
    geoms = []
    props: dict[str, Any] = {}
    for i, ft in enumerate(feats):
        g = ft.get("geometry") if isinstance(ft, Mapping) else None
        if not isinstance(g, Mapping) or g.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(ImportProblem(f, i, "geometry", _t("import.boundary.polygon"),
                                          g.get("type") if isinstance(g, Mapping) else g))
            continue
        try:
            geom = geom_shape(g)
        except Exception as exc:  # noqa: BLE001 - malformed coordinates: reported to the user as a problem
            problems.append(ImportProblem(f, i, "geometry", _t("import.boundary.malformed", why=explain(exc))))
            continue
        if geom.is_empty:
            problems.append(ImportProblem(f, i, "geometry", _t("import.boundary.empty")))
            continue
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            problems.append(ImportProblem(f, i, "geometry", _t("import.boundary.vertex")))
            continue
        minx, miny, maxx, maxy = geom.bounds
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            problems.append(ImportProblem(f, i, "geometry", _t("import.boundary.not_degrees"),
                                          geom.bounds))
            continue
        if not geom.is_valid:
            problems.append(ImportProblem(f, i, "geometry", _t("import.boundary.invalid",
                                                                   why=explain(shapely.is_valid_reason(geom)))))
            continue
        geoms.append(geom)
        if not props:
            props = dict(ft.get("properties") or {})
    if not geoms and not problems:
        problems.append(ImportProblem(f, None, None, _t("import.boundary.no_polygon")))
    if problems:
        raise ImportFailed(problems)
    geom = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
    if geom.geom_type == "GeometryCollection":
        geom = shapely.MultiPolygon([g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"])
    if code is None:
        raw = props.get("code") or props.get("adcode") or props.get("gb")
        if raw is not None and not isinstance(raw, (Mapping, list)):
            code = str(raw)
            if len(code) == 9 and code.startswith("156"):  # gb = 156 (China) + 6-digit code
                code = code[3:]
    if code is not None and len(code) > 12:
        code = None
    if name is None and isinstance(props.get("name"), str):
        name = props["name"]
    name = name or path.stem
    src = source or f"imported from {path.name}"
    area = area_km2(geom)
    rep = ImportReport(file=f, kind="boundary")
    with plan.session() as s:
        info = s.scalars(select(m.PlanInfo).limit(1)).first()
        country = str(((info.extra or {}).get("country") if info is not None else None) or "CN").upper()
        points = _located_points(s)
        have = [b.name for b in s.scalars(select(m.Boundary).where(m.Boundary.role == role))]
    if have and not replace:
        raise fail(_t("import.boundary.exists", role=role, names=", ".join(have)))
    c = geom.representative_point()
    if country == "CN" and not (_CHINA_BBOX[0] <= c.x <= _CHINA_BBOX[2] and _CHINA_BBOX[1] <= c.y <= _CHINA_BBOX[3]):
        swapped = _CHINA_BBOX[0] <= c.y <= _CHINA_BBOX[2] and _CHINA_BBOX[1] <= c.x <= _CHINA_BBOX[3]
        raise fail(_t("import.boundary.outside_china", lon=f"{c.x:.4f}", lat=f"{c.y:.4f}")
                   + _t("import.boundary.swapped" if swapped else "import.boundary.check_crs"), "geometry")
    outside: list[tuple[str, str, float]] = []
    if points:
        district = _District(geom, district_tolerance_m)
        for label, pcode, lon, lat in points:
            d = district.outside_m(lon, lat)
            if d is not None:
                outside.append((label, pcode, d))
        if len(outside) == len(points):
            flipped = _District(shapely.transform(geom, lambda xy: xy[:, ::-1]), district_tolerance_m) \
                if all(-90 <= v <= 90 for v in geom.bounds[0::2]) else None
            hint = ""
            if flipped is not None and any(flipped.outside_m(lon, lat) is None for _, _, lon, lat in points):
                hint = _t("import.boundary.none_inside.swapped")
            raise fail(_t("import.boundary.none_inside", n=len(points),
                          hint=hint or _t("import.boundary.none_inside.wrong_file")), "geometry")
    try:
        with plan.transaction(user=user, reason=f"import {path.name}") as s:
            old = list(s.scalars(select(m.Boundary).where(m.Boundary.role == role)))
            for b in old:
                s.delete(b)
            s.add(m.Boundary(name=str(name), code=code, role=role, geometry=geom, source=src))
    except SQLAlchemyError as exc:
        raise ImportFailed([plan_problem(plan, exc)]) from exc
    rep.inserted = 1
    rep.updated = 0
    if old:
        rep.notes.append(_t("import.note.replaced_boundaries", n=len(old), role=role))
    if outside and role == "district":
        listed = ", ".join(_t("import.note.outside_item", label=label, code=pcode, km=f"{d / 1000:.1f}")
                           for label, pcode, d in outside[:20])
        more = _t("import.note.outside_more", n=len(outside) - 20) if len(outside) > 20 else ""
        rep.notes.append(_t("import.note.outside_boundary", n=len(outside), total=len(points),
                            tolerance=f"{district_tolerance_m:g}", listed=listed, more=more))
        log.warning("%s: %d sites/demand units now outside the district boundary", path.name, len(outside))
    rep.stats = {"area_km2": round(area, 3), "vertices": float(shapely.get_num_coordinates(geom))}
    rep.seconds = time.perf_counter() - t0
    return rep
