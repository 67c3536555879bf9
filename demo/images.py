"""Lead images for the demo content, drawn locally: soft abstract landscapes in the
publication's colours."""

import hashlib
import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1200, 675


def _rgb(hex_colour):
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def _mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def landscape_jpeg(seed, accent):
    """A JPEG (bytes) that is the same for the same seed and colour."""
    rng = random.Random(hashlib.sha256(seed.encode()).hexdigest())
    accent_rgb = _rgb(accent)
    sky_top = _mix(accent_rgb, (255, 255, 255), 0.55 + rng.random() * 0.2)
    sky_bottom = _mix((255, 244, 225), sky_top, rng.random() * 0.4)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        draw.line([(0, y), (WIDTH, y)], fill=_mix(sky_top, sky_bottom, y / HEIGHT))
    sun_x, sun_y = rng.randint(150, WIDTH - 150), rng.randint(80, HEIGHT // 2)
    sun_r = rng.randint(45, 90)
    draw.ellipse(
        [sun_x - sun_r, sun_y - sun_r, sun_x + sun_r, sun_y + sun_r],
        fill=_mix((255, 236, 190), sky_bottom, 0.2),
    )
    for layer in range(4):
        base = HEIGHT * (0.45 + layer * 0.13)
        shade = _mix(accent_rgb, (20, 30, 20), layer * 0.22)
        shade = _mix(shade, sky_bottom, 0.45 - layer * 0.12)
        amplitude, wavelength = rng.randint(20, 70), rng.randint(180, 420)
        phase = rng.random() * 6.28
        points = [(0, HEIGHT)]
        for x in range(0, WIDTH + 20, 20):
            wave = amplitude * _wave((x / wavelength) + phase)
            points.append((x, base + wave))
        points.append((WIDTH, HEIGHT))
        draw.polygon(points, fill=shade)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, optimize=True, progressive=True)
    return buffer.getvalue()


def _wave(t):
    """A smooth, hill-like periodic curve in [-1, 1]."""
    return 0.6 * math.sin(t * 6.28) + 0.4 * math.sin(t * 2.7 + 1.3)
