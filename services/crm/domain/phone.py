"""Phone numbers as one form (E.164), so one person written two ways is one profile."""

from __future__ import annotations

import phonenumbers


def normalise_phone(raw: str | None, region: str = "ID") -> str | None:
    """E.164 form of an Indonesian (or international) number, None when not a number."""
    if not raw:
        return None
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """``+62******789`` for DEBUG logs, never the whole number."""
    return e164[:3] + "*" * max(0, len(e164) - 6) + e164[-3:]
