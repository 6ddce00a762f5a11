"""Draw the example listings' photos (stylised scenes, made by the project, CC0-1.0).

    python examples/make_examples.py            # rewrites examples/*/*.jpg

Deterministic: fixed seeds, no fonts, no clock. Scenes are drawn at twice the size and reduced
(smooth edges), then given a little film grain so they compress and analyse like photos.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

W, H = 1600, 1200
S = 2  # drawing scale
HERE = Path(__file__).resolve().parent
RED, DARK, TYRE, CHROME = (176, 32, 38), (38, 40, 46), (28, 28, 30), (196, 200, 206)
Draw = ImageDraw.ImageDraw


def canvas(top: tuple[int, int, int], bottom: tuple[int, int, int], split: float = 1.0,
           floor: tuple[int, int, int] | None = None) -> Image.Image:
    """Vertical gradient from `top` to `bottom` down to `split`, then a `floor` gradient."""
    t = np.linspace(0, 1, H * S)[:, None, None]
    a, b = np.array(top, float), np.array(bottom, float)
    rows = a + (b - a) * np.clip(t / split, 0, 1)
    if floor is not None:
        f = np.array(floor, float)
        rows = np.where(t < split, rows, f * (0.75 + 0.25 * (t - split) / (1 - split)))
    return Image.fromarray(np.repeat(rows, W * S, axis=1).astype(np.uint8), "RGB")


def p(*xy: float) -> list[float]:
    """Scale fractional coordinates (0..1 of the picture) to drawing pixels."""
    return [v * (W * S if i % 2 == 0 else H * S) for i, v in enumerate(xy)]


def wheel(d: Draw, cx: float, cy: float, r: float, spokes: int = 5, rx: float = 1.0) -> None:
    """A tyre with an alloy rim; `rx` < 1 squashes it horizontally (seen at an angle)."""
    x, y, rr = cx * W * S, cy * H * S, r * H * S
    for k, colour in ((1.0, TYRE), (0.66, CHROME), (0.5, (150, 154, 160)), (0.16, (90, 92, 96))):
        d.ellipse([x - rr * k * rx, y - rr * k, x + rr * k * rx, y + rr * k], fill=colour)
    for i in range(spokes):
        a = 2 * math.pi * i / spokes
        d.line([x, y, x + math.cos(a) * rr * 0.6 * rx, y + math.sin(a) * rr * 0.6],
               fill=CHROME, width=int(rr * 0.12))


def car_side(d: Draw, colour: tuple[int, int, int] = RED) -> None:
    """A hatchback seen from its left side, nose to the left."""
    d.ellipse(p(0.08, 0.76, 0.92, 0.84), fill=(60, 62, 60))  # shadow
    d.rounded_rectangle(p(0.08, 0.48, 0.92, 0.74), radius=60 * S, fill=colour)
    d.polygon(p(0.26, 0.49, 0.38, 0.30, 0.74, 0.29, 0.88, 0.49), fill=colour)
    d.polygon(p(0.30, 0.48, 0.40, 0.33, 0.55, 0.33, 0.55, 0.48), fill=(70, 96, 120))
    d.polygon(p(0.57, 0.48, 0.57, 0.33, 0.73, 0.32, 0.84, 0.48), fill=(70, 96, 120))
    d.line(p(0.56, 0.49, 0.56, 0.72), fill=(120, 20, 26), width=5 * S)
    for x in (0.44, 0.68):
        d.rounded_rectangle(p(x, 0.53, x + 0.05, 0.545), radius=4 * S, fill=CHROME)
    d.ellipse(p(0.085, 0.52, 0.13, 0.57), fill=(250, 244, 210))  # headlight
    d.rectangle(p(0.89, 0.52, 0.918, 0.58), fill=(220, 30, 30))  # tail light
    for x in (0.23, 0.77):
        d.ellipse(p(x - 0.085, 0.58, x + 0.085, 0.80), fill=(30, 10, 12))  # wheel arch
        wheel(d, x, 0.72, 0.095)


def car_front_3_4() -> Image.Image:
    """The car's face on the left, its right side receding to the right."""
    img = canvas((150, 190, 235), (225, 235, 245), 0.62, (120, 122, 118))
    d = ImageDraw.Draw(img)
    glass, face = (70, 96, 120), (150, 26, 32)
    d.ellipse(p(0.08, 0.72, 0.94, 0.84), fill=(60, 62, 60))  # shadow
    d.polygon(p(0.32, 0.48, 0.90, 0.50, 0.91, 0.70, 0.32, 0.77), fill=RED)  # side
    d.polygon(p(0.32, 0.48, 0.44, 0.41, 0.52, 0.28, 0.80, 0.30, 0.89, 0.51), fill=RED)  # cabin
    d.polygon(p(0.47, 0.47, 0.54, 0.31, 0.65, 0.31, 0.65, 0.47), fill=glass)
    d.polygon(p(0.67, 0.47, 0.67, 0.31, 0.79, 0.32, 0.86, 0.48), fill=glass)
    d.polygon(p(0.10, 0.50, 0.32, 0.48, 0.44, 0.41, 0.24, 0.42), fill=(196, 40, 46))  # bonnet
    d.polygon(p(0.24, 0.42, 0.44, 0.41, 0.52, 0.28, 0.34, 0.29), fill=glass)  # windscreen
    d.polygon(p(0.10, 0.50, 0.32, 0.48, 0.32, 0.77, 0.11, 0.74), fill=face)
    d.polygon(p(0.14, 0.62, 0.30, 0.61, 0.30, 0.68, 0.14, 0.68), fill=DARK)  # grille
    for x, y in ((0.115, 0.53), (0.255, 0.52)):
        d.polygon(p(x, y, x + 0.055, y - 0.004, x + 0.05, y + 0.04, x, y + 0.045),
                  fill=(250, 244, 210))
    d.line(p(0.66, 0.49, 0.66, 0.72), fill=(120, 20, 26), width=5 * S)  # door line
    for x, y, r in ((0.43, 0.74, 0.085), (0.80, 0.70, 0.07)):
        d.ellipse(p(x - r * 0.75, y - r * 1.1, x + r * 0.75, y + r * 0.6), fill=(30, 10, 12))
        wheel(d, x, y, r, rx=0.55)
    return img


