"""Registry templates: the columns of every importable table (导入模板).

Five tables can be imported from CSV, XLSX or GeoJSON and exported again
(see :mod:`planner.io.tables`):

========== ====================== ===========================================================
kind       表                     one row is
========== ====================== ===========================================================
sites      场所 (仓库/储备点/避难场所) a warehouse, pre-positioned reserve point or shelter
items      物资品类               a supply item of the catalogue
stock      库存                   a stock lot: a quantity of one item at one site
demand     需求单元 (村/社区)     a village, community or place with population
admin_units 行政区 (乡镇/街道)    a town-level (or district-level) administrative unit
========== ====================== ===========================================================

Column names are the English keys below; the Chinese aliases (编码, 名称, 经度 …) are accepted
too, as are the enum values in Chinese (仓库, 紧急, 已建, 实物, 生活类 …). A ``*`` after the name in
the 说明 sheet marks a required column. :data:`TEMPLATES` describes every column (required or
not, type, meaning in Chinese and English, accepted values); :func:`write_template` writes an
empty CSV or XLSX file with the header row (XLSX: plus a sheet "说明" explaining the columns).

Column types:

* ``text`` — free text.
* ``code`` — an identifier kept exactly as written (never through a float: ``370406001001`` must
  not become ``3.70406001001e11``; an integral numeric XLSX cell is turned back into its digits).
* ``admin_code`` — a 统计用区划代码: 6, 9 or 12 digits.
* ``int`` / ``float`` — numbers (thousands separators allowed); ``min`` gives the lower bound.
* ``date`` — ``YYYY-MM-DD``, also ``YYYY/MM/DD``, ``YYYY.MM.DD``, ``YYYY年M月D日``, ``YYYYMMDD``
  and Excel dates (date cells or serial numbers).
* ``enum`` — one of the listed values, in English or Chinese.
* ``list`` — several values separated by ``;`` (or the full-width ``；``).
* ``crs`` — the coordinate system of this row's lon/lat: ``wgs84`` (default), ``cgcs2000``,
  ``epsg:4326``, ``epsg:4490``, ``gcj02`` (高德/腾讯) or ``bd09`` (百度). GCJ-02 and BD-09 are
  converted to WGS84 on import and ``location_source`` records the original system.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["IMPORT_MODES", "Column", "TableSpec", "TEMPLATES", "KIND_ALIASES", "canonical_kind", "write_template",
           "normalise_header"]

#: how an import treats rows that are already in the plan. insert (the default): new rows only —
#: an existing code (stock: site + item + batch) is refused, so importing a file twice never
#: duplicates anything; upsert: update those rows; replace (stock only): the stock of every site
#: named in the file is replaced by the file's lots
IMPORT_MODES = ("insert", "upsert", "replace")


@dataclass(frozen=True)
class Column:
    key: str                      # the English column name (and model attribute, mostly)
    type: str                     # text / code / admin_code / int / float / date / enum / list / crs
    required: bool
    zh: str                       # meaning in Chinese
    en: str                       # meaning in English
    aliases: tuple[str, ...] = ()  # other accepted header names (Chinese …)
    #: enum: stored value → accepted spellings (the value itself is always accepted)
    choices: dict[str, tuple[str, ...]] | None = None
    default: object = None         # stored when the cell is empty (non-nullable columns)
    min: float | None = None       # lower bound (inclusive unless min_exclusive)
    min_exclusive: bool = False


@dataclass(frozen=True)
class TableSpec:
    kind: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("code",)   # what identifies a row for duplicates / upsert
    notes: str = ""

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.key for c in self.columns if c.required]


# -- enum spellings -------------------------------------------------------------------------------
SITE_KIND = {
    "warehouse": ("仓库", "储备仓库", "物资仓库", "应急物资储备仓库", "物资储备库", "储备库"),
    "reserve_point": ("储备点", "前置储备点", "物资储备点", "储备站", "物资储备站", "reserve point"),
    "shelter": ("避难场所", "应急避难场所", "避难所"),
}
SITE_STATUS = {"built": ("已建", "在用", "建成"), "planned": ("规划", "拟建", "在建"),
               "closed": ("停用", "关闭")}
POINT_TIER = {"district": ("区级", "县级", "区县级"), "town": ("镇级", "乡镇级", "街道级"),
              "village": ("村级", "社区级")}
SHELTER_CLASS = {
    "emergency": ("紧急", "紧急避难场所"),
    "short": ("短期", "短期固定", "短期固定避难场所", "短期避难场所"),
    "medium": ("中期", "中期固定", "中期固定避难场所", "中期避难场所"),
    "long": ("长期", "长期固定", "长期固定避难场所", "长期避难场所"),
}
STOCK_MODE = {"physical": ("实物", "实物储备"), "agreement": ("协议", "协议储备", "合同储备")}
ITEM_CATEGORY = {"living": ("生活类", "生活", "生活物资", "生活类物资"),
                 "rescue": ("救援类", "救援", "救援物资", "救援类物资", "抢险类")}
DEMAND_KIND = {"village": ("村", "村委会", "行政村"), "community": ("社区", "居委会", "社区居委会"),
               "place": ("地点", "居民点", "自然村")}
ADMIN_LEVEL = {"district": ("区", "县", "区县", "区级", "县级"),
               "town": ("乡镇", "镇", "乡", "街道", "镇级", "乡镇级", "镇街")}

_LON = ("经度", "longitude", "lng", "long", "x")
_LAT = ("纬度", "latitude", "y")
_CRS = ("坐标系", "坐标系统")
_TOWN = ("乡镇代码", "镇街代码", "乡镇街道代码", "所属乡镇代码", "镇代码", "街道代码")


def _c(key: str, type_: str, required: bool, zh: str, en: str, *aliases: str, **kw: object) -> Column:
    return Column(key, type_, required, zh, en, tuple(aliases), **kw)  # type: ignore[arg-type]


SITES = TableSpec("sites", "场所（仓库、储备点、避难场所）", "sites (warehouses, reserve points, shelters)", (
    _c("code", "code", True, "场所编码（唯一）", "site code (unique)", "编码", "代码", "编号", "场所编码"),
    _c("kind", "enum", True, "类型：仓库/储备点/避难场所", "kind: warehouse / reserve_point / shelter",
       "类型", "场所类型", choices=SITE_KIND),
    _c("name", "text", True, "名称", "name", "名称", "场所名称"),
    _c("status", "enum", False, "状态：已建/规划/停用（默认已建）", "status: built / planned / closed (default built)",
       "状态", "建设状态", choices=SITE_STATUS, default="built"),
    _c("tier", "enum", False, "储备层级：区级/镇级/村级", "reserve tier: district / town / village",
       "层级", "储备层级", choices=POINT_TIER),
    _c("shelter_class", "enum", False, "避难场所类别：紧急/短期/中期/长期",
       "shelter class: emergency / short / medium / long", "避难场所类别", "场所类别", "避难类别",
       choices=SHELTER_CLASS),
    _c("grade", "text", False, "级别（GB/T 44013：县级/乡镇级/村级 …）", "grade (GB/T 44013)", "级别", "等级"),
    _c("indoor_area_m2", "float", False, "室内有效避难面积（平方米）", "indoor effective area (m²)",
       "室内有效面积", "室内有效避难面积", "室内面积", min=0),
    _c("outdoor_area_m2", "float", False, "室外有效避难面积（平方米）", "outdoor effective area (m²)",
       "室外有效面积", "室外有效避难面积", "室外面积", min=0),
    _c("stated_capacity", "int", False, "设计容纳人数", "stated capacity (persons)",
       "容纳人数", "设计容纳人数", "可容纳人数", min=0),
    _c("storage_area_m2", "float", False, "仓储面积（平方米）", "storage area (m²)",
       "仓储面积", "库房面积", "储存面积", min=0),
    _c("facilities", "list", False, "配套设施（分号分隔）", "facilities (separated by ;)", "设施", "配套设施"),
    _c("town_code", "admin_code", False, "所属乡镇代码（9位统计用区划代码）", "town code (9-digit NBS code)", *_TOWN),
    _c("village_code", "code", False, "所属村（村级储备点：该村需求单元的编码，如12位村代码）",
       "the village a village-level point belongs to (its demand unit's code, e.g. the 12-digit code)",
       "所属村代码", "所属村", "村级编码"),
    _c("address", "text", False, "地址", "address", "地址"),
    _c("contact", "text", False, "联系人", "contact person", "联系人"),
    _c("phone", "text", False, "联系电话", "phone", "电话", "联系电话"),
    _c("lon", "float", False, "经度", "longitude", *_LON),
    _c("lat", "float", False, "纬度", "latitude", *_LAT),
    _c("crs", "crs", False, "坐标系：wgs84/cgcs2000/gcj02（高德）/bd09（百度）",
       "coordinate system of lon/lat: wgs84 / cgcs2000 / gcj02 (AMap) / bd09 (Baidu)", *_CRS),
    _c("location_source", "text", False, "坐标来源", "where the coordinates come from", "坐标来源", "位置来源"),
    _c("source", "text", False, "数据来源", "source of the record", "来源", "数据来源"),
    _c("notes", "text", False, "备注", "notes", "备注"),
))

ITEMS = TableSpec("items", "物资品类", "supply items", (
    _c("code", "code", True, "物资编码（唯一）", "item code (unique)", "编码", "代码", "物资编码", "编号"),
    _c("name_zh", "text", True, "物资名称（中文）", "name in Chinese", "名称", "物资名称", "中文名称"),
    _c("name_en", "text", False, "英文名称", "name in English", "英文名称", "英文名"),
    _c("unit", "text", True, "计量单位（件/顶/床/kg/L …）", "unit (piece, tent, kg, L …)", "单位", "计量单位"),
    _c("category", "enum", False, "类别：生活类/救援类（默认生活类）", "category: living / rescue (default living)",
       "类别", "物资类别", choices=ITEM_CATEGORY, default="living"),
    _c("shelf_life_days", "int", False, "保质期（天）", "shelf life (days)", "保质期", "保质期天数",
       min=0, min_exclusive=True),
    _c("unit_volume_m3", "float", False, "单位体积（立方米）", "volume per unit (m³)", "单位体积", "单件体积", min=0),
    _c("unit_weight_kg", "float", False, "单位重量（千克）", "weight per unit (kg)", "单位重量", "单件重量", min=0),
    _c("unit_price", "float", False, "单价（元）", "price per unit (yuan)", "单价", "价格", min=0),
    _c("norm_key", "code", False, "对应保障标准中的物资键", "key of this item in the norms profile",
       "标准键", "定额键"),
    _c("notes", "text", False, "备注", "notes", "备注"),
))

STOCK = TableSpec("stock", "库存（实物及协议储备）", "stock lots (physical and agreement)", (
    _c("site_code", "code", True, "存放场所编码", "code of the site holding the stock",
       "场所编码", "仓库编码", "储备点编码", "存放地点编码"),
    _c("item_code", "code", True, "物资编码", "item code", "物资编码", "品类编码"),
    _c("quantity", "float", True, "数量（按单位）", "quantity (in unit)", "数量", "库存数量", "储备数量", min=0),
    _c("unit", "text", False, "单位（须与物资单位相同或可换算：kg/t/g，L/mL/m³）",
       "unit (the item's unit, or convertible: kg/t/g, L/mL/m³)", "单位", "计量单位"),
    _c("mode", "enum", False, "储备方式：实物/协议（默认实物）", "mode: physical / agreement (default physical)",
       "储备方式", "储备类型", choices=STOCK_MODE, default="physical"),
    _c("batch", "code", False, "批次号", "batch", "批次", "批号", "批次号"),
    _c("expiry_date", "date", False, "有效期至（YYYY-MM-DD）", "expiry date (YYYY-MM-DD)",
       "有效期", "过期日期", "有效期至", "失效日期", "到期日期"),
    _c("lead_time_h", "float", False, "协议储备调运时间（小时，协议储备必填）",
       "hours to deliver (required for agreement stock)", "调运时间", "供货时间", "响应时间", "到货时间",
       min=0),
    _c("supplier", "text", False, "供应商/协议单位", "supplier", "供应商", "协议单位", "供货单位"),
    _c("notes", "text", False, "备注", "notes", "备注"),
), key=("site_code", "item_code", "batch"),
    notes="A row is identified by site_code + item_code + batch (for upsert).")

DEMAND = TableSpec("demand", "需求单元（村、社区、居民点）", "demand units (villages, communities, places)", (
    _c("code", "code", True, "编码（统计用区划代码，12位）", "code (12-digit NBS code where known)",
       "编码", "代码", "区划代码", "统计用区划代码", "村代码"),
    _c("name", "text", True, "名称", "name", "名称", "村名", "村居名称"),
    _c("kind", "enum", False, "类型：村/社区/地点（默认村）", "kind: village / community / place (default village)",
       "类型", choices=DEMAND_KIND, default="village"),
    _c("town_code", "admin_code", False, "所属乡镇代码", "town code", *_TOWN),
    _c("population", "int", False, "人口", "population", "人口", "常住人口", "人口数", min=0),
    _c("vulnerable", "int", False, "脆弱人群人数（老弱病残孕幼）", "vulnerable persons (elderly, disabled, infants …)",
       "脆弱人群", "脆弱人口", "弱势人群", "特殊人群", min=0),
    _c("sheltering_demand", "int", False, "避难需求人数（不填则按人口 × 避难需求比例）",
       "people needing a shelter place (empty: population × sheltering share)", "避难需求", "避难需求人数", min=0),
    _c("lon", "float", False, "经度", "longitude", *_LON),
    _c("lat", "float", False, "纬度", "latitude", *_LAT),
    _c("crs", "crs", False, "坐标系：wgs84/cgcs2000/gcj02/bd09", "coordinate system of lon/lat", *_CRS),
    _c("flags", "list", False, "标记（分号分隔，如 易失联;防汛重点村）", "flags (separated by ;)", "标记", "标签"),
    _c("population_source", "text", False, "人口数据来源", "source of the population", "人口来源"),
    _c("location_source", "text", False, "坐标来源", "source of the coordinates", "坐标来源", "位置来源"),
))

ADMIN_UNITS = TableSpec("admin_units", "行政区（乡镇、街道）", "administrative units (towns)", (
    _c("code", "admin_code", True, "统计用区划代码（9位）", "NBS division code (9 digits for towns)",
       "编码", "代码", "区划代码", "统计用区划代码", "乡镇代码", "镇街代码"),
    _c("name", "text", True, "名称", "name", "名称", "乡镇名称", "镇街名称"),
    _c("level", "enum", False, "层级：乡镇/区县（默认乡镇）", "level: town / district (default town)",
       "层级", "级别", choices=ADMIN_LEVEL, default="town"),
    _c("parent_code", "admin_code", False, "上级区划代码", "parent division code", "上级代码", "上级区划代码"),
    _c("population", "int", False, "人口", "population", "人口", "常住人口", "人口数", min=0),
    _c("sheltering_share", "float", False, "本乡镇避难需求比例（0–1；不填则用规划的比例）",
       "this town's sheltering share (0–1; empty: the plan's)", "避难需求比例", min=0),
    _c("population_source", "text", False, "人口数据来源", "source of the population", "人口来源"),
    _c("lon", "float", False, "驻地经度", "longitude of the seat", *_LON),
    _c("lat", "float", False, "驻地纬度", "latitude of the seat", *_LAT),
    _c("crs", "crs", False, "坐标系：wgs84/cgcs2000/gcj02/bd09", "coordinate system of lon/lat", *_CRS),
    _c("location_source", "text", False, "坐标来源", "source of the coordinates", "坐标来源", "位置来源"),
))

#: Every importable table, by kind.
TEMPLATES: dict[str, TableSpec] = {t.kind: t for t in (SITES, ITEMS, STOCK, DEMAND, ADMIN_UNITS)}

KIND_ALIASES = {
    "site": "sites", "sites": "sites", "场所": "sites",
    "item": "items", "items": "items", "supply_items": "items", "supply_item": "items", "物资": "items",
    "stock": "stock", "stock_lots": "stock", "stock_lot": "stock", "lots": "stock", "库存": "stock",
    "demand": "demand", "demand_units": "demand", "demand_unit": "demand", "villages": "demand",
    "需求": "demand",
    "admin_units": "admin_units", "admin_unit": "admin_units", "admin": "admin_units",
    "towns": "admin_units", "town": "admin_units", "乡镇": "admin_units",
}


def canonical_kind(kind: str) -> str:
    """``sites`` / ``items`` / ``stock`` / ``demand`` / ``admin_units`` (aliases accepted)."""
    k = str(kind).strip().lower().replace("-", "_")
    if k in KIND_ALIASES:
        return KIND_ALIASES[k]
    raise ValueError(f"unknown table kind {kind!r}; use one of {', '.join(TEMPLATES)}")


_BRACKETS = re.compile(r"[（(\[【].*?[)）\]】]")


def normalise_header(h: object) -> str:
    """How headers are compared: lower case, no spaces, no ``*``, no bracketed unit."""
    s = "" if h is None else str(h)
    s = s.replace("\ufeff", "").strip()
    s = _BRACKETS.sub("", s)
    s = s.replace("*", "").replace(" ", "").replace("\u3000", "").replace("-", "_").lower()
    return s


def _type_zh(c: Column) -> str:
    return {"text": "文本", "code": "编码（文本）", "admin_code": "区划代码（数字文本）", "int": "整数",
            "float": "数值", "date": "日期", "enum": "枚举", "list": "列表（;分隔）",
            "crs": "坐标系"}[c.type]


def _choices_text(c: Column) -> str:
    if not c.choices:
        return ""
    return "; ".join(f"{v} = {'/'.join(zh)}" for v, zh in c.choices.items())


def write_template(kind: str, path: str | Path) -> Path:
    """Write an empty import template (header row only) as CSV or XLSX (by the suffix).

    The CSV is UTF-8 with BOM (so Excel shows Chinese correctly). The XLSX has the header on the
    first sheet (code columns formatted as text so Excel keeps 12-digit codes) and a second
    sheet "说明" describing every column.
    """
    spec = TEMPLATES[canonical_kind(kind)]
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerow(spec.keys)
        return path
    if suffix not in (".xlsx", ".xlsm"):
        raise ValueError(f"template must be .csv or .xlsx, not {path.name!r}")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = spec.kind
    ws.append(spec.keys)
    for i, c in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=i)
        if c.required:
            cell.font = Font(bold=True)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(c.key) + 4)
        if c.type in ("code", "admin_code", "text"):
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    doc = wb.create_sheet("说明")
    doc.append([f"{spec.zh} — {spec.en}"])
    doc.append(["列名 column", "必填 required", "类型 type", "说明（中文）", "meaning (English)",
                "可选值 values", "也接受的列名 aliases"])
    for c in spec.columns:
        doc.append([c.key + ("*" if c.required else ""), "是 yes" if c.required else "否 no",
                    f"{_type_zh(c)} {c.type}", c.zh, c.en, _choices_text(c), "、".join(c.aliases)])
    doc.append([])
    doc.append(["表头为第1行，数据从第2行开始。带 * 的列必填。"
                "编码列请设为文本格式，避免 Excel 把 12 位代码变成科学计数法。"])
    doc.append(["Row 1 is the header; data starts on row 2. Columns marked * are required. "
                "Keep code columns as text so Excel does not turn 12-digit codes into 3.7E+11."])
    if spec.notes:
        doc.append([spec.notes])
    for col, width in zip("ABCDEFG", (18, 12, 18, 40, 44, 40, 40), strict=True):
        doc.column_dimensions[col].width = width
    wb.save(path)
    return path
