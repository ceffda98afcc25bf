"""Image work is bounded: a decompression bomb is refused from its header, odd EXIF never breaks a report."""

from __future__ import annotations

import io
import math
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from reporting.config.settings import Settings
from reporting.intake.attachments import MAX_CONCURRENT_DECODES, MAX_IMAGE_PIXELS, clean_file
from reporting.web.form_body import ReceivedFile
from tests.intake.conftest import full_report_form, jpeg_with_gps, post_form
from tests.live_server import live_server

MEBIBYTE = 1024 * 1024
PARALLEL_POSTS = 8
MAX_BOMB_MEMORY_GROWTH_BYTES = 200 * MEBIBYTE
# Two copies of the pixels per decode at 4 bytes each, plus room for the allocator and the decoder's source.
MAX_DECODE_MEMORY_GROWTH_BYTES = MAX_CONCURRENT_DECODES * 2 * 4 * MAX_IMAGE_PIXELS + 64 * MEBIBYTE
BOMB_SIDE = 6300


def sparse_png(side: int) -> bytes:
    """A square PNG of ``side`` pixels that is a few kilobytes on disk (119 MB as RGB at 6300 pixels)."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _session_processes(leader: int) -> list[int]:
    """The server's processes: everything in the session its first process leads."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == leader:
                pids.append(int(entry.name))
    return pids


def _peak_memory_bytes(leader: int) -> int:
    """The largest peak resident set (VmHWM) among the server's processes."""
    peaks = [0]
    for pid in _session_processes(leader):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) * 1024)
    return max(peaks)


def _post_report_with_file(base_url: str, filename: str, content: bytes) -> httpx.Response:
    """The form without a description (so nothing is stored) and one file, as a browser posts it."""
    with httpx.Client(base_url=base_url, timeout=120) as client:
        client.get("/?lang=en").raise_for_status()
        form = {**full_report_form(description=""), "_csrf_token": client.cookies["csrftoken"]}
        return client.post("/report?lang=en", data=form, files=[("attachments", (filename, content, "image/png"))])


def test_pixel_bombs_are_refused_from_the_header_and_decodes_are_bounded(
    initialised_settings: Settings, tmp_path: Path
) -> None:
    bomb = sparse_png(BOMB_SIDE)
    assert len(bomb) < 200 * 1024
    assert BOMB_SIDE * BOMB_SIDE > MAX_IMAGE_PIXELS
    # Just within the limit: decoded, so only the bound on concurrent decodes keeps memory down.
    largest = sparse_png(math.isqrt(MAX_IMAGE_PIXELS))
    with live_server(initialised_settings, tmp_path / "server.log") as server:
        # A real photo first, so the decoders and their libraries are loaded before the baseline.
        warm_up = _post_report_with_file(server.base_url, "photo.jpg", jpeg_with_gps(size=(1200, 900)))
        assert warm_up.status_code == 400
        assert "kept_attachment" in warm_up.text
        baseline = _peak_memory_bytes(server.pid)
        with ThreadPoolExecutor(PARALLEL_POSTS) as pool:
            refused = list(
                pool.map(lambda _n: _post_report_with_file(server.base_url, "bomb.png", bomb), range(PARALLEL_POSTS))
            )
            bomb_growth = _peak_memory_bytes(server.pid) - baseline
            decoded = list(
                pool.map(lambda _n: _post_report_with_file(server.base_url, "big.png", largest), range(PARALLEL_POSTS))
            )
        growth = _peak_memory_bytes(server.pid) - baseline
    print(
        f"peak memory growth: {bomb_growth / MEBIBYTE:.1f} MiB for {PARALLEL_POSTS} parallel "
        f"{BOMB_SIDE}² bombs, {growth / MEBIBYTE:.1f} MiB after {PARALLEL_POSTS} parallel images at the limit"
    )
    assert bomb_growth < MAX_BOMB_MEMORY_GROWTH_BYTES
    assert growth < MAX_DECODE_MEMORY_GROWTH_BYTES
    for answer in refused:
        assert answer.status_code == 400
        assert f"“bomb.png” has too many pixels ({BOMB_SIDE} × {BOMB_SIDE})" in answer.text
    for answer in decoded:
        assert answer.status_code == 400  # no description: the form comes back, with the image kept
        assert "kept_attachment" in answer.text


def test_large_jpeg_photos_are_decoded_at_a_smaller_scale() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8000, 6000), (10, 120, 30)).save(buffer, format="JPEG")
    cleaned = clean_file(ReceivedFile("camera.jpg", "image/jpeg", buffer.getvalue()))
    with Image.open(io.BytesIO(cleaned.content)) as image:
        assert image.size == (4000, 3000)


def _tiff_ifd(entries: list[tuple[int, int, int, bytes]]) -> bytes:
    """A little-endian TIFF header with one IFD of (tag, type, count, value) entries: raw EXIF."""
    out = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        out += struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\x00")
    return out + struct.pack("<I", 0)


ROTATE_QUARTER = (0x0112, 3, 1, struct.pack("<H", 6))
# Pillow reads these but cannot write them back: exif_transpose raised TypeError and struct.error.
ODD_EXIF = {
    "resolution-as-text": _tiff_ifd([ROTATE_QUARTER, (0x011A, 2, 4, b"abc\x00")]),
    "unit-out-of-range": _tiff_ifd([ROTATE_QUARTER, (0x0128, 4, 1, struct.pack("<I", 70000))]),
}


def odd_exif_image(image_format: str, exif: bytes) -> bytes:
    buffer = io.BytesIO()
    jpeg_prefix = b"Exif\x00\x00" if image_format == "JPEG" else b""
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format=image_format, exif=jpeg_prefix + exif)
    return buffer.getvalue()


@pytest.mark.parametrize("exif_name", sorted(ODD_EXIF))
@pytest.mark.parametrize("image_format", ["JPEG", "WEBP"])
def test_odd_exif_is_stripped_and_the_orientation_still_applied(image_format: str, exif_name: str) -> None:
    cleaned = clean_file(ReceivedFile("photo", "image/jpeg", odd_exif_image(image_format, ODD_EXIF[exif_name])))
    with Image.open(io.BytesIO(cleaned.content)) as image:
        assert image.size == (30, 40)  # turned upright
        assert not image.getexif()
        assert "exif" not in image.info


@pytest.mark.parametrize("image_format", ["JPEG", "WEBP"])
def test_odd_exif_photo_is_kept_with_the_form(client: TestClient[Litestar], image_format: str) -> None:
    files = [
        ("attachments", (f"photo.{image_format.lower()}", odd_exif_image(image_format, exif), "image/jpeg"))
        for exif in ODD_EXIF.values()
    ]
    response = post_form(client, "/report?lang=en", full_report_form(description=""), files)
    assert response.status_code == 400
    assert response.text.count('name="kept_attachment"') == len(ODD_EXIF)
    assert "could not be read" not in response.text
