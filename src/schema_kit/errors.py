"""Errors the CLI turns into a message and an exit code (no traceback)."""

from __future__ import annotations


class SchemaKitError(Exception):
    """A failure with a message meant for the person running the tool."""


class ConfigError(SchemaKitError):
    """Bad settings: pyproject, SCHEMA_KIT_* environment or command-line flags."""
