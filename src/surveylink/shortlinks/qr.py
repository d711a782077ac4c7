"""A link as a QR code (segno): SVG or PNG, pure."""

import io
from typing import Literal

import segno

QrFormat = Literal["svg", "png"]
MEDIA_TYPES: dict[str, str] = {"svg": "image/svg+xml", "png": "image/png"}
_KNOWN: dict[str, QrFormat] = {"image/png": "png", "image/svg+xml": "svg"}
PNG_SCALE = 8  # pixels per module: a long personal link (~version 13) is ~600 px wide
BORDER = 4  # the quiet zone the QR standard asks for, in modules


def render(url: str, image_format: QrFormat) -> bytes:
    """Error correction M (15 %), dark modules on white so it scans on any background."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if image_format == "png":
        code.save(out, kind="png", scale=PNG_SCALE, border=BORDER, light="white")
    else:
        code.save(out, kind="svg", scale=1, border=BORDER, light="white", xmldecl=False)
    return out.getvalue()


def negotiate(requested: QrFormat | None, accept: str) -> QrFormat:
    """`?format=` wins; else PNG when the Accept header prefers it to SVG; else SVG."""
    if requested is not None:
        return requested
    best: tuple[float, QrFormat] = (-1.0, "svg")
    for position, part in enumerate(accept.split(",")):
        media, *params = (piece.strip().lower() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        image_format = _KNOWN.get(media)
        # Ties go to the first listed; "image/*" and "*/*" leave the default.
        if image_format and quality > 0 and quality - position * 1e-6 > best[0]:
            best = (quality - position * 1e-6, image_format)
    return best[1]
