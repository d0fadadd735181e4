"""Column mapping for table imports: match a file's columns to a template's fields (列对应).

A district's registry rarely comes in our template's columns: the Shanting towns file has
``pop_2000_census_mapped`` and ``pop_2010_census`` where the template has ``population``, and
``seat_lat`` / ``seat_lon`` where it has ``lat`` / ``lon``. :func:`propose_mapping` proposes, for
every field of the template, the file column that holds it:

* ``exact`` — the column is the field's own name (case, spaces, ``*`` and a bracketed unit ignored);
* ``alias`` — the column is one of the field's known names (the template's Chinese aliases —
  编码/代码 → code, 名称 → name, 经度 → lon, 纬度 → lat, 人口 → population … — and a few more
  common ones, :data:`EXTRA_ALIASES`: 所属乡镇 → town_code …);
* ``similar`` — exactly one column has a word that names the field (``seat_lat`` → lat,
  ``常住人口数`` → population); shown to the user as a guess to confirm;
* ``ambiguous`` — several columns could be the field (``pop_2000_census_mapped`` and
  ``pop_2010_census`` for population): nothing is chosen, the user must choose
  (:attr:`Proposal.candidates` lists them).

A column that names the *source*, *note* or *year* of a value (``pop_2010_source``,
``人口来源``) is never proposed as the value itself.

:func:`resolve_mapping` turns a proposal plus the user's choices into the final mapping and
refuses (:class:`MappingRefused`, each problem naming the field) a required field left without a
column, an ambiguous field left undecided, one column given to two fields or a column the file
does not have. :func:`import_columns` turns the mapping into the ``columns`` argument of
:func:`planner.io.tables.import_table` (every other column of the file ignored, so nothing is read
through a name the user did not confirm). :func:`peek_table` reads a file's header and first rows
for the preview; :func:`header_signature` identifies a header layout (to remember a mapping).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.io.errors import ImportFailed, ImportProblem, explain
from planner.io.templates import TEMPLATES, canonical_kind, normalise_header
from planner.text import text as _t

__all__ = ["EXTRA_ALIASES", "MappingRefused", "Proposal", "header_signature", "import_columns", "peek_table",
           "propose_mapping", "resolve_mapping"]

#: more names people give these fields than the template lists (all kinds)
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("编码", "代码", "编号", "区划代码", "行政区划代码", "区划码", "统计用区划代码", "id"),
    "name": ("名称", "名字", "单位名称"),
    "lon": ("经度", "lng", "lon", "long", "longitude", "东经", "x坐标"),
    "lat": ("纬度", "lat", "latitude", "北纬", "y坐标"),
    "population": ("人口", "常住人口", "户籍人口", "人口数", "总人口", "人口总数", "pop"),
    "town_code": ("所属乡镇", "所属镇街", "所属街道", "所属乡镇街道", "乡镇编码", "镇街编码", "town"),
    "parent_code": ("上级", "上级编码", "所属区县代码"),
    "kind": ("类别", "类型"),
}

#: words in a column name that point at a field ("similar" proposals); Chinese ones match inside
#: the name (常住人口数 → 人口), the others as whole words (seat_lat → lat, not "latitude_source")
_WORDS: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "population": ("pop", "population", "人口"),
    "code": ("code", "编码", "代码"),
    "name": ("name", "名称"),
}
#: a column with one of these words holds something *about* a value, not the value
_META = ("source", "src", "note", "notes", "remark", "year", "来源", "备注", "说明", "年份", "口径")
_WORD_SPLIT = re.compile(r"[^0-9a-z\u4e00-\u9fff]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


@dataclass
class Proposal:
    """What :func:`propose_mapping` found for one file and one template."""

    kind: str
    header: list[str]
    #: field key → the file's column (None: no column found, or ambiguous)
    mapping: dict[str, str | None]
    #: field key → exact / alias / similar / ambiguous / none
    how: dict[str, str]
    #: field key → the columns it could be (ambiguous fields; a similar one's single column)
    candidates: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ambiguous(self) -> list[str]:
        return [k for k, h in self.how.items() if h == "ambiguous"]

    @property
    def unused_columns(self) -> list[str]:
        used = {c for c in self.mapping.values() if c}
        return [h for h in self.header if h not in used]


class MappingRefused(ValueError):
    """The mapping cannot be used; ``problems`` name each field (and the file, when known)."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _words(h: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(normalise_header(h)) if w]


