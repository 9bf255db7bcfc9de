"""Issue 12's target: a build with 200 phone photos, first (encoding every photo) and second
(reusing the cache), against the same site without images.

    python bench/images_build.py [--photos 200] [--size 4032x3024] [--rounds 5]

Two sites from `generate_site.py`, one story per photo, built by `relais build` in
fresh subprocesses, alternating, each timed `--rounds` times (medians reported):
  - no images: the stories with SVG covers, which pass through untouched;
  - first:     the same stories, each with its own JPEG cover (a phone photo with
               GPS EXIF, made with Pillow), the image cache deleted before each run;
  - second:    the photo site again with the cache the previous run left.
The photos are a few generated pictures, each file made distinct (its own content
hash) by a JPEG comment, so every one is decoded and encoded for real.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import struct
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO)]
from generate_site import generate, relais_settings  # noqa: E402
from timing import timed  # noqa: E402

from tests.support.photos import phone_photo  # noqa: E402

BASES = 4  # distinct pictures; the other photos are copies with their own comment


def distinct_copy(source: bytes, number: int) -> bytes:
    """The JPEG `source` with a comment segment (COM) naming `number` after its SOI marker."""
    comment = f"photo {number}".encode()
    return source[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + source[2:]


def photo_site(work: Path, photos: int, size: tuple[int, int]) -> Path:
    """`photos` stories, story N with images/photo-N.jpg as its cover."""
    content = generate(work / "photos", photos)
    images = content / "images"
    bases = [phone_photo(work / f"base-{n}.jpg", size, seed=n).read_bytes() for n in range(BASES)]
    for post in sorted((content / "posts").glob("*.md")):
        number = int(post.stem.split("-")[1])
        (images / f"photo-{number}.jpg").write_bytes(distinct_copy(bases[number % BASES], number))
        text = post.read_text(encoding="utf-8")
        cover = next(line for line in text.splitlines() if line.startswith("Cover: "))
        post.write_text(text.replace(cover, f"Cover: images/photo-{number}.jpg"), encoding="utf-8")
    return content


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--size", default="4032x3024", help="photo size, WIDTHxHEIGHT")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        plain = relais_settings(work, generate(work / "plain", args.photos), "plain")
        photos = relais_settings(work, photo_site(work, args.photos, size), "photos")
        cache = work / "photos" / "data" / "cache"
        command = [sys.executable, "-m", "relais.cli", "build", "-s"]
        samples: dict[str, list[float]] = {"no images": [], "first": [], "second": []}
        loads = []
        for _ in range(args.rounds):
            loads.append(os.getloadavg()[0])
            samples["no images"].append(timed([*command, str(plain)], work)[0])
            shutil.rmtree(cache, ignore_errors=True)
            samples["first"].append(timed([*command, str(photos)], work)[0])
            samples["second"].append(timed([*command, str(photos)], work)[0])
        published = sum(1 for _ in (work / "out-photos" / "images").glob("photo-*.webp"))
    median = {name: statistics.median(runs) for name, runs in samples.items()}
    print(f"photos: {args.photos} at {size[0]}x{size[1]} ({published} WebP variants published), "
          f"medians of {args.rounds} alternating rounds, load average (1 min) "
          f"{min(loads):.2f}-{max(loads):.2f} on {os.cpu_count()} cores")
    for name, seconds in median.items():
        print(f"  {name:10s} wall {seconds:7.2f} s")
    print(f"ratio second/no images: {median['second'] / median['no images']:.3f}")
    print(f"ratio first/no images: {median['first'] / median['no images']:.3f} "
          f"({(median['first'] - median['second']) / args.photos:.3f} s of encoding a photo)")


if __name__ == "__main__":
    main()
