"""AsyncAPI 3 document of one service's published events, built from the catalogue."""

from __future__ import annotations

from typing import Any

from contracts.catalogue import LATEST, TOPICS
from contracts.envelope import Envelope


def asyncapi_document(service: str) -> dict[str, Any]:
    topic = TOPICS.get(service)
    events = sorted(
        (model for model in LATEST.values() if model.producer == service),
        key=lambda m: m.event_type,
    )
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Envelope": Envelope.model_json_schema()}
    for model in events:
        schemas[model.event_type] = model.model_json_schema()
        messages[model.event_type] = {
            "name": model.event_type,
            "title": model.event_type,
            "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else "",
            "contentType": "application/json",
            "headers": {"type": "object"},
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "type": "object",
                        "properties": {
                            "event_type": {"const": model.event_type},
                            "schema_version": {"const": model.schema_version},
                            "aggregate_type": {"const": model.aggregate_type},
                            "payload": {"$ref": f"#/components/schemas/{model.event_type}"},
                        },
                    },
                ]
            },
            "bindings": {"kafka": {"key": {"type": "string", "description": "aggregate id"}}},
        }
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    if topic:
        channels[topic] = {
            "address": topic,
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
        }
        operations[f"publish_{service}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": f"Lapak {service} events", "version": "1"},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