def _is_meta(h: str) -> bool:
    n = normalise_header(h)
    words = _words(h)
    return any((m in words) if m.isascii() else (m in n) for m in _META)


def _names_field(h: str, key: str) -> bool:
    n = normalise_header(h)
    words = _words(h)
    return any((w in words) if w.isascii() else (w in n) for w in _WORDS.get(key, ()))


def propose_mapping(kind: str, header: Sequence[Any]) -> Proposal:
    """For every field of template ``kind``, the column of ``header`` that holds it (see the module)."""
    spec = TEMPLATES[canonical_kind(kind)]
    cols = [str(h).strip() for h in header if h is not None and str(h).strip() != ""]
    mapping: dict[str, str | None] = {c.key: None for c in spec.columns}
    how: dict[str, str] = {c.key: "none" for c in spec.columns}
    cand: dict[str, list[str]] = {}
    used: set[str] = set()

    def take(key: str, col: str, why: str) -> None:
        mapping[key], how[key] = col, why
        used.add(col)

    by_norm: dict[str, list[str]] = {}
    for col in cols:
        by_norm.setdefault(normalise_header(col), []).append(col)
    # 1. the field's own name
    for c in spec.columns:
        hits = by_norm.get(normalise_header(c.key), [])
        if len(hits) == 1:
            take(c.key, hits[0], "exact")
    # 2. a known name of the field (the template's aliases first, then the extra ones)
    for c in spec.columns:
        if mapping[c.key] is not None:
            continue
        names = [normalise_header(a) for a in (*c.aliases, *EXTRA_ALIASES.get(c.key, ()))]
        hits = list(dict.fromkeys(col for n in names for col in by_norm.get(n, []) if col not in used))
        if len(hits) == 1:
            take(c.key, hits[0], "alias")
        elif len(hits) > 1:
            how[c.key], cand[c.key] = "ambiguous", hits
    # 3. a column with a word naming the field
    for c in spec.columns:
        if mapping[c.key] is not None or how[c.key] == "ambiguous" or c.key not in _WORDS:
            continue
        hits = [col for col in cols if col not in used and not _is_meta(col) and _names_field(col, c.key)]
        if len(hits) == 1:
            take(c.key, hits[0], "similar")
            cand[c.key] = hits
        elif len(hits) > 1:
            how[c.key], cand[c.key] = "ambiguous", hits
    return Proposal(spec.kind, cols, mapping, how, cand)


def resolve_mapping(proposal: Proposal, choices: Mapping[str, str | None] | None = None, *,
                    file: str = "") -> dict[str, str]:
    """The final mapping field → column: the proposal with the user's ``choices`` (field → column,
    or None/"" for no column) laid over it. Refused (:class:`MappingRefused`, every problem named by
    field): a required field without a column, an ambiguous field not decided by ``choices``, a
    column the file does not have, one column chosen for two fields."""
    spec = TEMPLATES[proposal.kind]
    choices = dict(choices or {})
    problems: list[ImportProblem] = []
    for k in choices:
        if k not in proposal.mapping:
            raise ValueError(f"{k!r} is not a field of {proposal.kind}")
    out: dict[str, str] = {}
    for c in spec.columns:
        if c.key in choices:
            col = choices[c.key] or None
        elif proposal.how[c.key] == "ambiguous":
            problems.append(ImportProblem(file, 1, c.key, _t(
                "import.mapping.ambiguous", field=c.key, meaning=c.zh if _zh() else c.en,
                columns=("、" if _zh() else ", ").join(proposal.candidates.get(c.key, [])))))
            continue
        else:
            col = proposal.mapping[c.key]
        if col is None:
            if c.required:
                problems.append(ImportProblem(file, 1, c.key, _t(
                    "import.mapping.required", field=c.key, meaning=c.zh if _zh() else c.en)))
            continue
        if col not in proposal.header:
            problems.append(ImportProblem(file, 1, c.key, _t("import.mapping.no_such_column", column=col), col))
            continue
        out[c.key] = col
    seen: dict[str, str] = {}
    for k, col in out.items():
        if col in seen:
            problems.append(ImportProblem(file, 1, k, _t("import.mapping.twice", column=col, first=seen[col]), col))
        else:
            seen[col] = k
    if problems:
        raise MappingRefused(problems)
    return out


