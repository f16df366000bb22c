"""The share kit: a link-preview image per event (Open Graph / Twitter card) and a QR code."""

import hashlib
import io
import textwrap

import qrcode
from django.conf import settings
from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFont

from apps.events.models import Event
from apps.events.notifications import kst

OG_SIZE = (1200, 630)
_BACKGROUND = (34, 25, 77)
_ACCENT = (255, 99, 132)
_TEXT = (255, 255, 255)
_MUTED = (200, 196, 230)
_CACHE_S = 24 * 60 * 60


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(settings.EVENTS_OG_FONT_PATH, size)
    except OSError:
        return ImageFont.load_default(size)


def _scope_line(event: Event) -> str:
    if event.nationwide:
        return "전국 대학생 · Nationwide"
    names = [str(university) for university in event.universities.all()][:3] + event.region_list()[:3]
    return " · ".join(names)


def _draw(event: Event) -> bytes:
    image = Image.new("RGB", OG_SIZE, _BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, OG_SIZE[1]), fill=_ACCENT)
    draw.text((80, 70), "MatchMinds", font=_font(44), fill=_ACCENT)
    lines = textwrap.wrap(event.name, width=18)[:3]
    y = 170
    for line in lines:
        draw.text((80, y), line, font=_font(76), fill=_TEXT)
        y += 96
    draw.text((80, OG_SIZE[1] - 160), f"{kst(event.starts_at)} – {kst(event.ends_at)[11:]}", font=_font(40), fill=_MUTED)
    draw.text((80, OG_SIZE[1] - 100), _scope_line(event), font=_font(34), fill=_MUTED)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def og_image_png(*, event: Event) -> bytes:
    """The event's preview image, drawn once per version of what it shows."""
    version = hashlib.sha256(
        f"{event.name}|{event.starts_at.isoformat()}|{event.ends_at.isoformat()}|{_scope_line(event)}".encode()
    ).hexdigest()[:16]
    key = f"events:og:{event.pk}:{version}"
    png = cache.get(key)
    if png is None:
        png = _draw(event)
        cache.set(key, png, timeout=_CACHE_S)
    return png


def qr_png(*, url: str) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer)
    return buffer.getvalue()
