"""Make resources/fonts/uming-cn-gb2312.ttf, the printed plan's serif (宋体-like) body face.

    apt-get download fonts-arphic-uming && dpkg -x fonts-arphic-uming_*.deb /tmp/uming
    pip install fonttools
    python scripts/make_serif_font.py /tmp/uming/usr/share/fonts/truetype/arphic/uming.ttc

Takes the "AR PL UMing CN" face (sub-font 0) of the collection — Arphic Public License, whose
text is resources/fonts/LICENSE-arphic-uming.txt — and keeps the characters of GB 2312 with Latin,
general and CJK punctuation, full-width forms, arrows, enclosed numbers and geometric shapes
(4.8 MB instead of 21 MB; TrueType outlines, no hinting or bitmaps, which a PDF does not use).
Characters outside it (rarer names) are set in the sans face by the report (planner.report.pdf).
"""
from __future__ import annotations

import sys
from pathlib import Path

RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x214F), (0x2190, 0x21FF),
          (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF))


def gb2312() -> set[int]:
    out = set()
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                out.add(ord(bytes([b1, b2]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return out


def main(src: str, dst: str | None = None) -> int:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    font = TTCollection(src).fonts[0]
    assert font["name"].getDebugName(4) == "AR PL UMing CN", font["name"].getDebugName(4)
    want = gb2312()
    for lo, hi in RANGES:
        want.update(range(lo, hi + 1))
    cmap = font.getBestCmap()
    opts = subset.Options()
    opts.name_IDs, opts.name_languages, opts.notdef_outline, opts.glyph_names = ["*"], ["*"], True, False
    opts.layout_features, opts.hinting = ["*"], False
    sub = subset.Subsetter(options=opts)
    sub.populate(unicodes=sorted(u for u in want if u in cmap))
    sub.subset(font)
    out = Path(dst or Path(__file__).resolve().parents[1] / "resources" / "fonts" / "uming-cn-gb2312.ttf")
    font.save(str(out))
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