def _zh() -> bool:
    from planner.text import language

    return language() == "zh"


def import_columns(mapping: Mapping[str, str], header: Sequence[Any]) -> dict[str, str]:
    """The ``columns`` argument of :func:`planner.io.tables.import_table` for a resolved mapping:
    each mapped column → its field, every other column of the file → ``""`` (ignored)."""
    by_col = {col: key for key, col in mapping.items()}
    out: dict[str, str] = {}
    for h in header:
        if h is None or str(h).strip() == "":
            continue
        h = str(h).strip()
        out[h] = by_col.get(h, "")
    return out


def header_signature(header: Sequence[Any]) -> str:
    """A short stable id of a header layout (normalised names in order): the same file layout
    gives the same signature, so a mapping the user confirmed can be offered again."""
    text = "\x1f".join(normalise_header(h) for h in header if h is not None and str(h).strip() != "")
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def peek_table(path: str | Path, *, rows: int = 5, sheet: str | None = None,
               encoding: str | None = None) -> tuple[list[str], list[list[Any]]]:
    """The header and the first ``rows`` data rows of a CSV, XLSX or GeoJSON file (GeoJSON: the
    property names, plus lon/lat of point features). Raises :class:`ImportFailed` if the file
    cannot be read (the same checks as the import)."""
    from planner.io import tables as t

    path = Path(path)
    sh = t._Sheet(str(path), "csv")
    if not path.is_file():
        raise ImportFailed([ImportProblem(str(path), None, None, _t("import.file.not_found"))])
    suffix = path.suffix.lower()
    if suffix in t.GEOJSON_SUFFIXES:
        try:
            obj = t._load_json(path, encoding)
        except ValueError as exc:
            raise ImportFailed([ImportProblem(str(path), None, None,
                                              _t("import.geojson.invalid", why=explain(exc)))]) from exc
        feats = obj.get("features") if isinstance(obj, Mapping) else None
        if not isinstance(feats, list):
            raise ImportFailed([ImportProblem(str(path), None, None, _t("import.geojson.not_collection"))])
        keys: list[str] = []
        for ft in feats:
            for k in ((ft.get("properties") or {}) if isinstance(ft, Mapping) else {}):
                if k not in keys:
                    keys.append(str(k))
        header = [*keys, "lon", "lat"]
        out = []
        for ft in feats[:rows]:
            props = (ft.get("properties") or {}) if isinstance(ft, Mapping) else {}
            geom = ft.get("geometry") if isinstance(ft, Mapping) else None
            xy = (geom.get("coordinates") if isinstance(geom, Mapping) else None) or [None, None]
            out.append([props.get(k) for k in keys] + list(xy[:2]))
        return header, out
    if suffix in t.CSV_SUFFIXES:
        raw = t._read_csv(path, TEMPLATES["sites"], None, sh, encoding)
    elif suffix in t.XLSX_SUFFIXES:
        raw = t._read_xlsx(path, sheet, sh)
    else:
        raise ImportFailed([ImportProblem(str(path), None, None, _t("import.file.unsupported"), path.suffix)])
    if sh.problems:
        raise ImportFailed(sh.problems)
    if not raw or all(t._blank(v) for v in raw[0]):
        raise ImportFailed([ImportProblem(str(path), 1, None, _t("import.file.header_row"))])
    header = ["" if v is None else str(v).strip() for v in raw[0]]
    while header and header[-1] == "":
        header.pop()
    data = [r[:len(header)] + [None] * (len(header) - len(r)) for r in raw[1:] if not all(t._blank(v) for v in r)]
    return header, data[:rows]
