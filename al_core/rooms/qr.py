"""The join link and its QR code, big enough to scan from the back of a classroom.

A phone reads a QR code from about ten times its width. Projected 2.5 m wide at 1280 pixels,
the default 600-pixel symbol is about 1.2 m across, so the back of a 10 m room can scan it; a
join link of about 45 characters is a version-3 or -4 symbol (29-33 modules plus the 4-module
quiet zone), which is 14 pixels or more per module. The link carries only the room code,
never the teacher's secret. segno is pure Python and writes the PNG itself.
"""

from __future__ import annotations

import math
from urllib.parse import quote

DEFAULT_PIXELS = 600  # the symbol's width, quiet zone included
MIN_MODULE_PIXELS = 8
QUIET_ZONE = 4  # modules of white around the symbol, as the standard asks


def join_link(base_url: str, code: str) -> str:
    """The address a phone opens: the app's `/join` page with the room code, nothing else."""
    return f"{base_url.rstrip('/')}/join?room={quote(code)}"


def _symbol(link: str):
    import segno

    # Error level M, raised by segno when it fits the same size: projector glare and a
    # phone's small camera at a distance forgive a lost module or two.
    return segno.make(link, error="m", micro=False, boost_error=True)


def module_pixels(link: str, pixels: int = DEFAULT_PIXELS) -> int:
    """Pixels per module so the symbol (quiet zone included) is at least `pixels` wide."""
    width, _ = _symbol(link).symbol_size(scale=1, border=QUIET_ZONE)
    return max(MIN_MODULE_PIXELS, math.ceil(pixels / width))


def qr_data_uri(link: str, pixels: int = DEFAULT_PIXELS) -> str:
    """The QR code of `link` as a PNG data URI (for `st.image` or an <img>), `pixels` wide."""
    scale = module_pixels(link, pixels)
    return _symbol(link).png_data_uri(scale=scale, border=QUIET_ZONE)


def qr_svg(link: str, pixels: int = DEFAULT_PIXELS) -> str:
    """The QR code of `link` as inline SVG, for a page that scales it to the screen."""
    scale = module_pixels(link, pixels)
    return _symbol(link).svg_inline(scale=scale, border=QUIET_ZONE)