def car_side_view() -> Image.Image:
    img = canvas((140, 185, 230), (220, 232, 244), 0.62, (118, 120, 116))
    car_side(ImageDraw.Draw(img))
    return img


def car_rear(open_hatch: bool = False) -> Image.Image:
    img = canvas((150, 190, 235), (225, 235, 245), 0.62, (120, 122, 118))
    d = ImageDraw.Draw(img)
    d.ellipse(p(0.12, 0.80, 0.88, 0.88), fill=(60, 62, 60))
    for x in (0.22, 0.78):
        d.rounded_rectangle(p(x - 0.06, 0.66, x + 0.06, 0.86), radius=20 * S, fill=TYRE)
    d.rounded_rectangle(p(0.14, 0.42, 0.86, 0.80), radius=50 * S, fill=RED)
    if open_hatch:
        d.polygon(p(0.24, 0.42, 0.76, 0.42, 0.80, 0.10, 0.20, 0.10), fill=RED)
        d.polygon(p(0.27, 0.38, 0.73, 0.38, 0.76, 0.14, 0.24, 0.14), fill=(70, 96, 120))
        d.rectangle(p(0.22, 0.42, 0.78, 0.70), fill=(44, 44, 48))  # cargo floor
        d.polygon(p(0.22, 0.70, 0.78, 0.70, 0.72, 0.50, 0.28, 0.50), fill=(70, 70, 76))
        d.rounded_rectangle(p(0.32, 0.52, 0.50, 0.66), radius=12 * S, fill=(150, 110, 60))  # bag
    else:
        d.polygon(p(0.22, 0.43, 0.78, 0.43, 0.72, 0.24, 0.28, 0.24), fill=RED)
        d.polygon(p(0.26, 0.42, 0.74, 0.42, 0.70, 0.27, 0.30, 0.27), fill=(70, 96, 120))
        d.rectangle(p(0.42, 0.60, 0.58, 0.66), fill=(240, 240, 236))  # number plate
    for x in (0.15, 0.75):
        d.rounded_rectangle(p(x, 0.47, x + 0.10, 0.55), radius=10 * S, fill=(215, 30, 34))
    d.rectangle(p(0.14, 0.72, 0.86, 0.77), fill=DARK)  # bumper
    return img


