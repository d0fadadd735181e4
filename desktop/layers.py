"""The layer panel (a dock): every layer of the map with a checkbox, top layer first; drag a
layer or use the arrows to restack it; the online tile layer's source. Remembered in QSettings.

The map's layers are :data:`desktop.mapitems.LAYERS`; the panel shows and hides them with
:meth:`desktop.mapcanvas.MapCanvas.set_layer_visible` and restacks them with
:meth:`~desktop.mapcanvas.MapCanvas.set_layer_order` (labels are drawn with their symbols: they
can be hidden, not moved). The legend lists only the layers shown.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.mapitems import LAYERS, PINNED
from desktop.tiles import SOURCES, TileLayer, TileSource, custom_source

KEY = Qt.ItemDataRole.UserRole


class LayerPanel(QWidget):
    def __init__(self, canvas: Any, settings: Any, parent: QWidget | None = None, tile_cache: Any = None):
        super().__init__(parent)
        self.canvas, self.settings = canvas, settings
        self.tiles = TileLayer(canvas, cache_dir=tile_cache, cap_mb=max(10, int(settings.tiles_cache_mb or 200)))
        self._syncing = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        row = QHBoxLayout()
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.itemChanged.connect(self._item_changed)
        self.list.model().rowsMoved.connect(self._rows_moved)
        row.addWidget(self.list, 1)
        btns = QVBoxLayout()
        self.btn_up, self.btn_down = QToolButton(), QToolButton()
        self.btn_up.setArrowType(Qt.ArrowType.UpArrow)
        self.btn_down.setArrowType(Qt.ArrowType.DownArrow)
        self.btn_up.clicked.connect(lambda: self.move_selected(-1))
        self.btn_down.clicked.connect(lambda: self.move_selected(+1))
        btns.addWidget(self.btn_up)
        btns.addWidget(self.btn_down)
        btns.addStretch(1)
        row.addLayout(btns)
        lay.addLayout(row, 1)
        self.box_tiles = QGroupBox()
        form = QFormLayout(self.box_tiles)
        self.cmb_source = QComboBox()
        for key in ("osm", "tianditu", "custom"):
            self.cmb_source.addItem("", key)
        self.ed_key = QLineEdit()
        self.ed_url = QLineEdit()
        self.ed_url.setPlaceholderText("https://…/{z}/{x}/{y}.png")
        self.lbl_source, self.lbl_key, self.lbl_url = QLabel(), QLabel(), QLabel()
        form.addRow(self.lbl_source, self.cmb_source)
        form.addRow(self.lbl_key, self.ed_key)
        form.addRow(self.lbl_url, self.ed_url)
        self.tile_note = QLabel()
        self.tile_note.setWordWrap(True)
        form.addRow(self.tile_note)
        lay.addWidget(self.box_tiles)
        # the remembered state
        src = settings.tiles_source if settings.tiles_source in ("osm", "tianditu", "custom") else "osm"
        self.cmb_source.setCurrentIndex(self.cmb_source.findData(src))
        self.ed_key.setText(settings.tiles_key)
        self.ed_url.setText(settings.tiles_url)
        self.cmb_source.currentIndexChanged.connect(self._tiles_changed)
        self.ed_key.editingFinished.connect(self._tiles_changed)
        self.ed_url.editingFinished.connect(self._tiles_changed)
        hidden = set(settings.layers_hidden)
        hidden.discard("labels")
        hidden.discard("service_areas")
        if not settings.show_labels:           # the View menu's older switches
            hidden.add("labels")
        if not settings.show_service_areas:
            hidden.add("service_areas")
        canvas.set_layer_order(settings.layer_order or list(LAYERS))
        for k in LAYERS:
            canvas.set_layer_visible(k, k not in hidden)
        canvas.layersChanged.connect(self.sync_from_canvas)
        self._apply_tiles()
        self.retranslate()

    # -- texts ---------------------------------------------------------------------------------
    def layer_names(self) -> dict[str, str]:
        return {
            "tiles": self.tr("Online map tiles"), "builtup": self.tr("Basemap: built-up areas"),
            "water": self.tr("Basemap: water"), "river": self.tr("Basemap: rivers and streams"),
            "building": self.tr("Basemap: buildings (when zoomed in)"), "boundary": self.tr("Boundaries"),
            "service_areas": self.tr("Shelter service areas"), "roads_paths": self.tr("Roads: tracks and paths"),
            "roads_local": self.tr("Roads: local"), "roads_secondary": self.tr("Roads: secondary and tertiary"),
            "roads_major": self.tr("Roads: major"), "hazards": self.tr("Hazard zones"),
            "demand": self.tr("Villages / communities (demand)"),
            "isolated": self.tr("Cut off by road (last run)"), "shelter": self.tr("Shelters"),
            "reserve_point": self.tr("Reserve points"), "warehouse": self.tr("Warehouses"),
            "labels": self.tr("Labels"),
        }

    def retranslate(self) -> None:
        self.hint.setText(self.tr("Top of the list is drawn on top. Drag a layer or use the arrows to move it."))
        self.btn_up.setToolTip(self.tr("Draw the selected layer higher"))
        self.btn_down.setToolTip(self.tr("Draw the selected layer lower"))
        self.box_tiles.setTitle(self.tr("Online map tiles"))
        self.lbl_source.setText(self.tr("Source"))
        self.lbl_key.setText(self.tr("Tianditu key"))
        self.lbl_url.setText(self.tr("URL template"))
        names = {"osm": self.tr("OpenStreetMap (standard)"),
                 "tianditu": self.tr("Tianditu (天地图) vector map (vec_w)"), "custom": self.tr("Custom URL")}
        for i in range(self.cmb_source.count()):
            self.cmb_source.setItemText(i, names[self.cmb_source.itemData(i)])
        self.ed_key.setPlaceholderText(self.tr("your Tianditu developer key (tk)"))
        self.tile_note.setText(self.tr("Tiles are fetched only while the layer is on and kept in a cache; "
                                       "offline, the cached tiles are drawn. The basemap from the OSM import "
                                       "needs no network."))
        self.sync_from_canvas()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- the list ------------------------------------------------------------------------------
    def sync_from_canvas(self) -> None:
        """The list as the canvas has it: top layer first, checked when shown."""
        if self._syncing:
            return
        self._syncing = True
        try:
            names = self.layer_names()
            current = self.list.currentItem().data(KEY) if self.list.currentItem() is not None else None
            self.list.clear()
            for k in reversed(self.canvas.layer_order):
                it = QListWidgetItem(names.get(k, k))
                it.setData(KEY, k)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
                if k not in PINNED:
                    flags |= Qt.ItemFlag.ItemIsDragEnabled
                it.setFlags(flags)
                it.setCheckState(Qt.CheckState.Checked if self.canvas.layer_visible.get(k, True)
                                 else Qt.CheckState.Unchecked)
                self.list.addItem(it)
                if k == current:
                    self.list.setCurrentItem(it)
        finally:
            self._syncing = False

    def keys_top_first(self) -> list[str]:
        return [self.list.item(i).data(KEY) for i in range(self.list.count())]

    def _item_changed(self, it: QListWidgetItem) -> None:
        if self._syncing:
            return
        self.set_visible(it.data(KEY), it.checkState() == Qt.CheckState.Checked)

    def set_visible(self, key: str, on: bool) -> None:
        self.canvas.set_layer_visible(key, on)
        self._save()

    def _rows_moved(self, *_args: Any) -> None:
        if self._syncing:
            return
        self.set_order_top_first(self.keys_top_first())

    def set_order_top_first(self, keys: list[str]) -> None:
        self.canvas.set_layer_order(list(reversed(keys)))
        self._save()
        self.sync_from_canvas()       # the pinned labels back on top

    def move_selected(self, step: int) -> None:
        it = self.list.currentItem()
        if it is None or it.data(KEY) in PINNED:
            return
        keys = [k for k in self.keys_top_first() if k not in PINNED]
        k = it.data(KEY)
        i = keys.index(k)
        j = max(0, min(len(keys) - 1, i + step))
        if i == j:
            return
        keys.insert(j, keys.pop(i))
        self.set_order_top_first(list(PINNED) + keys)

    def _save(self) -> None:
        s = self.settings
        s.layer_order = list(self.canvas.layer_order)
        s.layers_hidden = [k for k, on in self.canvas.layer_visible.items() if not on]
        s.show_labels = self.canvas.layer_visible.get("labels", True)
        s.show_service_areas = self.canvas.layer_visible.get("service_areas", True)

    # -- tiles ---------------------------------------------------------------------------------
    def tile_source(self) -> TileSource | None:
        key = self.cmb_source.currentData()
        if key == "custom":
            url = self.ed_url.text().strip()
            return custom_source(url) if "{z}" in url and "{x}" in url and "{y}" in url else None
        return SOURCES.get(key)

    def _tiles_changed(self, *_args: Any) -> None:
        self.settings.tiles_source = self.cmb_source.currentData()
        self.settings.tiles_key = self.ed_key.text().strip()
        self.settings.tiles_url = self.ed_url.text().strip()
        self._apply_tiles()

    def _apply_tiles(self) -> None:
        key = self.cmb_source.currentData()
        self.ed_key.setEnabled(key == "tianditu")
        self.ed_url.setEnabled(key == "custom")
        self.tiles.configure(self.tile_source(), self.ed_key.text())
