"""Make the sample site's photos, content/images/*.jpg: pottery and linen as a phone would
take them by a north window, drawn with Pillow (light falling from the left, soft shadows,
wood grain, woven linen, glaze runs, sensor noise, a little lens blur and vignetting).

Nothing here is a real photograph: the maker and her pieces are fictional. Deterministic
(a fixed seed per picture) and small (1200 px on the long side, JPEG quality 80), so the
repository stays light; the images plugin makes the variants when the site is built.

    .venv/bin/python scripts/sample_photos.py
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "content" / "images"
SCALE = 2  # drawn at twice the size, then reduced: smooth edges

CELADON = (150, 178, 158)
CELADON_DEEP = (104, 140, 122)
IRON_BROWN = (98, 58, 34)
ASH_GREEN = (122, 140, 84)
STONEWARE = (196, 178, 150)
OAK = (196, 160, 112)
LINEN = (226, 218, 202)


def mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def shade(colour, factor):
    return tuple(max(0, min(255, round(c * factor))) for c in colour)


def backdrop(size, wall, table, horizon, rng):
    """A wall lit from the left and a table top, the light falling off to the right."""
    width, height = size
    picture = Image.new("RGB", size, wall)
    draw = ImageDraw.Draw(picture)
    for y in range(horizon, height):  # the table: lighter towards the viewer
        t = (y - horizon) / max(1, height - horizon)
        draw.line([(0, y), (width, y)], fill=mix(shade(table, 0.8), table, t))
    for y in range(horizon):  # the wall: darker upwards
        draw.line([(0, y), (width, y)], fill=mix(shade(wall, 0.82), wall, y / horizon))
    light = Image.linear_gradient("L").rotate(-90).resize(size)  # bright left, dim right
    dim = ImageChops.multiply(picture, Image.merge("RGB", [light.point(lambda v: 150 + v * 105 // 255)] * 3))
    return dim


def wood(size, colour, rng, vertical=False):
    """Oak: long streaks of grain with a few darker rays."""
    width, height = size
    grain = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(grain)
    length = height if vertical else width
    across = width if vertical else height
    position = 0.0
    while position < across:
        band = rng.uniform(2, 9) * SCALE
        tone = shade(colour, rng.uniform(0.82, 1.08))
        wobble = rng.uniform(-6, 6) * SCALE
        if vertical:
            draw.polygon([(position, 0), (position + band, 0), (position + band + wobble, length),
                          (position + wobble, length)], fill=tone)
        else:
            draw.polygon([(0, position), (0, position + band), (length, position + band + wobble),
                          (length, position + wobble)], fill=tone)
        position += band
    return grain.filter(ImageFilter.GaussianBlur(1.2 * SCALE))


def linen(size, colour, rng):
    """Woven linen: warp and weft threads of slightly uneven tone, then softened."""
    width, height = size
    cloth = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(cloth)
    step = 3 * SCALE
    for x in range(0, width, step):
        draw.line([(x, 0), (x, height)], fill=shade(colour, rng.uniform(0.9, 1.03)), width=SCALE)
    for y in range(0, height, step):
        draw.line([(0, y), (width, y)], fill=shade(colour, rng.uniform(0.9, 1.03)), width=SCALE)
    for _ in range(width // (40 * SCALE)):  # slubs: thicker bits of thread
        x, y = rng.randrange(width), rng.randrange(height)
        draw.line([(x, y), (x + rng.randrange(10, 40) * SCALE, y)], fill=shade(colour, 0.86),
                  width=SCALE)
    return cloth.filter(ImageFilter.GaussianBlur(0.7 * SCALE))


def soft_shadow(picture, box, strength=0.55, blur=18):
    """A contact shadow: a dark, blurred ellipse multiplied into the picture."""
    mask = Image.new("L", picture.size, 0)
    ImageDraw.Draw(mask).ellipse(box, fill=round(255 * strength))
    mask = mask.filter(ImageFilter.GaussianBlur(blur * SCALE))
    return Image.composite(Image.new("RGB", picture.size, (30, 24, 20)), picture, mask)


def lit(size, colour, box):
    """A glazed surface inside `box`, light on its left, shadow on its right, a highlight."""
    left, top, right, bottom = box
    body = Image.new("RGB", size, colour)
    ramp = Image.linear_gradient("L").rotate(-90).resize((max(1, right - left), max(1, bottom - top)))
    light = Image.new("L", size, 128)
    light.paste(ramp, (left, top))
    light = light.point(lambda v: 95 + v * 140 // 255)
    body = ImageChops.multiply(body, Image.merge("RGB", [light] * 3))
    body = ImageChops.screen(body, Image.new("RGB", size, (18, 18, 18)))
    spot = Image.new("L", size, 0)
    width, height = right - left, bottom - top
    ImageDraw.Draw(spot).ellipse((left + width * 0.16, top + height * 0.22, left + width * 0.3,
                                  top + height * 0.55), fill=150)
    spot = spot.filter(ImageFilter.GaussianBlur(max(2, width // 14)))
    return Image.composite(Image.new("RGB", size, (250, 250, 244)), body, spot)


def bowl(picture, centre_x, base_y, width, height, glaze, inside, rng, drips=None, foot=STONEWARE):
    """A bowl seen slightly from above: a lit outer wall, the rim's ellipse, the glazed inside,
    an unglazed foot, and runs of a second glaze if `drips` is a colour."""
    rim_h = height * 0.34
    left, right = centre_x - width / 2, centre_x + width / 2
    top = base_y - height
    picture = soft_shadow(picture, (left + width * 0.12, base_y - rim_h * 0.3,
                                    right + width * 0.22, base_y + rim_h * 0.18), 0.6, 12)
    outline = Image.new("L", picture.size, 0)
    draw = ImageDraw.Draw(outline)
    wall = []
    for i in range(41):  # the wall's profile: a soft curve from rim to foot
        t = i / 40
        x = left + (right - left) * t
        sag = (1 - (2 * t - 1) ** 2) ** 0.55
        wall.append((x, top + rim_h / 2 + (height - rim_h / 2) * sag))
    draw.polygon([(left, top + rim_h / 2), *wall, (right, top + rim_h / 2)], fill=255)
    draw.ellipse((left, top, right, top + rim_h), fill=255)
    box = tuple(round(v) for v in (left, top, right, base_y))
    outer = lit(picture.size, glaze, box)
    if drips:
        runs = Image.new("L", picture.size, 0)
        runs_draw = ImageDraw.Draw(runs)
        runs_draw.ellipse((left, top, right, top + rim_h * 1.25), fill=200)  # pooled at the rim
        for _ in range(22):
            x = rng.uniform(left + width * 0.1, right - width * 0.1)
            y = top + rim_h * 0.9
            points = [(x, y)]
            for _step in range(6):  # a run finds its own way down
                x += rng.uniform(-5, 5) * SCALE
                y += rng.uniform(0.04, 0.11) * height
                points.append((x, y))
            runs_draw.line(points, fill=rng.randrange(110, 210),
                           width=round(rng.uniform(5, 16) * SCALE), joint="curve")
        runs = runs.filter(ImageFilter.GaussianBlur(5 * SCALE))
        outer = Image.composite(lit(picture.size, drips, box), outer, runs)
    foot_mask = Image.new("L", picture.size, 0)
    ImageDraw.Draw(foot_mask).rectangle((left, base_y - height * 0.12, right, base_y), fill=255)
    outer = Image.composite(lit(picture.size, foot, box), outer, foot_mask)
    picture = Image.composite(outer, picture, outline.filter(ImageFilter.GaussianBlur(0.8 * SCALE)))
    inner = Image.new("L", picture.size, 0)
    margin = width * 0.035
    ImageDraw.Draw(inner).ellipse((left + margin, top + margin * 0.5, right - margin,
                                   top + rim_h - margin * 0.4), fill=255)
    inside_box = tuple(round(v) for v in (left, top, right, top + rim_h))
    inner_glaze = ImageChops.invert(lit(picture.size, shade(inside, 0.9), inside_box))
    inner_glaze = ImageChops.invert(inner_glaze).point(lambda v: v)
    return Image.composite(inner_glaze, picture, inner.filter(ImageFilter.GaussianBlur(SCALE)))


def cup(picture, centre_x, base_y, width, height, glaze, rng):
    """A cup: an upright cylinder, its handle on the right."""
    left, right = centre_x - width / 2, centre_x + width / 2
    top = base_y - height
    picture = soft_shadow(picture, (left, base_y - height * 0.1, right + width * 0.35,
                                    base_y + height * 0.16), strength=0.5, blur=10)
    handle = Image.new("L", picture.size, 0)
    ImageDraw.Draw(handle).ellipse((right - width * 0.12, top + height * 0.25, right + width * 0.3,
                                    top + height * 0.75), outline=255, width=round(width * 0.08))
    picture = Image.composite(Image.new("RGB", picture.size, shade(glaze, 0.7)), picture, handle)
    body = Image.new("L", picture.size, 0)
    draw = ImageDraw.Draw(body)
    draw.rectangle((left, top + height * 0.08, right, base_y - height * 0.06), fill=255)
    draw.ellipse((left, base_y - height * 0.14, right, base_y), fill=255)
    draw.ellipse((left, top, right, top + height * 0.16), fill=255)
    box = tuple(round(v) for v in (left, top, right, base_y))
    picture = Image.composite(lit(picture.size, glaze, box), picture, body)
    mouth = Image.new("L", picture.size, 0)
    ImageDraw.Draw(mouth).ellipse((left + width * 0.05, top + height * 0.015, right - width * 0.05,
                                   top + height * 0.14), fill=255)
    return Image.composite(Image.new("RGB", picture.size, shade(glaze, 0.55)), picture,
                           mouth.filter(ImageFilter.GaussianBlur(SCALE)))


def finish(picture, seed, path, quality=80):
    """What a phone adds: a touch of lens softness, vignetting, sensor noise; then reduced."""
    width, height = picture.size
    picture = picture.filter(ImageFilter.GaussianBlur(0.6 * SCALE))
    vignette = Image.radial_gradient("L").resize((width, height)).point(lambda v: 255 - v * 70 // 255)
    picture = ImageChops.multiply(picture, Image.merge("RGB", [vignette] * 3))
    picture = picture.resize((width // SCALE, height // SCALE), Image.Resampling.LANCZOS)
    random.seed(seed)
    noise = Image.effect_noise(picture.size, 18).convert("RGB")
    picture = Image.blend(picture, ImageChops.multiply(picture, noise.point(lambda v: 200 + v // 5)), 0.35)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, "JPEG", quality=quality, optimize=True, progressive=True)
    return path


def bowls_on_tray(path):
    rng = random.Random(11)
    size = (1200 * SCALE, 900 * SCALE)
    picture = backdrop(size, (236, 230, 220), (196, 184, 168), 330 * SCALE, rng)
    tray = wood((1000 * SCALE, 330 * SCALE), OAK, rng)
    tray_mask = Image.new("L", tray.size, 0)
    ImageDraw.Draw(tray_mask).rounded_rectangle((0, 0, *tray.size), radius=24 * SCALE, fill=255)
    picture = soft_shadow(picture, (110 * SCALE, 520 * SCALE, 1150 * SCALE, 880 * SCALE), 0.45, 22)
    picture.paste(tray, (100 * SCALE, 500 * SCALE), tray_mask)
    cloth = linen((360 * SCALE, 200 * SCALE), LINEN, rng).rotate(7, expand=True,
                                                                  fillcolor=(0, 0, 0))
    cloth_mask = Image.new("L", (360 * SCALE, 200 * SCALE), 255).rotate(7, expand=True)
    picture = soft_shadow(picture, (130 * SCALE, 700 * SCALE, 520 * SCALE, 860 * SCALE), 0.35, 10)
    picture.paste(cloth, (120 * SCALE, 640 * SCALE), cloth_mask)
    picture = bowl(picture, 330 * SCALE, 700 * SCALE, 300 * SCALE, 210 * SCALE, CELADON,
                   CELADON_DEEP, rng)
    picture = bowl(picture, 640 * SCALE, 690 * SCALE, 290 * SCALE, 205 * SCALE, IRON_BROWN,
                   shade(IRON_BROWN, 0.8), rng)
    picture = bowl(picture, 930 * SCALE, 640 * SCALE, 250 * SCALE, 180 * SCALE, CELADON,
                   CELADON_DEEP, rng)
    return finish(picture, 11, path)


def ash_bowl(path):
    rng = random.Random(23)
    size = (900 * SCALE, 1200 * SCALE)  # upright, as a phone held upright takes it
    picture = backdrop(size, (232, 226, 216), (150, 118, 84), 520 * SCALE, rng)
    board = wood((900 * SCALE, 680 * SCALE), (168, 128, 88), rng, vertical=True)
    picture.paste(board, (0, 520 * SCALE))
    picture = bowl(picture, 450 * SCALE, 930 * SCALE, 560 * SCALE, 380 * SCALE, IRON_BROWN,
                   shade(IRON_BROWN, 0.75), rng, drips=ASH_GREEN)
    return finish(picture, 23, path)


def cups_on_linen(path):
    rng = random.Random(37)
    size = (1200 * SCALE, 800 * SCALE)
    picture = backdrop(size, (238, 234, 226), LINEN, 300 * SCALE, rng)
    cloth = linen((1200 * SCALE, 500 * SCALE), (230, 224, 212), rng)
    picture.paste(cloth, (0, 300 * SCALE))
    glazes = [CELADON, (214, 206, 190), CELADON_DEEP, (214, 206, 190), IRON_BROWN]
    for i, glaze in enumerate(glazes):
        picture = cup(picture, (170 + i * 215) * SCALE, (610 + (i % 2) * 40) * SCALE,
                      150 * SCALE, 175 * SCALE, glaze, rng)
    return finish(picture, 37, path)


def bowl_from_above(path):
    rng = random.Random(41)
    size = (1000 * SCALE, 1000 * SCALE)
    picture = linen(size, (224, 216, 200), rng)
    picture = soft_shadow(picture, (230 * SCALE, 250 * SCALE, 850 * SCALE, 870 * SCALE), 0.5, 26)
    rings = [(0, STONEWARE), (0.03, CELADON), (0.12, mix(CELADON, CELADON_DEEP, 0.3)),
             (0.26, mix(CELADON, CELADON_DEEP, 0.75))]
    for inset, colour in rings:
        box = tuple(round(v * SCALE) for v in (200 + inset * 600, 200 + inset * 600,
                                               800 - inset * 600, 800 - inset * 600))
        picture = Image.composite(lit(picture.size, colour, box), picture,
                                  _disc(picture.size, box))
    return finish(picture, 41, path)


def _disc(size, box):
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse(box, fill=255)
    return mask.filter(ImageFilter.GaussianBlur(3 * SCALE))


def main() -> None:
    made = [bowls_on_tray(IMAGES / "bols-plateau.jpg"), ash_bowl(IMAGES / "bol-cendre.jpg"),
            cups_on_linen(IMAGES / "tasses-lin.jpg"), bowl_from_above(IMAGES / "bol-dessus.jpg")]
    for path in made:
        with Image.open(path) as image:
            print(f"{path.relative_to(REPO)}: {image.size[0]}×{image.size[1]}, "
                  f"{path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
