"""JWTs as Supabase Realtime checks them: HS256/384/512 with the project secret, ``role`` and
``exp`` required, ``exp`` in the future. Refusals carry the platform's ``Code: text`` reasons."""

from __future__ import annotations

import time
from typing import Any

import jwt

ALGORITHMS = ["HS256", "HS384", "HS512"]

#: The documented local default (docs/devops.md); never use it anywhere but a laptop or CI.
DEV_JWT_SECRET = "schema-kit-local-development-jwt-secret-not-for-production"


class TokenRefused(Exception):
    """A JWT the endpoint does not accept; ``str()`` is the platform's reason."""


def verify(token: str | None, secret: str) -> dict[str, Any]:
    """The claims of a valid token, else :class:`TokenRefused` with Supabase's reason."""
    if not token:
        raise TokenRefused("MalformedJWT: The token provided is not a valid JWT")
    try:
        claims: dict[str, Any] = jwt.decode(
            token, secret, algorithms=ALGORITHMS,
            options={"require": ["exp", "role"], "verify_exp": False, "verify_aud": False})
    except jwt.InvalidSignatureError:
        raise TokenRefused("JwtSignatureError: Failed to validate JWT signature") from None
    except jwt.MissingRequiredClaimError as exc:
        raise TokenRefused(f"InvalidJWTToken: Fields `role` and `exp` are required in JWT "
                           f"(missing {exc.claim})") from None
    except jwt.PyJWTError:
        raise TokenRefused("MalformedJWT: The token provided is not a valid JWT") from None
    exp, iat = claims.get("exp"), claims.get("iat", 0)
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise TokenRefused("InvalidJWTToken: exp and iat must be numbers")
    expired = int(time.time() - exp)
    if expired >= 0:
        raise TokenRefused(f"InvalidJWTToken: Token has expired {expired} seconds ago")
    if not isinstance(claims.get("role"), str):
        raise TokenRefused("InvalidJWTToken: role must be a string")
    return claims


def sign(claims: dict[str, Any], secret: str, ttl_seconds: int = 3600) -> str:
    """An HS256 token with ``iat`` and ``exp`` (now + ttl) added to ``claims``."""
    now = int(time.time())
    return jwt.encode({"iat": now, "exp": now + ttl_seconds, **claims}, secret,
                      algorithm="HS256")


def user_claims(user_id: str) -> dict[str, Any]:
    """The claims of a signed-in portal user, as Supabase Auth issues them."""
    return {"sub": str(user_id), "role": "authenticated", "aud": "authenticated"}
