"""Write the JSON Schema of every event version into contracts/schemas/.

Run ``python -m contracts`` after changing a model; ``tests/contracts`` fails while the
committed schemas differ from the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from contracts.catalogue import ALL_VERSIONS
from contracts.envelope import Envelope

SCHEMA_DIR = Path(__file__).parent / "schemas"


def render_all() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for event in ALL_VERSIONS:
        schema = event.model_json_schema()
        schema["title"] = event.event_type
        schema["x-schema-version"] = event.schema_version
        schema["x-aggregate-type"] = event.aggregate_type
        schema["x-producer"] = event.producer
        name = f"{event.producer}/{event.event_type}.v{event.schema_version}.json"
        files[SCHEMA_DIR / name] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    envelope = json.dumps(Envelope.model_json_schema(), indent=2, sort_keys=True) + "\n"
    files[SCHEMA_DIR / "envelope.json"] = envelope
    return files


def main() -> int:
    for path, text in render_all().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"wrote {len(render_all())} schemas to {SCHEMA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