def dashboard() -> Image.Image:
    img = canvas((190, 215, 240), (150, 160, 160), 0.45, (30, 30, 34))
    d = ImageDraw.Draw(img)
    d.polygon(p(0.0, 0.42, 1.0, 0.36, 1.0, 1.0, 0.0, 1.0), fill=(36, 36, 40))
    d.rounded_rectangle(p(0.22, 0.46, 0.62, 0.70), radius=40 * S, fill=(18, 18, 20))
    for cx in (0.32, 0.52):  # speedometer and rev counter
        d.ellipse(p(cx - 0.07, 0.48, cx + 0.07, 0.68), outline=(230, 230, 235), width=4 * S)
        for i in range(11):
            a = math.radians(140 + i * 26)
            x, y, r = cx * W * S, 0.58 * H * S, 0.09 * H * S
            d.line([x + math.cos(a) * r * 0.8, y + math.sin(a) * r * 0.8,
                    x + math.cos(a) * r, y + math.sin(a) * r], fill=(230, 230, 235), width=3 * S)
        d.line(p(cx, 0.58, cx + 0.04, 0.53), fill=(255, 90, 40), width=5 * S)
    d.rounded_rectangle(p(0.68, 0.44, 0.88, 0.58), radius=12 * S, fill=(40, 90, 140))  # screen
    x, y, r = 0.42 * W * S, 0.86 * H * S, 0.30 * H * S  # steering wheel
    d.ellipse([x - r, y - r, x + r, y + r], outline=(20, 20, 22), width=26 * S)
    d.rectangle([x - r, y - 14 * S, x + r, y + 14 * S], fill=(20, 20, 22))
    d.ellipse([x - r * 0.3, y - r * 0.3, x + r * 0.3, y + r * 0.3], fill=(50, 50, 54))
    return img


def seats() -> Image.Image:
    img = canvas((120, 120, 125), (70, 70, 74), 0.55, (50, 48, 46))
    d = ImageDraw.Draw(img)
    d.polygon(p(0.0, 0.15, 0.18, 0.25, 0.18, 0.75, 0.0, 0.95), fill=(90, 90, 96))  # door
    d.rectangle(p(0.3, 0.05, 0.7, 0.22), fill=(160, 190, 215))  # rear window
    for x in (0.22, 0.56):
        d.rounded_rectangle(p(x, 0.30, x + 0.24, 0.80), radius=40 * S, fill=(58, 58, 64))
        d.rounded_rectangle(p(x + 0.06, 0.18, x + 0.18, 0.30), radius=24 * S, fill=(58, 58, 64))
        for k in range(4):
            y = 0.38 + k * 0.1
            d.line(p(x + 0.03, y, x + 0.21, y), fill=(80, 80, 88), width=3 * S)
    d.rounded_rectangle(p(0.47, 0.60, 0.53, 0.95), radius=10 * S, fill=(30, 30, 34))  # console
    return img


def engine() -> Image.Image:
    img = canvas((60, 60, 64), (30, 30, 32))
    d = ImageDraw.Draw(img)
    d.polygon(p(0.05, 0.0, 0.95, 0.0, 0.85, 0.18, 0.15, 0.18), fill=(150, 26, 32))  # open bonnet
    d.rounded_rectangle(p(0.25, 0.32, 0.70, 0.72), radius=30 * S, fill=(90, 92, 98))
    d.rounded_rectangle(p(0.30, 0.36, 0.65, 0.52), radius=20 * S, fill=(40, 40, 44))
    for i in range(4):  # cylinders / coils
        d.rounded_rectangle(p(0.33 + i * 0.08, 0.40, 0.38 + i * 0.08, 0.48), radius=6 * S,
                            fill=(200, 60, 40))
    d.ellipse(p(0.76, 0.30, 0.88, 0.46), fill=(230, 200, 40))  # oil / fluid caps
    d.ellipse(p(0.10, 0.50, 0.20, 0.64), fill=(60, 130, 210))
    d.rectangle(p(0.76, 0.55, 0.92, 0.80), fill=(20, 20, 22))  # battery
    d.line(p(0.70, 0.60, 0.76, 0.62), fill=(200, 40, 40), width=8 * S)
    return img


