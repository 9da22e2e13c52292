#!/usr/bin/env python3
"""Rebuild assets/fonts/kiosk-cjk.ttf: WenQuanYi Micro Hei cut down to what the kiosk can show.

Kept: ASCII, CJK punctuation, full-width forms, every GB2312 hanzi, and every character that
occurs in the national law corpus (rare characters in statutes must never vanish) and in the
kiosk's own UI and content sources.

Usage: python3 tools/make-font-subset.py ../shared/data/laws/laws.jsonl
Needs: Debian fonts-wqy-microhei and fonttools (pip install fonttools).
"""
import json, pathlib, subprocess, sys, tempfile

SOURCE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
OUT = pathlib.Path(__file__).resolve().parent.parent / "assets/fonts/kiosk-cjk.ttf"

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
            chars |= set(f.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            pass
chars = {c for c in chars if c.isprintable() and c not in "\n\r\t"}
with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as t:
    t.write("".join(sorted(chars)))
subprocess.run([sys.executable, "-m", "fontTools.subset", SOURCE, "--font-number=0", f"--text-file={t.name}",
                "--layout-features=*", "--no-hinting", "--desubroutinize",
                f"--output-file={OUT}"], check=True)
print(f"{OUT}: {len(chars)} characters, {OUT.stat().st_size} bytes")
