"""Settings: defaults < pyproject [tool.schema_kit] < SCHEMA_KIT_* env < command-line flags."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schema_kit.errors import ConfigError

TARGETS = ("postgres", "supabase")

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
    extra: Mapping[str, Any] = field(default_factory=dict)

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
        }


_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "extra"}
_INT_FIELDS = {"max_message_length", "chat_page_size", "history_page_size"}
_PATH_FIELDS = {"sources", "local_dir"}


def _coerce(name: str, value: Any, origin: str) -> Any:
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
    if "dsn" not in values and env.get("DATABASE_URL"):
        values["dsn"] = env["DATABASE_URL"]
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
    values.update(_from_env(env))
    for name, value in (flags or {}).items():
        if value is not None:
            values[name] = _coerce(name, value, f"--{name.replace('_', '-')}")
    return Settings(**values)
