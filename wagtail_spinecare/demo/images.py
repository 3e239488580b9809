"""Illustrations for the demo pages, drawn with Pillow so the demo needs no downloads."""

from io import BytesIO

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1200, 800
BACKGROUND = (232, 242, 246)
INK = (11, 92, 122)
ACCENT = (214, 92, 58)


def _canvas():
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    return image, ImageDraw.Draw(image)


def _figure(draw, x, y, lean=0, stride=0):
    """A simple person: head, body, arms and legs, leaning back by ``lean`` pixels."""
    head = (x + lean - 40, y - 260, x + lean + 40, y - 180)
    draw.ellipse(head, fill=INK)
    draw.line((x + lean, y - 180, x, y), fill=INK, width=28)
    draw.line((x + lean // 2, y - 150, x - 90, y - 60), fill=INK, width=22)
    draw.line((x + lean // 2, y - 150, x + 90 + stride, y - 80), fill=INK, width=22)
    draw.line((x, y, x - 60 - stride, y + 210), fill=INK, width=26)
    draw.line((x, y, x + 60 + stride, y + 210), fill=INK, width=26)


def facet_joints() -> Image.Image:
    """A column of vertebrae with the facet joints picked out."""
    image, draw = _canvas()
    for i in range(5):
        top = 110 + i * 125
        draw.rounded_rectangle((430, top, 700, top + 95), radius=28, fill=INK)
        draw.rectangle((455, top + 95, 675, top + 125), fill=(170, 200, 212))
        draw.polygon([(700, top + 25), (820, top + 5), (840, top + 60), (700, top + 75)], fill=INK)
        draw.ellipse((790, top + 50, 850, top + 110), fill=ACCENT)
    return image


def gentle_movement() -> Image.Image:
    """A person leaning back in a standing stretch."""
    image, draw = _canvas()
    draw.rectangle((0, 660, WIDTH, HEIGHT), fill=(200, 222, 230))
    _figure(draw, 600, 450, lean=-70)
    return image


def walking() -> Image.Image:
    """A person walking on a path in the sun."""
    image, draw = _canvas()
    draw.polygon([(0, 800), (520, 560), (680, 560), (1200, 800)], fill=(200, 222, 230))
    draw.ellipse((940, 90, 1080, 230), fill=(246, 196, 83))
    _figure(draw, 600, 420, stride=40)
    return image


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _spine(draw, left, top, size, fill):
    """Three stacked vertebrae in a square ``size`` wide: the demo clinics' logo mark."""
    unit = size / 10
    for i, inset in enumerate((2.2, 1.6, 1.0)):
        y = top + unit * (1 + i * 2.9)
        box = (left + unit * inset, y, left + size - unit * inset, y + unit * 2.2)
        draw.rounded_rectangle(box, radius=unit * 0.9, fill=fill)


def logo_mark(colour: str) -> Image.Image:
    """A clinic's logo: the mark in its brand colour, on white."""
    image = Image.new("RGB", (192, 192), (255, 255, 255))
    _spine(ImageDraw.Draw(image), 0, 0, 192, _rgb(colour))
    return image


def site_icon(colour: str) -> Image.Image:
    """A clinic's browser icon: the mark in white on its brand colour."""
    image = Image.new("RGB", (192, 192), _rgb(colour))
    _spine(ImageDraw.Draw(image), 16, 16, 160, (255, 255, 255))
    return image


def portrait(colour: str) -> Image.Image:
    """A stand-in for a clinician's photo: head and shoulders on a tint of the brand colour."""
    tint = tuple(round(c + (255 - c) * 0.8) for c in _rgb(colour))
    image = Image.new("RGB", (320, 320), tint)
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 200, 280, 440), fill=_rgb(colour))
    draw.ellipse((105, 60, 215, 170), fill=(214, 170, 140))
    return image


DRAWINGS = {
    "facet-joints": ("Lower spine with facet joints", facet_joints),
    "gentle-movement": ("Standing back stretch", gentle_movement),
    "walking": ("Walking outdoors", walking),
}


def png_bytes(image: Image.Image) -> bytes:
    """``image`` as the bytes of a PNG file."""
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
