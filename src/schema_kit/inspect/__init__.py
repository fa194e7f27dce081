"""What a live database allows, read from its catalog: lint, audit, drift and explain.

One catalog snapshot (:mod:`.snapshot`) feeds every command; lint adds the project's own
checks (:mod:`.checks`) to the real tools (:mod:`.tools`: splinter through the Postgres Language
Server CLI, squawk, plpgsql_check).
"""

from __future__ import annotations
