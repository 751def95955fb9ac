"""Bearer tokens with a division role.

Commands need a token whose role is the owning division or ``owner`` (403 otherwise);
reads need any valid token. A missing or unknown token is 401.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: str


def _lookup(request: Request, token: str) -> Caller | None:
    tokens: dict[str, dict[str, str]] = request.app.state.tokens
    for known, who in tokens.items():
        if hmac.compare_digest(known.encode(), token.encode()):
            return Caller(user_id=who["user"], role=who["role"])
    return None


async def reader(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Caller:
    """Any valid token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    caller = _lookup(request, credentials.credentials)
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "unknown token", headers={"WWW-Authenticate": "Bearer"}
        )
    return caller


def division(*roles: str):  # type: ignore[no-untyped-def]
    """Dependency for a command route: the caller's role must be one of ``roles`` or owner."""
    allowed = frozenset(roles) | {"owner"}

    async def check(caller: Caller = Depends(reader)) -> Caller:
        if caller.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"role {caller.role!r} may not do this; needs one of {sorted(allowed)}",
            )
        return caller

    check.allowed_roles = allowed  # type: ignore[attr-defined]
    return check
