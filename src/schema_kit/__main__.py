"""``python -m schema_kit`` is the ``schema-kit`` command."""

from __future__ import annotations

import sys

from schema_kit.cli import main

sys.exit(main())
