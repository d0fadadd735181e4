"""An optional online XYZ tile layer under the map (off by default: the map works offline).

Sources (:data:`SOURCES`): OpenStreetMap's standard tiles, 天地图's vector map ``vec_w`` (needs
the user's key, ``tk``) or a custom URL template with ``{z}``, ``{x}``, ``{y}`` (and optionally
``{s}`` for a subdomain, ``{key}`` for the key). Both named services serve Web-Mercator tiles
in WGS-84 (天地图: CGCS2000, the same to well under a metre), so no datum offset is applied.

The canvas draws in a local equirectangular projection (:class:`desktop.mapitems.Projection`),
not Web Mercator: each tile is placed as a pixmap scaled onto the rectangle of its corners'
longitudes and latitudes. Inside one tile Mercator's latitude scale changes by
``tan(lat)·Δlat`` — at a district's zoom levels (≥ 12, Δlat ≤ 0.07°) less than 0.1 % of the
tile, under a pixel.

Tiles are fetched with :class:`QNetworkAccessManager` (asynchronous: the GUI thread never
waits), at most :data:`MAX_PARALLEL` at a time, and kept in an on-disk cache
(``QStandardPaths.CacheLocation``/tiles, one folder per source, least recently used removed
beyond the cap, 200 MB by default). A cached tile is drawn without asking the network. When the
network fails the layer logs one warning, draws what the cache has and does not ask again for
:data:`RETRY_AFTER_S` seconds — no error per tile.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QPixmap, QTransform
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest
from PySide6.QtWidgets import QGraphicsPixmapItem

log = logging.getLogger(__name__)

TILE_PX = 256
MAX_PARALLEL = 6
MAX_TILES = 120            # tiles asked for one view at most
RETRY_AFTER_S = 30.0
DEFAULT_CAP_MB = 200
TILE_ROLE = 3              # QGraphicsItem.data key: (z, x, y) of a tile item
R_EARTH = 6378137.0        # the Web-Mercator sphere


@dataclass(frozen=True)
class TileSource:
    key: str
    template: str
    attribution: str
    max_zoom: int = 19
    subdomains: str = ""
    needs_key: bool = False


SOURCES = {
    "osm": TileSource("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors", 19),
    "tianditu": TileSource(
        "tianditu",
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
        "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
        "© 天地图 (www.tianditu.gov.cn)", 18, "01234567", True),
}


def custom_source(template: str, attribution: str = "") -> TileSource:
    return TileSource("custom", template.strip(), attribution, 19, "abc" if "{s}" in template else "")


def tile_url(src: TileSource, z: int, x: int, y: int, key: str = "") -> str:
    s = src.subdomains[(x + y) % len(src.subdomains)] if src.subdomains else ""
    return src.template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y)) \
        .replace("{s}", s).replace("{key}", key)


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Fractional tile column and row of (lon, lat) at zoom ``z`` (Web Mercator, rows from the north)."""
    n = 2 ** z
    lat = max(-85.05112878, min(85.05112878, lat))
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of tile (z, x, y)."""
    n = 2 ** z

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def zoom_for(scale_px_per_m: float, lat: float, max_zoom: int) -> int:
    """The zoom level whose tile pixels are closest to the screen's pixels at ``lat``."""
    if scale_px_per_m <= 0:
        return 0
    z = math.log2(2 * math.pi * R_EARTH * math.cos(math.radians(lat)) * scale_px_per_m / TILE_PX)
    return max(0, min(max_zoom, round(z)))


def default_cache_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    return Path(base or Path.home() / ".cache" / "esplan") / "tiles"


