"""The plan's data model (SQLAlchemy 2 typed models).

One plan = one database (a SQLite file by default, or a PostgreSQL database). Geometry is stored
as WKB in WGS84 lon/lat (CGCS2000 is the same to well under a metre); coordinates that no source
gives are left NULL so the application can show what is not yet located instead of guessing.

Every editable table has a ``version`` column used for optimistic locking: an UPDATE whose
version no longer matches (another planner saved first) raises
:class:`planner.store.EditConflict` instead of silently overwriting.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any, cast

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text as sql_text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

SCHEMA_REVISION = "0005"  # the Alembic head this code writes; see planner/migrations/versions

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Geometry(TypeDecorator):
    """A shapely geometry stored as WKB bytes (portable across SQLite and PostgreSQL)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: BaseGeometry | bytes | None, dialect: Any) -> bytes | None:
        if value is None:
            return None
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)      # already WKB (bulk writers encode a whole column at once)
        return shapely.to_wkb(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> BaseGeometry | None:
        if value is None:
            return None
        return shapely.from_wkb(bytes(value))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def table_of(cls: type[Base]) -> Table:
    """The Core table of a mapped class (declarative types ``cls.__table__`` as a FromClause)."""
    return cast(Table, cls.__table__)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # stored as the plain value string; a CHECK keeps bad values out on both databases
    return Enum(cls, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e],
                validate_strings=True, length=24)


class SiteKind(str, enum.Enum):
    warehouse = "warehouse"          # 应急物资储备仓库
    reserve_point = "reserve_point"  # 前置储备点
    shelter = "shelter"              # 应急避难场所


class PointTier(str, enum.Enum):
    district = "district"  # 区级 (warehouses)
    town = "town"          # 镇级物资储备站
    village = "village"    # 村级储备点


class ShelterClass(str, enum.Enum):
    emergency = "emergency"      # 紧急避难场所
    short = "short"              # 短期固定避难场所
    medium = "medium"            # 中期固定避难场所
    long = "long"                # 长期固定避难场所


class SiteStatus(str, enum.Enum):
    built = "built"      # 已建
    planned = "planned"  # 规划
    closed = "closed"    # 停用


class StockMode(str, enum.Enum):
    physical = "physical"    # 实物储备
    agreement = "agreement"  # 协议储备


class ItemCategory(str, enum.Enum):
    living = "living"  # 生活类
    rescue = "rescue"  # 救援类


class HazardEffect(str, enum.Enum):
    block = "block"  # roads inside are impassable
    slow = "slow"    # roads inside are slowed by ``factor``


class Versioned:
    """Mixin: optimistic-locking version column (SQLAlchemy ``version_id_col``)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # a mixin: ``cls`` is the mapped subclass, which has a __table__
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class PlanInfo(Versioned, Base):
    """One row: the plan's own attributes."""

    __tablename__ = "plan_info"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district_name: Mapped[str | None] = mapped_column(String(200))
    district_code: Mapped[str | None] = mapped_column(String(12))
    description: Mapped[str | None] = mapped_column(Text)
    attribution: Mapped[str | None] = mapped_column(Text)
    # the plan figures (docs/planning-model.md); NULL = not set, the stated default applies
    target_population: Mapped[int | None] = mapped_column(Integer)      # 保障人口 (72-hour supply target)
    planning_population: Mapped[int | None] = mapped_column(Integer)    # 规划人口 (NULL: sum of units)
    sheltering_share: Mapped[float | None] = mapped_column(Float)       # 避难需求 = population × share
    event_date: Mapped[dt.date | None] = mapped_column(Date)            # 灾害发生日期 (stock expiry)
    default_norms: Mapped[str] = mapped_column(String(64), default="cn_standard")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AdminUnit(Versioned, Base):
    """Town-level (乡镇/街道) or district-level administrative unit."""

    __tablename__ = "admin_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # 统计用区划代码 (9 or 12 digits)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), default="town")  # district / town
    parent_code: Mapped[str | None] = mapped_column(String(12))
    population: Mapped[int | None] = mapped_column(Integer)
    population_source: Mapped[str | None] = mapped_column(Text)
    sheltering_share: Mapped[float | None] = mapped_column(Float)  # overrides the plan's share here
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint("population IS NULL OR population >= 0", name="population_nonneg"),
        CheckConstraint("sheltering_share IS NULL OR (sheltering_share >= 0 AND sheltering_share <= 1)",
                        name="share_range"),
        CheckConstraint("lon IS NULL OR (lon >= -180 AND lon <= 180)", name="lon_range"),
        CheckConstraint("lat IS NULL OR (lat >= -90 AND lat <= 90)", name="lat_range"),
    )


