"""A reporter without JavaScript, over real HTTP: fetch the form, send it, read the receipt code.

Shared by the live concurrency tests and ``benchmarks/intake_load.py``. Each simulated reporter names
its own client address in ``X-Forwarded-For`` (the server must trust 127.0.0.1 as a proxy), so the
per-client rate limits count them apart as they would count real people.
"""

from __future__ import annotations

import re

import httpx

RECEIPT_PATTERN = re.compile(r'<p class="receipt-code"[^>]*>(.*?)</p>', re.S)
SUBMISSION_PATTERN = re.compile(r'name="submission_id"[^>]*value="([^"]*)"')
REPORT_FORM = {
    "description": "The landlord said flats are not for people like me.\nHe laughed.",
    "area": "housing",
    "region": "borken",
    "grounds": ["racism_ethnic_origin", "religion"],
    "affected": "me",
    "reporter_role": "affected",
    "authority_involved": "no",
    "structural": "unsure",
    "consent_statistics": "yes",
    "homepage_url": "",
}


def reporter_address(number: int) -> str:
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


async def send_report(client: httpx.AsyncClient, address: str) -> httpx.Response:
    """GET the form, then POST it as a browser without JavaScript does (multipart, CSRF, one-time id) and
    follow the redirect to the receipt page."""
    headers = {"X-Forwarded-For": address}
    page = await client.get("/", headers=headers)
    page.raise_for_status()
    submission = SUBMISSION_PATTERN.search(page.text)
    assert submission is not None, "no submission id on the form"
    data = {**REPORT_FORM, "submission_id": submission.group(1), "_csrf_token": client.cookies["csrftoken"]}
    return await client.post(
        "/report",
        data=data,
        files=[("attachments", ("", b"", "application/octet-stream"))],
        headers=headers,
        follow_redirects=True,
    )


def shown_receipt(response: httpx.Response) -> str | None:
    """The receipt code a page shows, or None when it shows none."""
    match = RECEIPT_PATTERN.search(response.text)
    if match is None:
        return None
    groups = re.findall(r"<span>(\d{4})</span>", match.group(1))
    return " ".join(groups) if len(groups) == 5 else None
