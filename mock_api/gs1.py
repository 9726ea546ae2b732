"""GS1 check digits for GTIN-13 and GLN-13 numbers."""

from __future__ import annotations


def gs1_check_digit(digits: str) -> int:
    """Compute the GS1 mod-10 check digit for a number without its check digit.

    The weights 3 and 1 alternate from the rightmost digit, so the same function
    serves GTIN-8, GTIN-13, GLN-13 and GTIN-14.
    """
    if not digits.isdigit():
        raise ValueError(f"GS1 number must contain only digits, got {digits!r}")

    total = 0
    for position, digit in enumerate(reversed(digits)):
        weight = 3 if position % 2 == 0 else 1
        total += int(digit) * weight

    return (10 - total % 10) % 10


def is_valid_gs1(number: str, length: int = 13) -> bool:
    """Return whether number has the given length and a correct check digit."""
    if len(number) != length or not number.isdigit():
        return False

    return gs1_check_digit(number[:-1]) == int(number[-1])