class TileCache:
    """Tiles on disk, one folder per source, trimmed to ``cap_bytes`` (least recently used first)."""

    def __init__(self, root: Path, cap_bytes: int):
        self.root, self.cap = Path(root), int(cap_bytes)
        self._size: int | None = None

    def path(self, src: TileSource, z: int, x: int, y: int) -> Path:
        tag = hashlib.sha1(src.template.encode("utf-8")).hexdigest()[:12]   # the key is not part of it
        return self.root / f"{src.key}-{tag}" / str(z) / str(x) / f"{y}.tile"

    def get(self, src: TileSource, z: int, x: int, y: int) -> bytes | None:
        p = self.path(src, z, x, y)
        try:
            data = p.read_bytes()
        except OSError:
            return None
        try:
            os.utime(p)          # recently used: trimmed last
        except OSError:
            pass
        return data

    def put(self, src: TileSource, z: int, x: int, y: int, data: bytes) -> None:
        p = self.path(src, z, x, y)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            tmp = p.with_suffix(".part")
            tmp.write_bytes(data)
            os.replace(tmp, p)
        except OSError as exc:
            log.warning("tile cache %s not writable: %s", self.root, exc)
            return
        if self._size is None:
            self._size = self.size()
        else:
            self._size += len(data)
        if self._size > self.cap:
            self.trim()

    def _files(self) -> list[tuple[float, int, Path]]:
        out = []
        for dirpath, _dirs, files in os.walk(self.root):
            for f in files:
                fp = Path(dirpath) / f
                try:
                    st = fp.stat()
                except OSError:
                    continue
                out.append((st.st_mtime, st.st_size, fp))
        return out

    def size(self) -> int:
        return sum(s for _t, s, _p in self._files())

    def trim(self) -> None:
        """Remove the least recently used tiles until the cache is under 90 % of its cap."""
        files = sorted(self._files())
        total = sum(s for _t, s, _p in files)
        for _t, s, fp in files:
            if total <= self.cap * 0.9:
                break
            try:
                fp.unlink()
                total -= s
            except OSError:
                continue
        self._size = total


