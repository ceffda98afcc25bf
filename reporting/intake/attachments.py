"""Attachments from reporters: checked, stripped of metadata, and limited in size before sealing.

Photos carry EXIF (GPS position, camera serial number, time to the second), XMP and ICC text: any of it
can identify a reporter. Images are therefore decoded and rebuilt from their pixels alone, so no
metadata chunk of any kind survives; PDFs are redrawn from their rendered pages (``pdf_rebuild``), and a
file that only claims to be one is refused; everything else is refused with a message naming the file.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextvars
import hashlib
import hmac
import io
import json
import math
import struct
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import ExifTags, Image, UnidentifiedImageError

from reporting.config.secrets import InstanceSecrets
from reporting.i18n import gettext_ as _
from reporting.intake.pdf_rebuild import PdfNotReadableError, rebuild_pdf
from reporting.vault.values import FileUpload
from reporting.web.form_body import ReceivedFile, accepts_uploads

MEBIBYTE = 1024 * 1024
MAX_FILE_BYTES = 5 * MEBIBYTE
MAX_FILES = 3
MAX_TOTAL_BYTES = 12 * MEBIBYTE
# Decoding holds up to two copies of the pixels at 3 or 4 bytes each, and at most MAX_CONCURRENT_DECODES
# run at a time per process: about 2 × 2 × 4 B × 12.6 MP ≈ 200 MB per process (227 MiB measured with the
# allocator's slack, tests/intake/test_image_limits.py). 12.6 MP admits the usual
# 12 MP phone photo as it is; larger JPEG photos are decoded at 1/2, 1/4 or 1/8 scale (which the JPEG
# decoder does without decoding the full size), other formats above the limit are refused.
MAX_IMAGE_PIXELS = 12_600_000
MAX_CONCURRENT_DECODES = 2
JPEG_SCALES = (1, 2, 4, 8)
JPEG_QUALITY = 88
MAX_FILENAME_LENGTH = 80
ACCEPTED_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
PDF_MEDIA_TYPE = "application/pdf"
# Shown in the file picker only; the server decides by content, never by name or declared type.
ACCEPT_ATTRIBUTE = ".jpg,.jpeg,.png,.webp,.gif,.pdf,image/jpeg,image/png,image/webp,image/gif,application/pdf"
# The ``opt`` of routes that take uploads (parsed in memory, never a temporary file). Phone photos are
# often larger than the per-file limit: a request with a few of them must still reach the handler, so the
# form comes back with a message per file instead of an error page that loses the text. Memory stays
# bounded: the parser drops a file's bytes once it passes the per-file limit.
UPLOADS = accepts_uploads(MAX_FILE_BYTES)
UPLOAD_REQUEST_MAX_BYTES = 64 * MEBIBYTE
# What Pillow's decoders raise on damaged or hostile files, beyond UnidentifiedImageError.
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, TypeError, KeyError, IndexError, struct.error)
EXIF_TRANSPOSITIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Decoding is CPU- and memory-bound: a flood of uploads queues here instead of decoding all at once.
_DECODERS = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_DECODES, thread_name_prefix="image-decoder")


class AttachmentRejectedError(ValueError):
    """A file cannot be accepted; the message is translated and names the file for the reporter."""


@dataclass(frozen=True)
class AttachmentCheck:
    """The accepted, cleaned files of one submission and a message for each refused one."""

    files: list[FileUpload]
    errors: list[str]


def _display_name(filename: str) -> str:
    """The last path component without control characters, shortened (a name can itself identify)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return name[:MAX_FILENAME_LENGTH]


def _with_extension(name: str, extension: str, fallback: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or fallback}.{extension}"


class _TooManyPixelsError(ValueError):
    def __init__(self, width: int, height: int) -> None:
        super().__init__("image has too many pixels")
        self.width = width
        self.height = height


def _orientation(image: Image.Image) -> Image.Transpose | None:
    """How to turn the image upright according to its EXIF; ``None`` when upright or unreadable.

    ``ImageOps.exif_transpose`` also writes the EXIF back, which raises on odd values; the metadata is
    dropped anyway, so only the orientation is read here, and odd EXIF leaves the image as it is.
    """
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    except DECODE_ERRORS:
        return None
    return EXIF_TRANSPOSITIONS.get(orientation) if isinstance(orientation, int) else None


def _decode_jpeg_within_limit(image: Image.Image) -> None:
    """Have the JPEG decoder scale a large photo down by the smallest power of two that fits the limit."""
    width, height = image.size
    for scale in JPEG_SCALES:
        size = (math.ceil(width / scale), math.ceil(height / scale))
        if size[0] * size[1] <= MAX_IMAGE_PIXELS:
            if scale > 1:
                image.draft(None, size)
            return


