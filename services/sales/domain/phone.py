"""Indonesian phone numbers, normalised to E.164 (+62...), the one key of a customer."""

from __future__ import annotations

import re

import phonenumbers

from services.sales.domain import InvalidPhoneError

_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalise_phone(raw: str) -> str:
    """``08..``, ``+62..``, ``62..`` with spaces, dots or dashes -> ``+62...``.

    A number already starting with 62 is read as international (never ``+6262...``).
    Errors never repeat the digits: they may end up in a log or a response body.
    """
    compact = _SEPARATORS.sub("", raw or "")
    if not compact:
        raise InvalidPhoneError("phone number is empty")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("62"):
        compact = "+" + compact
    if not re.fullmatch(r"\+?\d+", compact):
        raise InvalidPhoneError("phone number may hold only digits, +, spaces, dots, dashes")
    if not 8 <= len(compact.lstrip("+")) <= 16:
        raise InvalidPhoneError("phone number is too short or too long")
    try:
        number = phonenumbers.parse(compact, "ID")
    except phonenumbers.NumberParseException:
        raise InvalidPhoneError() from None
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        raise InvalidPhoneError()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """``+62******789``: the only form a phone may take in a DEBUG log."""
    return e164[:3] + "*" * max(0, len(e164) - 6) + e164[-3:]
