"""Sealing personal data under a per-customer key ("crypto-shredding").

Events live for ever on Kafka, but a customer may ask to be forgotten. Personal fields
are therefore sealed (Fernet: AES-128-CBC with an HMAC) under a key that belongs to that
customer alone. Erasure destroys the key everywhere it is kept; from then on the sealed
fields of every event, old or replayed, read as erased, while ids and amounts are intact.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

ERASED = "[erased]"


def new_customer_key() -> bytes:
    return Fernet.generate_key()


def seal(key: bytes, data: dict[str, Any]) -> str:
    return Fernet(key).encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def unseal(key: bytes | None, token: str) -> dict[str, Any] | None:
    """The sealed data, or None when the key is gone (erased) or does not fit."""
    if key is None:
        return None
    try:
        return dict(json.loads(Fernet(key).decrypt(token.encode())))
    except (InvalidToken, ValueError):
        return None
