"""PDFs keep nothing but their pages: each page is rendered to pixels and a new PDF is built from the images.

An uploaded PDF can carry its author, the software and the times it was made, XMP metadata, embedded
files, form data, scripts and actions; any of it can identify a reporter or attack a reader. Stripping it
field by field misses what nobody thought of, so, as the Dangerzone project does, the document is drawn
by PDFium (``pypdfium2``) and only the drawn pixels go into the new file; the original is never stored.

PDFium runs in a child process with no environment, limits on memory, CPU time, written file size and
open files, and a wall-clock timeout, so a hostile file can crash or exhaust only that child. PDFium has no
network code; the child is given no address to reach and no configuration. Run this module with the
PDF on standard input to get the rebuilt PDF on standard output (that is how the parent calls it).
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
from pathlib import Path

MAX_PAGES = 30
RENDER_DPI = 150
MAX_PAGE_PIXELS = 4_000_000  # an A4 page at 150 dpi has about 2.2 million
JPEG_QUALITY = 85
TIMEOUT_SECONDS = 60
CPU_SECONDS = 60
MEMORY_BYTES = 2 * 1024**3
MAX_OUTPUT_BYTES = 64 * 1024**2
POINTS_PER_INCH = 72


class PdfNotReadableError(ValueError):
    """The file is not a PDF that PDFium can draw within the limits."""


def rebuild_pdf(content: bytes) -> bytes:
    """A new PDF of the pages of ``content``, drawn as images; raise :class:`PdfNotReadableError`."""
    package_root = Path(__file__).resolve().parents[2]
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "reporting.intake.pdf_rebuild"],
            input=content,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            env={"PYTHONPATH": str(package_root)},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PdfNotReadableError("rendering took too long") from None
    if finished.returncode != 0 or not finished.stdout.startswith(b"%PDF-"):
        raise PdfNotReadableError("not a readable PDF")
    return finished.stdout


def _limit_this_process() -> None:
    """Set by the child itself before it reads the file (``preexec_fn`` is unsafe from a worker thread)."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _render(content: bytes) -> bytes:
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(content)
    try:
        if not 1 <= len(document) <= MAX_PAGES:
            raise PdfNotReadableError("no pages or too many pages")
        pages: list[Image.Image] = []
        for page in document:
            width, height = page.get_size()
            scale = RENDER_DPI / POINTS_PER_INCH
            pixels = width * height * scale * scale
            if pixels > MAX_PAGE_PIXELS:
                scale *= (MAX_PAGE_PIXELS / pixels) ** 0.5
            pages.append(page.render(scale=scale, may_draw_forms=False).to_pil().convert("RGB"))
            page.close()
    finally:
        document.close()
    output = io.BytesIO()
    pages[0].save(
        output,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=RENDER_DPI,
        quality=JPEG_QUALITY,
        title=None,  # Pillow writes no information entry that is empty: no title, author or dates
        creationDate=None,
        modDate=None,
    )
    return output.getvalue()


def _main() -> int:
    _limit_this_process()
    try:
        rebuilt = _render(sys.stdin.buffer.read())
    except Exception:
        return 1
    if len(rebuilt) > MAX_OUTPUT_BYTES:
        return 1
    sys.stdout.buffer.write(rebuilt)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
