"""The receipt code of an online report follows from the form's one-time id and the instance secret:
the same form gives the same code (so a reload shows it again), another form or instance another."""

from __future__ import annotations

from reporting.config.secrets import InstanceSecrets
from reporting.crypto.receipt import normalize_receipt_code
from reporting.intake.receipt_slip import receipt_code_for, spoken_groups


def _secrets(byte: int) -> InstanceSecrets:
    return InstanceSecrets(signing_key=bytes([byte]) * 32, receipt_salt=b"s" * 16)


def test_the_same_form_gives_the_same_code_and_nothing_else_does() -> None:
    code = receipt_code_for(_secrets(1), "form-a")
    assert code == receipt_code_for(_secrets(1), "form-a")
    assert normalize_receipt_code(code) is not None
    assert len({code, receipt_code_for(_secrets(1), "form-b"), receipt_code_for(_secrets(2), "form-a")}) == 3


def test_codes_are_spread_over_every_digit() -> None:
    digits = "".join(receipt_code_for(_secrets(3), f"form-{n}").replace(" ", "") for n in range(200))
    counts = [digits.count(str(digit)) for digit in range(10)]
    assert min(counts) > 300  # 4000 digits: about 400 each


def test_a_screen_reader_hears_the_code_digit_by_digit_in_groups() -> None:
    assert spoken_groups("1234 5678 9012 3456 7890") == "1 2 3 4, 5 6 7 8, 9 0 1 2, 3 4 5 6, 7 8 9 0"
