#!/usr/bin/env python3
"""Rebuild assets/fonts/kiosk-cjk.ttf: WenQuanYi Micro Hei cut down to what the kiosk can show,
with the few characters WenQuanYi lacks (rare hanzi such as the 䑩 of 渔业法's 敲䑩作业) merged
in from Droid Sans Fallback Full. One file, because Slint falls back from an embedded font only
to system fonts, never to another embedded font, and the device has no system CJK font.

Kept: ASCII, CJK punctuation, full-width forms, every GB2312 hanzi, and every character that
occurs in the national law corpus (rare characters in statutes must never vanish) and in the
kiosk's own UI and content sources.

Usage: python3 tools/make-font-subset.py ../shared/data/laws/laws.jsonl
Needs: Debian fonts-wqy-microhei and fonts-droid-fallback, and fonttools (pip install fonttools).
"""
import json, pathlib, subprocess, sys, tempfile

SOURCE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FALLBACK_SOURCE = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
OUT = pathlib.Path(__file__).resolve().parent.parent / "assets/fonts/kiosk-cjk.ttf"
FALLBACK_PART = pathlib.Path(tempfile.gettempdir()) / "kiosk-cjk-fallback-part.ttf"

chars = set(chr(c) for c in range(0x20, 0x7F))
chars |= set(chr(c) for c in range(0x3000, 0x3040))  # CJK symbols and punctuation
chars |= set(chr(c) for c in range(0xFF00, 0xFFF0))  # full-width forms
chars |= set("·—–‘’“”…※→←↑↓×÷°℃№①②③④⑤⑥⑦⑧⑨⑩★☆●○■□▲△▼◆◇√")
for hi in range(0xB0, 0xF8):  # GB2312 level 1 and 2 hanzi
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8"):
        chars |= set(line)
root = OUT.parent.parent.parent
for pattern in ("kiosk/ui/**/*.slint", "kiosk/lang/**/*.po", "content/**/*.*"):
    for f in root.glob(pattern):
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if f.suffix == ".slint":  # comments are never drawn
            text = "\n".join(l for l in text.splitlines() if not l.strip().startswith("//"))
        chars |= set(text)
# Zero-width and private-use characters in the corpus are never drawn.
chars = {c for c in chars if c.isprintable() and c not in "\n\r\t" and not 0xE000 <= ord(c) <= 0xF8FF}
with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as t:
    t.write("".join(sorted(chars)))
subprocess.run([sys.executable, "-m", "fontTools.subset", SOURCE, "--font-number=0", f"--text-file={t.name}",
                "--layout-features=*", "--no-hinting", "--desubroutinize",
                f"--output-file={OUT}"], check=True)
print(f"{OUT}: {len(chars)} characters, {OUT.stat().st_size} bytes")

from fontTools.ttLib import TTFont  # noqa: E402  (after the subsetter ran)
have = set(TTFont(SOURCE, fontNumber=0).getBestCmap())
missing = sorted(c for c in chars if ord(c) not in have and not c.isspace())
fallback_cmap = set(TTFont(FALLBACK_SOURCE).getBestCmap())
covered = [c for c in missing if ord(c) in fallback_cmap]
print("missing from WenQuanYi:", "".join(missing), "— in the fallback:", "".join(covered))
with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as t:
    t.write("".join(covered))
subprocess.run([sys.executable, "-m", "fontTools.subset", FALLBACK_SOURCE, f"--text-file={t.name}",
                "--no-hinting", f"--output-file={FALLBACK_PART}"], check=True)
# Merge needs one units-per-em: scale the fallback glyphs to WenQuanYi's.
from fontTools.merge import Merger  # noqa: E402
from fontTools.ttLib.scaleUpem import scale_upem  # noqa: E402
part = TTFont(FALLBACK_PART)
scale_upem(part, TTFont(OUT)["head"].unitsPerEm)
part.save(FALLBACK_PART)
merged = Merger().merge([str(OUT), str(FALLBACK_PART)])
merged.save(OUT)
print(f"{OUT}: merged {len(covered)} fallback characters, {OUT.stat().st_size} bytes")
