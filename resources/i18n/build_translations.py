"""Rebuild the Qt Linguist files: lupdate over desktop/*.py → esplan_*.ts, fill the Chinese
translations from zh_CN.json (source text → translation), lrelease → esplan_*.qm.

    python resources/i18n/build_translations.py      (needs pyside6-lupdate / pyside6-lrelease)

Strings without a translation stay "unfinished" and are listed, so they can be added to the JSON.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def tool(name: str) -> str:
    cand = Path(sys.executable).with_name(name)
    return str(cand) if cand.exists() else (shutil.which(name) or name)


def main() -> int:
    sources = sorted(str(p.relative_to(HERE.parent.parent)) for p in (ROOT / "desktop").glob("*.py"))
    ts_files = [HERE / "esplan_zh_CN.ts", HERE / "esplan_en.ts"]
    subprocess.run([tool("pyside6-lupdate"), "-no-obsolete", "-locations", "none",
                    *[str(ROOT / s) for s in sources], "-ts", *map(str, ts_files)], check=True)
    zh = json.loads((HERE / "zh_CN.json").read_text(encoding="utf-8"))
    missing: list[str] = []
    for ts, lang in ((ts_files[0], "zh_CN"), (ts_files[1], "en")):
        tree = ET.parse(ts)
        tree.getroot().set("language", lang)
        for msg in tree.getroot().iter("message"):
            src = msg.findtext("source") or ""
            tr = msg.find("translation")
            text = zh.get(src) if lang == "zh_CN" else src
            if text:
                tr.text = text
                tr.attrib.pop("type", None)
            elif lang == "zh_CN":
                missing.append(src)
        ET.indent(tree)
        tree.write(ts, encoding="utf-8", xml_declaration=True)
        subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)
    for s in sorted(set(missing)):
        print("untranslated:", repr(s))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
