#!/bin/sh
# Add esplan to the applications menu of the current user (no root needed), from the unpacked
# .tar.gz folder: menu entry, icon and the *.esplan file type. Undo with --remove.
set -e
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
if [ "${1:-}" = "--remove" ]; then
  what=removed
  rm -f "$DATA/applications/esplan.desktop" "$DATA/icons/hicolor/scalable/apps/esplan.svg" \
        "$DATA/icons/hicolor/256x256/apps/esplan.png" "$DATA/mime/packages/esplan.xml"
else
  what=installed
  mkdir -p "$DATA/applications" "$DATA/icons/hicolor/scalable/apps" "$DATA/icons/hicolor/256x256/apps" \
           "$DATA/mime/packages"
  sed -e "s|^Exec=esplan |Exec=\"$HERE/esplan\" |" -e "s|^TryExec=esplan|TryExec=$HERE/esplan|" \
      "$HERE/share/esplan.desktop" > "$DATA/applications/esplan.desktop"
  cp "$HERE/share/esplan.svg" "$DATA/icons/hicolor/scalable/apps/esplan.svg"
  cp "$HERE/share/esplan.png" "$DATA/icons/hicolor/256x256/apps/esplan.png"
  cp "$HERE/share/esplan-mime.xml" "$DATA/mime/packages/esplan.xml"
fi
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA/applications" || true
command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$DATA/mime" >/dev/null 2>&1 || true
echo "esplan: menu entry $what in $DATA"
