"""ISO 286 limits for common fit classes, so "Ø12 H7" becomes +0.018/0 mm.

Covers nominal sizes up to 500 mm, grades IT5-IT11, holes D E F G H JS and shafts d e f g h js k m n p
(the classes used for most clearance, transition and light press fits). Values in micrometres from
ISO 286-1 (standard tolerance grades) and ISO 286-2 (fundamental deviations). Anything outside that
returns None and the fit stays a name only.
"""

from __future__ import annotations

import re
from bisect import bisect_left

# Upper bounds of the nominal size ranges, mm (each range excludes its lower bound).
_RANGES = (3, 6, 10, 18, 30, 50, 80, 120, 180, 250, 315, 400, 500)
_IT = {
    5: (4, 5, 6, 8, 9, 11, 13, 15, 18, 20, 23, 25, 27),
    6: (6, 8, 9, 11, 13, 16, 19, 22, 25, 29, 32, 36, 40),
    7: (10, 12, 15, 18, 21, 25, 30, 35, 40, 46, 52, 57, 63),
    8: (14, 18, 22, 27, 33, 39, 46, 54, 63, 72, 81, 89, 97),
    9: (25, 30, 36, 43, 52, 62, 74, 87, 100, 115, 130, 140, 155),
    10: (40, 48, 58, 70, 84, 100, 120, 140, 160, 185, 210, 230, 250),
    11: (60, 75, 90, 110, 130, 160, 190, 220, 250, 290, 320, 360, 400),
}
# Shaft upper deviations es (d-h) and lower deviations ei (k-p); holes D-H mirror d-h (EI = -es).
_ES = {
    "d": (-20, -30, -40, -50, -65, -80, -100, -120, -145, -170, -190, -210, -230),
    "e": (-14, -20, -25, -32, -40, -50, -60, -72, -85, -100, -110, -125, -135),
    "f": (-6, -10, -13, -16, -20, -25, -30, -36, -43, -50, -56, -62, -68),
    "g": (-2, -4, -5, -6, -7, -9, -10, -12, -14, -15, -17, -18, -20),
    "h": (0,) * 13,
}
_EI = {
    "k": (0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5),  # grades IT4-IT7; coarser grades have ei = 0
    "m": (2, 4, 6, 7, 8, 9, 11, 13, 15, 17, 20, 21, 23),
    "n": (4, 8, 10, 12, 15, 17, 20, 23, 27, 31, 34, 37, 40),
    "p": (6, 12, 15, 18, 22, 26, 32, 37, 43, 50, 56, 62, 68),
}
_FIT = re.compile(r"^(?P<letter>[A-Za-z]{1,2})(?P<grade>\d{1,2})$")


def deviations(nominal_mm: float, fit: str) -> tuple[float, float] | None:
    """(upper, lower) deviation in mm for e.g. (12, "H7") -> (0.018, 0.0); None when not covered."""
    m = _FIT.match(fit.strip())
    if m is None or not 0 < nominal_mm <= _RANGES[-1]:
        return None
    letter, grade = m.group("letter"), int(m.group("grade"))
    if grade not in _IT:
        return None
    i = bisect_left(_RANGES, nominal_mm)
    it = _IT[grade][i]
    low = letter.lower()
    hole = letter.isupper()
    if low == "js":
        upper, lower = it / 2, -it / 2
    elif low in _ES:
        es = _ES[low][i]
        upper, lower = (-es + it, -es) if hole else (es, es - it)
    elif low in _EI and not hole:  # holes K-P need the ISO delta corrections: not covered
        ei = _EI[low][i] if (low != "k" or grade <= 7) else 0
        upper, lower = ei + it, ei
    else:
        return None
    return round(upper / 1000, 6), round(lower / 1000, 6)