def wheel_closeup() -> Image.Image:
    img = canvas((120, 124, 120), (80, 82, 80))
    d = ImageDraw.Draw(img)
    d.rectangle(p(0.0, 0.0, 1.0, 0.30), fill=RED)
    d.ellipse(p(0.10, 0.02, 0.90, 1.18), fill=(25, 10, 12))  # arch
    wheel(d, 0.5, 0.62, 0.40, spokes=5)
    for i in range(5):
        a = 2 * math.pi * i / 5 + 0.6
        x, y = 0.5 * W * S + math.cos(a) * 60 * S, 0.62 * H * S + math.sin(a) * 60 * S
        d.ellipse([x - 10 * S, y - 10 * S, x + 10 * S, y + 10 * S], fill=(60, 60, 64))
    return img


def room(wall: tuple[int, int, int], floor: tuple[int, int, int]) -> tuple[Image.Image, Draw]:
    img = canvas(wall, tuple(int(c * 0.85) for c in wall), 0.68, floor)  # type: ignore[arg-type]
    d = ImageDraw.Draw(img)
    d.rectangle(p(0.62, 0.12, 0.88, 0.50), fill=(200, 225, 245), outline=(250, 250, 250),
                width=10 * S)  # window
    d.line(p(0.75, 0.12, 0.75, 0.50), fill=(250, 250, 250), width=6 * S)
    return img, d


def exterior() -> Image.Image:
    img = canvas((110, 165, 225), (200, 220, 240), 0.8, (110, 110, 105))
    d = ImageDraw.Draw(img)
    d.rectangle(p(0.25, 0.08, 0.75, 0.82), fill=(225, 210, 185))
    for row in range(6):
        for col in range(4):
            x, y = 0.29 + col * 0.115, 0.12 + row * 0.11
            d.rectangle(p(x, y, x + 0.07, y + 0.07), fill=(90, 120, 150))
            d.rectangle(p(x - 0.01, y + 0.07, x + 0.08, y + 0.08), fill=(170, 160, 150))
    d.rectangle(p(0.45, 0.72, 0.55, 0.82), fill=(90, 60, 40))  # door
    for x in (0.12, 0.86):  # trees
        d.rectangle(p(x - 0.01, 0.62, x + 0.01, 0.84), fill=(90, 60, 40))
        d.ellipse(p(x - 0.08, 0.40, x + 0.08, 0.68), fill=(60, 120, 60))
    return img


def living() -> Image.Image:
    img, d = room((225, 215, 195), (150, 110, 75))
    d.rectangle(p(0.20, 0.20, 0.40, 0.36), fill=(70, 110, 140), outline=(40, 40, 40), width=6 * S)
    d.ellipse(p(0.15, 0.78, 0.75, 0.98), fill=(180, 70, 60))  # rug
    d.rounded_rectangle(p(0.10, 0.50, 0.60, 0.78), radius=30 * S, fill=(80, 100, 130))  # sofa
    d.rounded_rectangle(p(0.13, 0.56, 0.57, 0.70), radius=20 * S, fill=(100, 122, 155))
    d.rounded_rectangle(p(0.30, 0.80, 0.52, 0.86), radius=8 * S, fill=(110, 75, 45))  # table
    d.line(p(0.80, 0.40, 0.80, 0.82), fill=(40, 40, 40), width=6 * S)  # lamp
    d.polygon(p(0.75, 0.40, 0.85, 0.40, 0.82, 0.30, 0.78, 0.30), fill=(245, 230, 180))
    return img