class TileLayer(QObject):
    """Keeps the tiles of the view on the canvas's ``tiles`` layer while that layer is shown."""

    tilePlaced = Signal(int, int, int, bool)    # z, x, y, from the cache
    idle = Signal()                            # nothing left to fetch for the view

    def __init__(self, canvas: Any, cache_dir: Path | None = None, cap_mb: int = DEFAULT_CAP_MB):
        super().__init__(canvas)
        self.canvas = canvas
        self.cache = TileCache(cache_dir or default_cache_dir(), cap_mb * 1024 * 1024)
        self.source: TileSource | None = None
        self.key = ""
        self.net = QNetworkAccessManager(self)
        self.items: dict[tuple[int, int, int], QGraphicsPixmapItem] = {}
        self.pending: dict[tuple[int, int, int], QNetworkReply] = {}
        self.queue: list[tuple[int, int, int]] = []
        self.failed: set[tuple[int, int, int]] = set()
        self.offline_until = 0.0
        self.requests = 0                      # network requests made (tests, the log)
        self._warned = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.refresh)
        canvas.tile_layer = self
        canvas.viewChanged.connect(self._timer.start)
        canvas.layersChanged.connect(self._timer.start)

    # -- configuration -------------------------------------------------------------------------
    def configure(self, source: TileSource | None, key: str = "") -> None:
        """Use ``source`` (None: no tiles); tiles of the former source are removed."""
        if source == self.source and key == self.key:
            return
        self.clear()
        self.source, self.key = source, key.strip()
        self.failed.clear()
        self.offline_until = 0.0
        self._warned = False
        self.canvas.tile_attribution = source.attribution if source is not None else ""
        self._timer.start()

    def clear(self) -> None:
        """Remove the tile items and forget queued requests (after a new plan is loaded too)."""
        for reply in list(self.pending.values()):
            reply.abort()
        self.pending.clear()
        self.queue.clear()
        sc = self.canvas.scene()
        for it in self.items.values():
            if it.scene() is sc:
                sc.removeItem(it)
        self.items.clear()

    def usable(self) -> bool:
        return (self.source is not None and bool(self.source.template)
                and (not self.source.needs_key or bool(self.key)))

    # -- following the view --------------------------------------------------------------------
    def wanted(self) -> tuple[int, list[tuple[int, int, int]]]:
        """The zoom level and the tiles covering the view (nearest the centre first)."""
        c = self.canvas
        if c.proj is None or self.source is None:
            return 0, []
        vr = c.mapToScene(c.viewport().rect()).boundingRect()
        lon_w, lat_n = c.proj.lonlat(vr.topLeft())
        lon_e, lat_s = c.proj.lonlat(vr.bottomRight())
        z = zoom_for(c.transform().m11(), (lat_n + lat_s) / 2, self.source.max_zoom)
        x0, y0 = lonlat_to_tile(lon_w, lat_n, z)
        x1, y1 = lonlat_to_tile(lon_e, lat_s, z)
        n = 2 ** z
        xs = range(max(0, math.floor(x0)), min(n - 1, math.floor(x1)) + 1)
        ys = range(max(0, math.floor(y0)), min(n - 1, math.floor(y1)) + 1)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        tiles = sorted(((z, x, y) for x in xs for y in ys),
                       key=lambda t: (t[1] + 0.5 - cx) ** 2 + (t[2] + 0.5 - cy) ** 2)
        return z, tiles[:MAX_TILES]

    def refresh(self) -> None:
        c = self.canvas
        if not c.layer_visible.get("tiles") or not self.usable() or c.proj is None:
            self.queue.clear()
            return
        z, tiles = self.wanted()
        want = set(tiles)
        # tiles of other zoom levels go once this level's are all here; far-away ones at once
        for k in [k for k in self.items if k[0] == z and k not in want]:
            self._drop(k)
        self.queue = []
        for k in tiles:
            if k in self.items or k in self.pending or k in self.failed:
                continue
            data = self.cache.get(self.source, *k)  # type: ignore[arg-type]  # usable(): a source
            if data is not None and self._place(k, data, cached=True):
                continue
            self.queue.append(k)
        self._pump()
        self._maybe_idle(z)

    def _drop(self, k: tuple[int, int, int]) -> None:
        it = self.items.pop(k, None)
        if it is not None and it.scene() is not None:
            it.scene().removeItem(it)

    def _maybe_idle(self, z: int | None = None) -> None:
        if self.pending or self.queue:
            return
        if z is None:
            z = self.wanted()[0]
        for k in [k for k in self.items if k[0] != z]:
            self._drop(k)
        self.idle.emit()

    def _pump(self) -> None:
        if time.monotonic() < self.offline_until:
            self.queue.clear()
            return
        while self.queue and len(self.pending) < MAX_PARALLEL:
            k = self.queue.pop(0)
            req = QNetworkRequest(QUrl(tile_url(self.source, *k, key=self.key)))  # type: ignore[arg-type]
            req.setHeader(QNetworkRequest.KnownHeaders.UserAgentHeader, "esplan desktop planner (tile layer)")
            req.setTransferTimeout(15000)
            reply = self.net.get(req)
            self.requests += 1
            self.pending[k] = reply
            reply.finished.connect(lambda k=k, r=reply, src=self.source: self._done(k, r, src))

    def _done(self, k: tuple[int, int, int], reply: QNetworkReply, src: TileSource | None) -> None:
        reply.deleteLater()
        if self.pending.get(k) is reply:
            del self.pending[k]
        if src != self.source or reply.error() == QNetworkReply.NetworkError.OperationCanceledError:
            return
        if reply.error() != QNetworkReply.NetworkError.NoError:
            status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
            if status is None:      # no answer at all: offline; cached tiles only for a while
                self.offline_until = time.monotonic() + RETRY_AFTER_S
                self.queue.clear()
                self._warn(f"map tiles unavailable ({reply.errorString()}); drawing cached tiles only, "
                           f"trying again in {RETRY_AFTER_S:.0f} s")
            else:                   # the server refused this tile (404, 403: key …): not asked again
                self.failed.add(k)
                self._warn(f"the tile server answered HTTP {status} for {reply.url().host()} tile {k}")
        else:
            data = bytes(reply.readAll().data())
            if self._place(k, data, cached=False):
                self.cache.put(src, *k, data)  # type: ignore[arg-type]
            else:
                self.failed.add(k)
                self._warn(f"the tile server sent something that is not an image for tile {k}")
        self._pump()
        self._maybe_idle()

    def _warn(self, msg: str) -> None:
        if not self._warned:        # once per source: no log line per tile
            log.warning(msg)
            self._warned = True
        else:
            log.debug(msg)

    def _place(self, k: tuple[int, int, int], data: bytes, *, cached: bool) -> bool:
        pm = QPixmap()
        if not pm.loadFromData(data) or pm.isNull():
            return False
        c = self.canvas
        if c.proj is None:
            return False
        w, s, e, n = tile_bounds(*k)
        tl, br = c.proj.xy(w, n), c.proj.xy(e, s)
        it = QGraphicsPixmapItem(pm)
        it.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        it.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        it.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        it.setTransform(QTransform.fromScale((br.x() - tl.x()) / pm.width(), (br.y() - tl.y()) / pm.height()))
        it.setPos(tl)
        it.setData(TILE_ROLE, k)
        c.scene().addItem(it)
        c._tag(it, "tiles", 0.1 * k[0] / 20)     # finer zoom levels over coarser ones
        self.items[k] = it
        self.tilePlaced.emit(*k, cached)
        return True