def _rebuild_image(content: bytes) -> tuple[bytes, str, str]:
    """Decode and re-encode from raw pixels: (bytes, media type, extension). Raises on anything unreadable.

    The size comes from the file's header (``Image.open`` decodes nothing), so an image with too many
    pixels is scaled down by the JPEG decoder or refused before any memory is spent on them. While
    decoding, at most two copies of the pixels exist at a time.
    """
    opened = Image.open(io.BytesIO(content), formats=ACCEPTED_IMAGE_FORMATS)
    try:
        width, height = opened.size
        if opened.format == "JPEG":
            _decode_jpeg_within_limit(opened)
        if opened.size[0] * opened.size[1] > MAX_IMAGE_PIXELS:
            raise _TooManyPixelsError(width, height)
        transposition = _orientation(opened)
        opened.seek(0)
        has_alpha = opened.mode in ("RGBA", "LA", "PA") or "transparency" in opened.info
        mode = "RGBA" if has_alpha else "RGB"
        pixels = opened.convert(mode)
    finally:
        opened.close()
    if transposition is not None:
        pixels = pixels.transpose(transposition)
    # A new image has an empty ``info``: no EXIF, XMP, ICC profile, comment or text chunk.
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    del pixels
    output = io.BytesIO()
    if has_alpha:
        clean.save(output, format="PNG")
        return output.getvalue(), "image/png", "png"
    clean.save(output, format="JPEG", quality=JPEG_QUALITY)
    return output.getvalue(), "image/jpeg", "jpg"


def clean_file(received: ReceivedFile) -> FileUpload:
    """Return a sealable copy of an uploaded file or raise :class:`AttachmentRejectedError`."""
    name = _display_name(received.filename) or _("file")
    if received.too_large or len(received.content) > MAX_FILE_BYTES:
        raise AttachmentRejectedError(
            _("“{name}” is larger than {limit} MB. Please choose a smaller file.").format(
                name=name, limit=MAX_FILE_BYTES // MEBIBYTE
            )
        )
    if not received.content:
        raise AttachmentRejectedError(_("“{name}” is empty.").format(name=name))
    if received.content.startswith(b"%PDF-"):
        try:
            rebuilt = rebuild_pdf(received.content)
        except PdfNotReadableError:
            raise AttachmentRejectedError(
                _("“{name}” could not be read. The file may be damaged or too large.").format(name=name)
            ) from None
        return FileUpload(_with_extension(name, "pdf", "document"), PDF_MEDIA_TYPE, rebuilt)
    try:
        content, media_type, extension = _rebuild_image(received.content)
    except _TooManyPixelsError as too_many:
        raise AttachmentRejectedError(
            _(
                "“{name}” has too many pixels ({width} × {height}); at most {limit} megapixels are possible. "
                "Please send a smaller version of the picture, for example a screenshot of it."
            ).format(
                name=name,
                width=too_many.width,
                height=too_many.height,
                limit=MAX_IMAGE_PIXELS // 1_000_000,
            )
        ) from None
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise AttachmentRejectedError(
            _(
                "“{name}” is not a photo or PDF file. Only JPEG, PNG, WebP and GIF images and PDF files are possible."
            ).format(name=name)
        ) from None
    except DECODE_ERRORS:
        raise AttachmentRejectedError(
            _("“{name}” could not be read. The file may be damaged or too large.").format(name=name)
        ) from None
    return FileUpload(_with_extension(name, extension, "image"), media_type, content)


async def _clean_in_decoder_thread(upload: ReceivedFile) -> FileUpload:
    """:func:`clean_file` in one of the few decoder threads (in the request's context, for its language)."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_DECODERS, context.run, clean_file, upload)


async def check_attachments(received: list[ReceivedFile], kept: list[FileUpload]) -> AttachmentCheck:
    """Clean new uploads (in a decoder thread: decoding images is CPU-bound) and apply the limits.

    ``kept`` are files accepted on an earlier attempt of the same form; they come first and count
    against the limits. A file past a limit is refused by name, the others stay.
    """
    candidates = list(kept)
    errors: list[str] = []
    for upload in received:
        if not upload.filename and not upload.content:
            continue
        try:
            candidates.append(await _clean_in_decoder_thread(upload))
        except AttachmentRejectedError as rejected:
            errors.append(str(rejected))
    files: list[FileUpload] = []
    total = 0
    for candidate in candidates:
        if len(files) == MAX_FILES:
            errors.append(
                _("“{name}” was not added: at most {count} files are possible.").format(
                    name=candidate.filename, count=MAX_FILES
                )
            )
        elif total + len(candidate.content) > MAX_TOTAL_BYTES:
            errors.append(
                _("“{name}” was not added: all files together may be at most {limit} MB.").format(
                    name=candidate.filename, limit=MAX_TOTAL_BYTES // MEBIBYTE
                )
            )
        else:
            files.append(candidate)
            total += len(candidate.content)
    return AttachmentCheck(files, errors)


def _signature(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def kept_attachment_key(secrets: InstanceSecrets) -> bytes:
    """The HMAC key of :func:`keep_token`."""
    return secrets.derive("intake/kept-attachment")


def keep_token(upload: FileUpload, key: bytes) -> str:
    """A file already cleaned, carried in a hidden field when the form comes back with errors.

    Browsers cannot refill a file input, so without this a reporter would lose their files on every
    mistake. The HMAC lets the server trust that it cleaned this exact file itself.
    """
    payload = json.dumps(
        {"name": upload.filename, "type": upload.media_type, "data": base64.b64encode(upload.content).decode()}
    ).encode()
    return f"{base64.b64encode(payload).decode()}.{_signature(key, payload)}"


def restore_kept(token: str, key: bytes) -> FileUpload | None:
    """The file behind a :func:`keep_token`, or ``None`` when it was altered."""
    encoded, _separator, signature = token.partition(".")
    try:
        payload = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(signature, _signature(key, payload)):
        return None
    data = json.loads(payload)
    return FileUpload(str(data["name"]), str(data["type"]), base64.b64decode(data["data"]))
