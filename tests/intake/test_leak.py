"""Nothing a reporter typed or uploaded, nor their address or browser, ends up readable anywhere.

A real server process gets a report with a unique canary in every text field, the contact details, an
attachment's name and content, and a mailbox reply, from a unique user agent behind a (trusted) proxy
that names a unique client address. Then the database file and its WAL (or a PostgreSQL dump), every
log, and the temporary directories are searched for each canary, raw and hex-encoded: zero hits.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from reporting.config.settings import Settings
from tests.intake.conftest import full_report_form, jpeg_with_gps, pdf_bytes
from tests.live_server import live_server

MAX_SEARCHED_FILE_BYTES = 200 * 1024 * 1024


def _encodings(canary: str) -> list[bytes]:
    raw = canary.encode()
    return [raw, raw.hex().encode(), raw.hex().upper().encode()]


def _files_under(directory: Path, modified_since: float | None = None) -> Iterable[Path]:
    """Regular files below ``directory``; files that vanish meanwhile (other processes' temp files) are skipped."""
    for folder, _subfolders, names in os.walk(directory):
        for name in names:
            path = Path(folder) / name
            try:
                status = path.lstat()
            except OSError:
                continue
            if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_SEARCHED_FILE_BYTES:
                continue
            if modified_since is None or status.st_mtime >= modified_since:
                yield path


def _hits(paths: Iterable[Path], canaries: dict[str, str]) -> list[str]:
    found: list[str] = []
    for path in paths:
        try:
            content = path.read_bytes()
        except OSError:
            continue
        found.extend(
            f"{name} in {path}"
            for name, canary in canaries.items()
            if any(encoded in content for encoded in _encodings(canary))
        )
    return found


def _pg_dump(database_url: str) -> bytes:
    database = urlsplit(database_url.replace("+asyncpg", "")).path.lstrip("/")
    return subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", database], check=True, capture_output=True, timeout=120
    ).stdout


def _post(
    client: httpx.Client,
    path: str,
    data: Mapping[str, str | list[str]],
    files: Sequence[tuple[str, tuple[str, bytes, str]]],  # (field, (file name, content, content type))
) -> httpx.Response:
    token = client.cookies["csrftoken"]
    # A report is answered with a redirect to the receipt page: followed as a browser does.
    return client.post(path, data={**data, "_csrf_token": token}, files=files, follow_redirects=True)


def test_no_canary_reaches_disk_logs_or_temp(initialised_settings: Settings, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:12]
    canaries = {
        "description": f"CanaryDescription{marker}",
        "contact": f"CanaryContact{marker}@example.org",
        "reply": f"CanaryReply{marker}",
        "file name": f"CanaryFileName{marker}",
        "file content": f"CanaryPdfContent{marker}",
        "photo metadata": f"CanaryCamera{marker}",
        "rejected draft": f"CanaryDraft{marker}",
        "user agent": f"CanaryAgent/{marker}",
        "client address": f"203.0.113.{int(marker[:4], 16) % 250 + 1}",
    }
    server_tmp = tmp_path / "server-tmp"
    server_tmp.mkdir()
    started = time.time()
    headers = {"User-Agent": canaries["user agent"], "X-Forwarded-For": canaries["client address"]}
    # Large enough that Litestar's own parser would have rolled it into a temporary file.
    attachment = pdf_bytes(canaries["file content"], size=3 * 1024 * 1024)
    with (
        live_server(
            initialised_settings,
            tmp_path / "server.log",
            REPORTING_LOG_LEVEL="DEBUG",
            REPORTING_TRUSTED_PROXIES="127.0.0.1",
            TMPDIR=str(server_tmp),
        ) as server,
        httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as client,
    ):
        assert client.get("/?lang=en").status_code == 200
        draft = full_report_form(description=canaries["rejected draft"], area="not-an-area")
        assert _post(client, "/report?lang=en", draft, []).status_code == 400

        form = full_report_form(description=canaries["description"], contact=canaries["contact"])
        files = [
            ("attachments", (f"{canaries['file name']}.pdf", attachment, "application/pdf")),
            ("attachments", ("photo.jpg", jpeg_with_gps(canaries["photo metadata"]), "image/jpeg")),
        ]
        receipt = _post(client, "/report?lang=en", form, files)
        assert receipt.status_code == 200
        code = " ".join(re.findall(r"<span>(\d{4})</span>", receipt.text))
        canaries["receipt code"] = code
        canaries["receipt code digits"] = code.replace(" ", "")

        assert _post(client, "/mailbox?lang=en", {"code": "0000 0000 0000 0000 0001"}, []).status_code == 400
        assert _post(client, "/mailbox?lang=en", {"code": code}, []).status_code == 200
        reply = _post(client, "/mailbox/reply?lang=en", {"code": code, "message": canaries["reply"]}, files)
        assert reply.status_code == 200

        # While the server runs, the SQLite WAL holds the newest pages: search it now as well.
        live_hits = _hits(_files_under(initialised_settings.data_dir), canaries)

    searched = [
        *_files_under(initialised_settings.data_dir),
        *_files_under(initialised_settings.keys_dir),
        tmp_path / "server.log",
        *_files_under(server_tmp),
        *(
            path
            for path in _files_under(Path(tempfile.gettempdir()), modified_since=started)
            if tmp_path not in path.parents
        ),
    ]
    hits = live_hits + _hits(searched, canaries)
    if not initialised_settings.is_sqlite:
        dump = tmp_path / "database.sql"
        dump.write_bytes(_pg_dump(initialised_settings.database_url))
        assert b"CREATE TABLE public.report" in dump.read_bytes()
        hits += _hits([dump], canaries)
    else:
        assert any(path.name == "reporting.db" for path in searched)
    assert not hits, hits
    assert (tmp_path / "server.log").read_text(errors="replace").strip(), "the server log was empty: searched nothing"