class Boundary(Base):
    """The district outline (and optionally other outlines), WGS84."""

    __tablename__ = "boundary"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(16), default="district")  # district / town / other
    geometry: Mapped[BaseGeometry] = mapped_column(Geometry)
    source: Mapped[str | None] = mapped_column(Text)
    authoritative: Mapped[bool] = mapped_column(Boolean, default=False)


class Site(Versioned, Base):
    """A warehouse, pre-positioned reserve point or shelter (single-table, ``kind``)."""

    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[SiteKind] = mapped_column(_enum(SiteKind, "site_kind"))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[SiteStatus] = mapped_column(_enum(SiteStatus, "site_status"), default=SiteStatus.built)
    tier: Mapped[PointTier | None] = mapped_column(_enum(PointTier, "point_tier"))
    shelter_class: Mapped[ShelterClass | None] = mapped_column(_enum(ShelterClass, "shelter_class"))
    grade: Mapped[str | None] = mapped_column(String(32))  # GB/T 44013 级别: 县级 / 乡镇级 / 村级 …
    indoor_area_m2: Mapped[float | None] = mapped_column(Float)   # 室内有效避难面积
    outdoor_area_m2: Mapped[float | None] = mapped_column(Float)  # 室外有效避难面积
    stated_capacity: Mapped[int | None] = mapped_column(Integer)  # 设计容纳人数 (overrides area ÷ norm)
    storage_area_m2: Mapped[float | None] = mapped_column(Float)  # warehouses / points
    facilities: Mapped[list[Any]] = mapped_column(default=list)
    town_code: Mapped[str | None] = mapped_column(String(12))
    village_code: Mapped[str | None] = mapped_column(String(64))  # a village-level point's demand unit
    address: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(50))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    stock: Mapped[list[StockLot]] = relationship(back_populates="site", cascade="all, delete-orphan",
                                                 passive_deletes=True)

    __table_args__ = (
        CheckConstraint("indoor_area_m2 IS NULL OR indoor_area_m2 >= 0", name="indoor_nonneg"),
        CheckConstraint("outdoor_area_m2 IS NULL OR outdoor_area_m2 >= 0", name="outdoor_nonneg"),
        CheckConstraint("stated_capacity IS NULL OR stated_capacity >= 0", name="capacity_nonneg"),
        CheckConstraint("storage_area_m2 IS NULL OR storage_area_m2 >= 0", name="storage_nonneg"),
        CheckConstraint("lon IS NULL OR (lon >= -180 AND lon <= 180)", name="lon_range"),
        CheckConstraint("lat IS NULL OR (lat >= -90 AND lat <= 90)", name="lat_range"),
        Index("ix_site_kind", "kind"),
    )

    @property
    def located(self) -> bool:
        return self.lon is not None and self.lat is not None


class SupplyItem(Versioned, Base):
    """The supply catalogue (物资品类)."""

    __tablename__ = "supply_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16))          # 件 / 顶 / 床 / L / kg / 箱 …
    category: Mapped[ItemCategory] = mapped_column(_enum(ItemCategory, "item_category"),
                                                   default=ItemCategory.living)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    unit_volume_m3: Mapped[float | None] = mapped_column(Float)
    unit_weight_kg: Mapped[float | None] = mapped_column(Float)
    unit_price: Mapped[float | None] = mapped_column(Float)  # yuan per unit
    norm_key: Mapped[str | None] = mapped_column(String(64))  # key in the norms profile's supplies
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life_pos"),
        CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="price_nonneg"),
        CheckConstraint("unit_volume_m3 IS NULL OR unit_volume_m3 >= 0", name="volume_nonneg"),
        CheckConstraint("unit_weight_kg IS NULL OR unit_weight_kg >= 0", name="weight_nonneg"),
    )