def kitchen() -> Image.Image:
    img, d = room((235, 235, 230), (120, 120, 120))
    for i in range(24):  # splashback tiles
        x = 0.04 + (i % 12) * 0.048
        d.rectangle(p(x, 0.40 + (i // 12) * 0.05, x + 0.045, 0.445 + (i // 12) * 0.05),
                    fill=(180, 205, 210))
    d.rectangle(p(0.04, 0.08, 0.58, 0.32), fill=(240, 240, 236), outline=(150, 150, 150),
                width=4 * S)  # upper cabinets
    d.rectangle(p(0.02, 0.50, 0.60, 0.54), fill=(60, 60, 60))  # counter
    d.rectangle(p(0.03, 0.54, 0.59, 0.88), fill=(70, 110, 90))  # lower cabinets
    for x in (0.10, 0.20):  # burners
        d.ellipse(p(x, 0.505, x + 0.07, 0.535), fill=(20, 20, 20))
    d.rectangle(p(0.66, 0.52, 0.86, 0.96), fill=(210, 212, 215), outline=(150, 150, 150),
                width=4 * S)  # fridge
    return img


def bedroom() -> Image.Image:
    img, d = room((200, 215, 230), (160, 125, 90))
    d.rounded_rectangle(p(0.18, 0.36, 0.62, 0.62), radius=20 * S, fill=(110, 80, 60))  # head
    d.rounded_rectangle(p(0.15, 0.55, 0.65, 0.92), radius=20 * S, fill=(245, 245, 240))
    d.rectangle(p(0.15, 0.68, 0.65, 0.92), fill=(90, 130, 170))  # blanket
    for x in (0.20, 0.42):
        d.rounded_rectangle(p(x, 0.50, x + 0.18, 0.60), radius=24 * S, fill=(250, 250, 250))
    for x in (0.04, 0.67):  # night stands and lamps
        d.rectangle(p(x, 0.60, x + 0.10, 0.75), fill=(120, 90, 60))
        d.polygon(p(x + 0.02, 0.58, x + 0.08, 0.58, x + 0.07, 0.50, x + 0.03, 0.50),
                  fill=(245, 230, 180))
    return img


def bathroom() -> Image.Image:
    img = canvas((230, 235, 238), (210, 215, 220), 0.7, (150, 160, 170))
    d = ImageDraw.Draw(img)
    for i in range(16):
        for j in range(10):
            d.rectangle(p(i / 16, j / 14, (i + 1) / 16, (j + 1) / 14), outline=(190, 200, 205),
                        width=2 * S)
    d.rounded_rectangle(p(0.05, 0.55, 0.50, 0.85), radius=40 * S, fill=(250, 250, 250))  # tub
    d.rectangle(p(0.62, 0.15, 0.88, 0.45), fill=(200, 220, 235), outline=(160, 160, 160),
                width=6 * S)  # mirror
    d.rounded_rectangle(p(0.62, 0.50, 0.88, 0.58), radius=20 * S, fill=(252, 252, 252))  # sink
    d.rectangle(p(0.72, 0.58, 0.78, 0.90), fill=(240, 240, 240))
    d.line(p(0.75, 0.46, 0.75, 0.51), fill=CHROME, width=8 * S)  # tap
    return img


def finish(img: Image.Image, seed: int) -> Image.Image:
    """Reduce to the final size and add a light grain (seeded)."""
    img = img.resize((W, H), Image.Resampling.LANCZOS)
    rng = np.random.default_rng(seed)
    arr = np.asarray(img, dtype=np.float32) + rng.normal(0.0, 3.0, (H, W, 1)).astype(np.float32)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


PHOTOS: dict[str, list[tuple[str, Callable[[], Image.Image]]]] = {
    "car-hatchback": [
        ("foto1.jpg", car_front_3_4), ("lateral.jpg", car_side_view), ("foto3.jpg", car_rear),
        ("tablero.jpg", dashboard), ("asientos.jpg", seats),
        ("baul.jpg", lambda: car_rear(open_hatch=True)), ("motor.jpg", engine),
        ("llanta.jpg", wheel_closeup),
    ],
    "home-apartment": [
        ("fachada.jpg", exterior), ("sala.jpg", living), ("cozinha.jpg", kitchen),
        ("foto4.jpg", bedroom), ("banheiro.jpg", bathroom),
    ],
}


def main(root: Path = HERE) -> list[Path]:
    written = []
    for seed, (folder, name, draw) in enumerate(
        (f, n, d) for f, photos in PHOTOS.items() for n, d in photos
    ):
        target = root / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        finish(draw(), seed).save(target, "JPEG", quality=85)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"{path.stat().st_size // 1024:4d} KB  {path}")
