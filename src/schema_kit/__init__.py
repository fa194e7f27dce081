"""schema_kit: render, apply, lint, audit and test the support platform's database layer."""

from __future__ import annotations

__version__ = "0.1.0"