class StockLot(Versioned, Base):
    """A stock lot held at a site (库存批次): physical or under a supply agreement."""

    __tablename__ = "stock_lot"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_item.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[float] = mapped_column(Float)
    mode: Mapped[StockMode] = mapped_column(_enum(StockMode, "stock_mode"), default=StockMode.physical)
    batch: Mapped[str | None] = mapped_column(String(64))
    expiry_date: Mapped[dt.date | None] = mapped_column(Date)
    lead_time_h: Mapped[float | None] = mapped_column(Float)  # agreement stock: hours to deliver
    supplier: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)

    site: Mapped[Site] = relationship(back_populates="stock")
    item: Mapped[SupplyItem] = relationship()
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_nonneg"),
        CheckConstraint("lead_time_h IS NULL OR lead_time_h >= 0", name="lead_time_nonneg"),
        # a lot's identity: site + item + batch. SQL treats NULLs as distinct, so the one unbatched
        # lot of an item at a site has its own unique index (migration 0003)
        UniqueConstraint("site_id", "item_id", "batch", name="uq_stock_lot_identity"),
        Index("uq_stock_lot_unbatched", "site_id", "item_id", unique=True,
              sqlite_where=sql_text("batch IS NULL"), postgresql_where=sql_text("batch IS NULL")),
    )


class DemandUnit(Versioned, Base):
    """A population unit (village / community / place) that needs shelter and supplies."""

    __tablename__ = "demand_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # 12-digit 统计用区划代码 where known
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="village")  # village / community / place
    town_code: Mapped[str | None] = mapped_column(String(12), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    population_source: Mapped[str | None] = mapped_column(Text)
    vulnerable: Mapped[int | None] = mapped_column(Integer)  # elderly, disabled, infants …
    sheltering_demand: Mapped[int | None] = mapped_column(Integer)  # 避难需求 override (NULL: pop × share)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[list[Any]] = mapped_column(default=list)  # e.g. ["易失联", "防汛重点村"]
    __table_args__ = (
        CheckConstraint("population IS NULL OR population >= 0", name="population_nonneg"),
        CheckConstraint("vulnerable IS NULL OR vulnerable >= 0", name="vulnerable_nonneg"),
        CheckConstraint("sheltering_demand IS NULL OR sheltering_demand >= 0", name="sheltering_nonneg"),
        CheckConstraint("lon IS NULL OR (lon >= -180 AND lon <= 180)", name="lon_range"),
        CheckConstraint("lat IS NULL OR (lat >= -90 AND lat <= 90)", name="lat_range"),
    )


class RoadNode(Base):
    """A node of the road graph (an intersection or way end)."""

    __tablename__ = "road_node"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class RoadEdge(Base):
    """A road segment between two graph nodes, with its OSM class and full geometry."""

    __tablename__ = "road_edge"
    id: Mapped[int] = mapped_column(primary_key=True)
    u: Mapped[int] = mapped_column(BigInteger, ForeignKey("road_node.id", ondelete="CASCADE"), index=True)
    v: Mapped[int] = mapped_column(BigInteger, ForeignKey("road_node.id", ondelete="CASCADE"), index=True)
    highway: Mapped[str] = mapped_column(String(32))  # OSM highway=* class
    oneway: Mapped[bool] = mapped_column(Boolean, default=False)  # True: only u → v for driving
    # from OSM access tags (foot / access / motor_vehicle …); NULL = by highway class (profile)
    walk_access: Mapped[bool | None] = mapped_column(Boolean)
    drive_access: Mapped[bool | None] = mapped_column(Boolean)
    length_m: Mapped[float] = mapped_column(Float)
    name: Mapped[str | None] = mapped_column(String(200))
    maxspeed_kmh: Mapped[float | None] = mapped_column(Float)
    osm_way_id: Mapped[int | None] = mapped_column(BigInteger)
    geometry: Mapped[BaseGeometry | None] = mapped_column(Geometry)
    __table_args__ = (CheckConstraint("length_m >= 0", name="length_nonneg"),)


class CandidateSite(Base):
    """A place where a new shelter or reserve point could go (OSM school, park, square …)."""

    __tablename__ = "candidate_site"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))  # school / park / sports / townhall / square / user
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    area_m2: Mapped[float | None] = mapped_column(Float)
    osm_ref: Mapped[str | None] = mapped_column(String(32))  # e.g. "w123456"
    source: Mapped[str | None] = mapped_column(Text)


