"""A receipt code nobody loses by reloading: the code of an online report is derived from the form's
one-time submission id, so the same tab can be shown it again, and nothing is stored to do so.

The submission id is a random value in the rendered form (144 bits) and is stored only as a SHA-256
hash (to refuse a second report from the same form). The code is an HMAC of it under a key derived
from the instance signing key: reloading the receipt page, or going Back and sending the form again,
posts the same id, the report is not stored twice, and the same code is computed and shown again,
as long as the spent id is remembered (two days). Without the id, which only that browser has, the
server cannot compute the code. See SECURITY.md ("A code nobody can lose").
"""

from __future__ import annotations

import hashlib
import hmac

from reporting.config.secrets import InstanceSecrets
from reporting.crypto.receipt import receipt_code_from_seed

_PURPOSE = "receipt-code-from-submission/v1"


def receipt_code_for(secrets: InstanceSecrets, submission_id: str) -> str:
    """The receipt code a report sent with this form gets (and gets shown again on a repeat)."""
    key = secrets.derive(_PURPOSE)
    return receipt_code_from_seed(hmac.new(key, submission_id.encode(), hashlib.sha256).digest())


def spoken_groups(code: str) -> str:
    """The code as a screen reader should read it: digit by digit, with a pause after each group."""
    return ", ".join(" ".join(group) for group in code.split())
