"""Lets the CRM integration tests share the unit tests' event builders (crm_events)."""

import sys
from pathlib import Path

_UNIT = str(Path(__file__).resolve().parents[2] / "unit" / "crm")
if _UNIT not in sys.path:
    sys.path.insert(0, _UNIT)