class BasemapFeature(Base):
    """A feature of the offline basemap drawn under the plan's layers (display only, never used
    by the engine): water areas, rivers and streams, built-up areas and buildings from the
    imported OSM extract (:mod:`planner.io.basemap`), clipped and simplified for drawing.
    ``kind``: ``water`` / ``river`` / ``builtup`` / ``building``; ``geometry``: WGS84 WKB."""

    __tablename__ = "basemap_feature"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    subkind: Mapped[str | None] = mapped_column(String(32))   # the OSM value: river, stream, residential …
    name: Mapped[str | None] = mapped_column(String(200))
    osm_ref: Mapped[str | None] = mapped_column(String(32))   # e.g. "w123456"
    geometry: Mapped[BaseGeometry] = mapped_column(Geometry)


class ChangeStamp(Base):
    """A random stamp renewed by the database itself whenever a watched table changes: triggers
    on ``road_node`` and ``road_edge`` (migration 0005) set the ``roads`` stamp on every insert,
    update or delete, whichever program writes. A reader that kept a copy of the road network
    under the stamp it read may reuse the copy while the stamp is unchanged
    (:func:`planner.scenario.runs.load_snapshot`)."""

    __tablename__ = "change_stamp"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))


class NormsProfile(Versioned, Base):
    """A norms profile (保障标准): values with source and confidence, as JSON."""

    __tablename__ = "norms_profile"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="custom")  # cn_standard / sphere / custom
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Scenario(Versioned, Base):
    """A what-if scenario derived from the baseline (the baseline is never changed by one)."""

    __tablename__ = "scenario"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)        # parameter overrides
    site_changes: Mapped[list[Any]] = mapped_column(default=list)       # closures, capacity changes
    stock_changes: Mapped[list[Any]] = mapped_column(default=list)      # stock adjustments
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    hazards: Mapped[list[HazardZone]] = relationship(back_populates="scenario",
                                                     cascade="all, delete-orphan", passive_deletes=True)


class HazardZone(Versioned, Base):
    """A hazard polygon (flood zone …) in a scenario: blocks or slows the roads it covers."""

    __tablename__ = "hazard_zone"
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    effect: Mapped[HazardEffect] = mapped_column(_enum(HazardEffect, "hazard_effect"), default=HazardEffect.block)
    factor: Mapped[float] = mapped_column(Float, default=1.0)  # speed multiplier for ``slow``
    closes_sites: Mapped[bool] = mapped_column(Boolean, default=True)
    geometry: Mapped[BaseGeometry] = mapped_column(Geometry)
    scenario: Mapped[Scenario] = relationship(back_populates="hazards")
    __table_args__ = (CheckConstraint("factor > 0 AND factor <= 1", name="factor_range"),)


class PlanRun(Base):
    """A saved engine run: inputs hash, parameters, engine version and the result (JSON)."""

    __tablename__ = "plan_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenario.id", ondelete="SET NULL"))
    scenario_name: Mapped[str] = mapped_column(String(200), default="baseline")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(String(100))
    engine_version: Mapped[str] = mapped_column(String(32))
    inputs_hash: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditLog(Base):
    """Every change to an audited row: who, when, what, before, after, why."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))
    user: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    entity_code: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # insert / update / delete
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)


#: Tables whose changes are written to the audit log.
AUDITED = (PlanInfo, AdminUnit, Site, SupplyItem, StockLot, DemandUnit, NormsProfile, Scenario, HazardZone)
