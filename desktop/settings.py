"""Typed application settings (QSettings, INI format, user scope).

Options are declared once with their type and default (as Picard's ``options.py`` does), so the
rest of the GUI reads ``settings.language`` instead of raw keys and string-typed values.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

MAX_RECENT = 8


@dataclass(frozen=True)
class Option:
    key: str
    type: type
    default: Any


OPTIONS = {
    "language": Option("ui/language", str, ""),          # "", "zh_CN" or "en"
    "geometry": Option("persist/geometry", QByteArray, QByteArray()),
    "state": Option("persist/state", QByteArray, QByteArray()),
    "recent": Option("persist/recent_plans", list, []),
    "last_dir": Option("persist/last_dir", str, ""),
    "show_labels": Option("map/show_labels", bool, True),
    "show_service_areas": Option("map/show_service_areas", bool, True),
    "show_legend": Option("map/show_legend", bool, True),
    "prepared_by": Option("report/prepared_by", str, ""),
    # the layer panel: order bottom to top, the layers hidden, the online tiles' source
    "layer_order": Option("map/layer_order", list, []),
    "layers_hidden": Option("map/layers_hidden", list, ["tiles"]),
    "tiles_source": Option("map/tiles_source", str, "osm"),     # osm / tianditu / custom
    "tiles_url": Option("map/tiles_url", str, ""),              # the custom URL template
    "tiles_key": Option("map/tiles_key", str, ""),              # 天地图's tk
    "tiles_cache_mb": Option("map/tiles_cache_mb", int, 200),
}


class Settings:
    """Attribute access to the declared options; unknown names are an error."""

    def __init__(self, qsettings: QSettings | None = None):
        self._q = qsettings or QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                                         "esplan", "esplan")

    def __getattr__(self, name: str) -> Any:
        opt = OPTIONS.get(name)
        if opt is None:
            raise AttributeError(name)
        val = self._q.value(opt.key, opt.default)
        if opt.type is bool:
            return val if isinstance(val, bool) else str(val).lower() in ("1", "true", "yes")
        if opt.type is list:
            if val in (None, ""):
                return []
            return [str(v) for v in (val if isinstance(val, list) else [val])]
        if opt.type is QByteArray:
            return val if isinstance(val, QByteArray) else QByteArray()
        return opt.type(val) if val is not None else opt.default

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        opt = OPTIONS.get(name)
        if opt is None:
            raise AttributeError(name)
        self._q.setValue(opt.key, value)

    def add_recent(self, location: str) -> list[str]:
        rec = [r for r in self.recent if r != location]
        rec.insert(0, location)
        self.recent = rec[:MAX_RECENT]
        return self.recent

    def column_mapping(self, kind: str, signature: str) -> dict[str, str | None] | None:
        """The column mapping the user confirmed for a ``kind`` of table with this header layout
        (:func:`planner.io.mapping.header_signature`): field → column (None: not imported)."""
        raw = self._q.value(f"import_mapping/{kind}/{signature}", "")
        if not raw:
            return None
        try:
            data = json.loads(str(raw))
        except ValueError:
            log.warning("remembered column mapping %s/%s is not JSON: ignored", kind, signature)
            return None
        return {str(k): (None if v is None else str(v)) for k, v in data.items()} if isinstance(data, dict) else None

    def remember_mapping(self, kind: str, signature: str, mapping: dict[str, str | None]) -> None:
        self._q.setValue(f"import_mapping/{kind}/{signature}", json.dumps(mapping, ensure_ascii=False))

    def sync(self) -> None:
        self._q.sync()
