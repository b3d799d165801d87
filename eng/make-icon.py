"""Writes nuget/icon.png, the package icon: a clock face (async: waiting) on a dark blue tile, with the
minute hand stopped against an orange bar (blocked). Plain Python, no imaging library: python3 eng/make-icon.py"""
import math
import struct
import zlib
from pathlib import Path

SIZE = 128
BACKGROUND, FOREGROUND, ACCENT = (31, 78, 121), (255, 255, 255), (242, 140, 40)


def inside_rounded_square(x, y, radius=22):
    cx = min(max(x, radius), SIZE - 1 - radius)
    cy = min(max(y, radius), SIZE - 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def near_segment(x, y, ax, ay, bx, by, width):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= width / 2


def pixel(x, y):
    if not inside_rounded_square(x, y):
        return (0, 0, 0, 0)
    centre = (60, 64)
    distance = math.hypot(x - centre[0], y - centre[1])
    if 36 <= distance <= 44:
        return FOREGROUND + (255,)
    if near_segment(x, y, *centre, 60, 36, 7) or near_segment(x, y, *centre, 80, 64, 7):
        return FOREGROUND + (255,)
    if 108 <= x <= 116 and 44 <= y <= 84:
        return ACCENT + (255,)
    return BACKGROUND + (255,)


def png(width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(channel for px in row for channel in px) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
Path(__file__).resolve().parent.parent.joinpath("nuget", "icon.png").write_bytes(png(SIZE, SIZE, rows))
