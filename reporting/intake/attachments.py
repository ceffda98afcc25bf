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
import hashlib
import hmac
import io
import json
import unicodedata
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from reporting.config.secrets import InstanceSecrets
from reporting.i18n import gettext_ as _
from reporting.intake.memory_form import ReceivedFile, in_memory_form_middleware
from reporting.intake.pdf_rebuild import PdfNotReadableError, rebuild_pdf
from reporting.vault.values import FileUpload

MEBIBYTE = 1024 * 1024
MAX_FILE_BYTES = 5 * MEBIBYTE
MAX_FILES = 3
MAX_TOTAL_BYTES = 12 * MEBIBYTE
MAX_IMAGE_PIXELS = 40_000_000
JPEG_QUALITY = 88
MAX_FILENAME_LENGTH = 80
ACCEPTED_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
PDF_MEDIA_TYPE = "application/pdf"
# Shown in the file picker only; the server decides by content, never by name or declared type.
ACCEPT_ATTRIBUTE = ".jpg,.jpeg,.png,.webp,.gif,.pdf,image/jpeg,image/png,image/webp,image/gif,application/pdf"
# The routes that take uploads parse them in memory (never a temporary file). Phone photos are often
# larger than the per-file limit: a request with a few of them must still reach the handler, so the form
# comes back with a message per file instead of an error page that loses the text. Memory stays bounded:
# the parser drops a file's bytes once it passes the per-file limit.
UPLOAD_MIDDLEWARE = in_memory_form_middleware(MAX_FILE_BYTES)
UPLOAD_REQUEST_MAX_BYTES = 64 * MEBIBYTE


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


def _rebuild_image(content: bytes) -> tuple[bytes, str, str]:
    """Decode and re-encode from raw pixels: (bytes, media type, extension). Raises on anything unreadable."""
    with Image.open(io.BytesIO(content), formats=ACCEPTED_IMAGE_FORMATS) as image:
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ValueError("image too large in pixels")
        image.seek(0)
        upright = ImageOps.exif_transpose(image)
        has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
        mode = "RGBA" if has_alpha else "RGB"
        pixels = upright.convert(mode)
        # A new image from bytes has an empty ``info``: no EXIF, XMP, ICC profile, comment or text chunk.
        clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
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
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise AttachmentRejectedError(
            _(
                "“{name}” is not a photo or PDF file. Only JPEG, PNG, WebP and GIF images and PDF files are possible."
            ).format(name=name)
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise AttachmentRejectedError(
            _("“{name}” could not be read. The file may be damaged or too large.").format(name=name)
        ) from None
    return FileUpload(_with_extension(name, extension, "image"), media_type, content)


async def check_attachments(received: list[ReceivedFile], kept: list[FileUpload]) -> AttachmentCheck:
    """Clean new uploads (in a worker thread: decoding images is CPU-bound) and apply the limits.

    ``kept`` are files accepted on an earlier attempt of the same form; they come first and count
    against the limits. A file past a limit is refused by name, the others stay.
    """
    candidates = list(kept)
    errors: list[str] = []
    for upload in received:
        if not upload.filename and not upload.content:
            continue
        try:
            candidates.append(await asyncio.to_thread(clean_file, upload))
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
