"""Prints, as hex, python-escpos's ESC/POS bytes for a ticket given as JSON on stdin.

The test feeds the same ticket content the firmware prints and compares what both byte streams
say (text, QR payload, cut) through the firmware's decoder: an independent encoder as a witness.
"""
import json
import sys

from escpos.printer import Dummy

t = json.load(sys.stdin)
p = Dummy()
p.hw("INIT")
p._raw(b"\x1c\x26")  # FS &: Chinese character mode, as the firmware sends
p.set(align="center")
for line in t["before_qr"]:
    p._raw(line.encode("gb18030") + b"\n")
p.qr(t["qr"], native=True, size=6, ec=0)  # ec=0: QR_ECLEVEL_L in python-escpos numbering
for line in t["after_qr"]:
    p._raw(line.encode("gb18030") + b"\n")
p.cut()
sys.stdout.write(p.output.hex())
