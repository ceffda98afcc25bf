"""How much does per-report encryption cost? Run: python benchmarks/bench_crypto.py

Seals one typical report (2 KB narrative, 200 B contact, two form answers;
case key wrapped for 3 staff + recovery, mailbox key for 3 staff + recovery +
reporter) and opens it as one staff member, next to a bare HPKE round trip of
2 KB measured in the same run. Also times the Argon2id derivations a person
waits for (receipt login, staff unlock). Medians; bounded to a few seconds.
"""

import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519

from reporting.crypto import envelope, passwords, receipt, report_keys

REPORT_ITERATIONS = 200
ARGON2_ITERATIONS = 5
STAFF_COUNT = 3


@dataclass(frozen=True)
class SealedReport:
    report_id: uuid.UUID
    fields: dict[str, bytes]
    wrapped_case_keys: list[bytes]
    wrapped_mailbox_keys: list[bytes]

    def stored_bytes(self) -> int:
        return sum(map(len, [*self.fields.values(), *self.wrapped_case_keys, *self.wrapped_mailbox_keys]))


@dataclass(frozen=True)
class Recipients:
    staff: list[envelope.KeyPair]
    recovery_public_key: bytes
    reporter_public_key: bytes


PLAINTEXT_FIELDS = {
    report_keys.NARRATIVE: os.urandom(2048),
    report_keys.CONTACT: os.urandom(200),
    report_keys.FORM_ANSWERS + ":where": os.urandom(60),
    report_keys.FORM_ANSWERS + ":when": os.urandom(40),
}


def _purpose(field_name: str) -> str:
    return field_name.split(":", 1)[0]


def _item(field_name: str) -> uuid.UUID | None:
    return uuid.uuid5(uuid.NAMESPACE_OID, field_name) if ":" in field_name else None


def seal_report(recipients: Recipients) -> SealedReport:
    report_id = uuid.uuid4()
    case_key, mailbox_key = envelope.new_data_key(), envelope.new_data_key()
    fields = {
        name: report_keys.seal_field(case_key, report_id, _purpose(name), value, _item(name))
        for name, value in PLAINTEXT_FIELDS.items()
    }
    staff_public_keys = [keypair.public_key for keypair in recipients.staff]
    case_recipients = [*staff_public_keys, recipients.recovery_public_key]
    mailbox_recipients = [*case_recipients, recipients.reporter_public_key]
    return SealedReport(
        report_id=report_id,
        fields=fields,
        wrapped_case_keys=[
            report_keys.wrap_data_key(case_key, public_key, report_id, report_keys.CASE_KEY)
            for public_key in case_recipients
        ],
        wrapped_mailbox_keys=[
            report_keys.wrap_data_key(mailbox_key, public_key, report_id, report_keys.MAILBOX_KEY)
            for public_key in mailbox_recipients
        ],
    )


def open_report(report: SealedReport, staff: envelope.KeyPair) -> dict[str, bytes]:
    case_key = report_keys.unwrap_data_key(
        report.wrapped_case_keys[0], staff.private_key, report.report_id, report_keys.CASE_KEY
    )
    report_keys.unwrap_data_key(
        report.wrapped_mailbox_keys[0], staff.private_key, report.report_id, report_keys.MAILBOX_KEY
    )
    return {
        name: report_keys.open_field(case_key, report.report_id, _purpose(name), ciphertext, _item(name))
        for name, ciphertext in report.fields.items()
    }


def median_ms(operation: Callable[[], object], iterations: int) -> float:
    timings = []
    for _ in range(iterations):
        started = time.perf_counter_ns()
        operation()
        timings.append(time.perf_counter_ns() - started)
    return statistics.median(timings) / 1e6


def main() -> None:
    staff = [envelope.generate_keypair() for _ in range(STAFF_COUNT)]
    recipients = Recipients(
        staff=staff,
        recovery_public_key=envelope.generate_keypair().public_key,
        reporter_public_key=envelope.generate_keypair().public_key,
    )
    report = seal_report(recipients)
    assert open_report(report, staff[0]) == PLAINTEXT_FIELDS

    narrative = PLAINTEXT_FIELDS[report_keys.NARRATIVE]
    hybrid_private = hpke.MLKEM768X25519PrivateKey(
        mlkem.MLKEM768PrivateKey.generate(), x25519.X25519PrivateKey.generate()
    )
    hybrid_public = hybrid_private.public_key()
    bare_sealed = envelope.HPKE_SUITE.encrypt(narrative, hybrid_public, info=b"bench")
    bare_seal = median_ms(
        lambda: envelope.HPKE_SUITE.encrypt(narrative, hybrid_public, info=b"bench"), REPORT_ITERATIONS
    )
    bare_open = median_ms(
        lambda: envelope.HPKE_SUITE.decrypt(bare_sealed, hybrid_private, info=b"bench"), REPORT_ITERATIONS
    )
    sealed = envelope.seal(staff[0].public_key, narrative, b"bench")
    envelope_seal = median_ms(lambda: envelope.seal(staff[0].public_key, narrative, b"bench"), REPORT_ITERATIONS)
    envelope_open = median_ms(lambda: envelope.unseal(staff[0].private_key, sealed, b"bench"), REPORT_ITERATIONS)
    report_seal = median_ms(lambda: seal_report(recipients), REPORT_ITERATIONS)
    report_open = median_ms(lambda: open_report(report, staff[0]), REPORT_ITERATIONS)

    salt = os.urandom(16)
    code = receipt.new_receipt_code()
    receipt_derive = median_ms(lambda: receipt.derive_receipt_keys(code, salt), ARGON2_ITERATIONS)
    wrapped_private_key = passwords.wrap_private_key(staff[0].private_key, "benchmark password")
    staff_unlock = median_ms(
        lambda: passwords.unwrap_private_key(wrapped_private_key, "benchmark password"), ARGON2_ITERATIONS
    )

    argon2 = receipt.RECEIPT_ARGON2
    wraps = len(report.wrapped_case_keys) + len(report.wrapped_mailbox_keys)
    rows = [
        ("bare HPKE seal, 2 KB (key objects preloaded)", bare_seal, bare_seal),
        ("bare HPKE open, 2 KB (key objects preloaded)", bare_open, bare_open),
        ("envelope.seal, 2 KB (incl. decoding key bytes)", envelope_seal, bare_seal),
        ("envelope.unseal, 2 KB (incl. decoding key bytes)", envelope_open, bare_open),
        (f"seal report: 4 fields + {wraps} key wraps", report_seal, bare_seal),
        ("open report: 2 key unwraps + 4 fields", report_open, bare_open),
        (f"receipt derivation, Argon2id {argon2.memory_kib // 1024} MiB t={argon2.time_cost}", receipt_derive, None),
        ("staff key unlock, Argon2id (default params)", staff_unlock, None),
    ]
    print(f"median of {REPORT_ITERATIONS} runs (Argon2id: {ARGON2_ITERATIONS} runs)")
    print()
    print(f"{'operation':<52} {'ms':>9} {'x bare':>7}")
    print("-" * 70)
    for label, milliseconds, baseline in rows:
        ratio = "" if baseline is None else f"{milliseconds / baseline:.1f}"
        print(f"{label:<52} {milliseconds:>9.3f} {ratio:>7}")
    print()
    plaintext_size = sum(map(len, PLAINTEXT_FIELDS.values()))
    print(
        f"stored size: {report.stored_bytes()} bytes for {plaintext_size} bytes of plaintext "
        f"({len(report.wrapped_case_keys[0])} bytes per wrapped key)"
    )


if __name__ == "__main__":
    main()
