"""Settings: defaults < pyproject [tool.schema_kit] < SCHEMA_KIT_* env < command-line flags."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schema_kit.errors import ConfigError

TARGETS = ("postgres", "supabase")

#: "A visible character" for the bounds on text columns (templates: ``texto_visivel``, a list
#: of two halves for short SQL lines: ``'a' || 'b'``): one regex bracket expression matching a
#: character that is neither whitespace nor an invisible (zero-width, format, filler) character.
#: Used by private.tem_texto_visivel and by the generated bound checks of
#: triggers/05_campos.sql.j2, so both always agree.
TEXTO_VISIVEL = (
    r"[^[:space:]\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180e",
    r"\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufeff\uffa0]",
)

#: Supabase's API roles; templates see them as ``roles.anon`` etc.
ROLES = {
    "anon": "anon",
    "authenticated": "authenticated",
    "service_role": "service_role",
    "authenticator": "authenticator",
}


@dataclass(frozen=True)
class Settings:
    """Everything that shapes rendering and where the SQL is applied."""

    target: str = "postgres"
    dsn: str | None = None
    sources: Path | None = None
    local_dir: Path = Path(".schema-kit")
    max_message_length: int = 4000
    chat_page_size: int = 50
    history_page_size: int = 100
    #: every statement of apply/rollback waits at most this long for a lock (milliseconds)
    lock_timeout: int = 5000
    #: how many times a run that hit the lock timeout is retried (0: fail at once)
    lock_retries: int = 3
    #: runaway guard per statement (milliseconds; 0 = no limit)
    statement_timeout: int = 0
    #: HS256 secret of `schema-kit realtime serve` (SCHEMA_KIT_JWT_SECRET); empty = the
    #: documented local default (schema_kit.realtime.tokens.DEV_JWT_SECRET)
    jwt_secret: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: where ``dsn`` came from (``--dsn``, ``SCHEMA_KIT_DSN``, ``DATABASE_URL``, pyproject)
    dsn_origin: str | None = None
    #: ``--local``: use the local throwaway cluster (never implied under CI or without a TTY)
    local: bool = False

    def template_context(self) -> dict[str, Any]:
        """The jinja2 context every source file is rendered with."""
        return {
            "target": self.target,
            "limits": {
                "max_message_length": self.max_message_length,
                "chat_page_size": self.chat_page_size,
                "history_page_size": self.history_page_size,
            },
            "roles": dict(ROLES),
            "texto_visivel": list(TEXTO_VISIVEL),
        }


#: settings only a command-line flag (or the code) sets, never pyproject or the environment
_FLAG_ONLY = {"extra", "dsn_origin", "local"}
_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name not in _FLAG_ONLY}
_INT_FIELDS = {"max_message_length", "chat_page_size", "history_page_size"}
_COUNT_FIELDS = {"lock_retries"}
_DURATION_FIELDS = {"lock_timeout", "statement_timeout"}
_PATH_FIELDS = {"sources", "local_dir"}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|min)")
_UNIT_MS = {"ms": 1, "s": 1000, "min": 60_000}


def parse_duration(text: str) -> int:
    """Milliseconds from ``500ms``, ``5s``, ``1.5s``, ``2min`` or ``0``; ValueError otherwise."""
    text = str(text).strip()
    if text == "0":
        return 0
    match = _DURATION.fullmatch(text)
    if not match:
        raise ValueError(text)
    return round(float(match.group(1)) * _UNIT_MS[match.group(2)])


def format_duration(ms: int) -> str:
    """``5s``, ``250ms``, ``1.5s``: the shortest readable form of a duration in milliseconds."""
    if ms % 1000 == 0:
        return f"{ms // 1000}s"
    return f"{ms}ms" if ms < 1000 else f"{ms / 1000:g}s"


def _coerce(name: str, value: Any, origin: str) -> Any:
    if name in _DURATION_FIELDS:
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # already milliseconds (Settings built in code)
        try:
            return parse_duration(value)
        except ValueError:
            raise ConfigError(f"{origin}: {name} must be a duration like 500ms, 5s or 2min "
                              f"(0 = no limit), got {value!r}") from None
    if name in _COUNT_FIELDS:
        try:
            count = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{origin}: {name} must be an integer, got {value!r}") from None
        if count < 0:
            raise ConfigError(f"{origin}: {name} must be 0 or more, got {count}")
        return count
    if name in _INT_FIELDS:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{origin}: {name} must be an integer, got {value!r}") from None
        if number <= 0:
            raise ConfigError(f"{origin}: {name} must be positive, got {number}")
        return number
    if name in _PATH_FIELDS:
        return Path(str(value))
    if name == "target" and value not in TARGETS:
        raise ConfigError(f"{origin}: target must be one of {', '.join(TARGETS)}, got {value!r}")
    return str(value)


def _from_pyproject(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("schema_kit", {})
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in _FIELDS:
            known = ", ".join(sorted(_FIELDS))
            raise ConfigError(f"{path}: unknown setting [tool.schema_kit] {key} (known: {known})")
        values[name] = _coerce(name, value, f"{path} [tool.schema_kit]")
    return values


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in _FIELDS:
        key = f"SCHEMA_KIT_{name.upper()}"
        if env.get(key):
            values[name] = _coerce(name, env[key], key)
    # A DSN variable that is SET but empty is kept (as ""): in CI it is a missing secret, and
    # resolve_dsn refuses it instead of quietly falling back to another database.
    for key in ("SCHEMA_KIT_DSN", "DATABASE_URL"):
        if key in env:
            values["dsn"], values["dsn_origin"] = env[key], key
            break
    return values


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    pyproject: Path | None = None,
) -> Settings:
    """Merge the settings layers; flags whose value is None are treated as not given."""
    env = os.environ if env is None else env
    pyproject = Path("pyproject.toml") if pyproject is None else pyproject
    values = _from_pyproject(pyproject)
    if "dsn" in values:
        values["dsn_origin"] = f"{pyproject} [tool.schema_kit] dsn"
    values.update(_from_env(env))
    for name, value in (flags or {}).items():
        if name == "local":
            values["local"] = bool(value)
        elif value is not None:
            flag = f"--{name.replace('_', '-')}"
            values[name] = _coerce(name, value, flag)
            if name == "dsn":
                values["dsn_origin"] = flag
    return Settings(**values)
