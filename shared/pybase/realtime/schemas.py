"""Message shapes of the realtime WebSocket protocol.

Client -> server (`$default` route), one JSON object with an `action`:
    {"action": "subscribe", "table_id": "tbl...", "last_event_id": 41}   (or "base_id")
    {"action": "unsubscribe", "table_id": "tbl..."}
    {"action": "ping"}
    {"action": "presence", "table_id": "tbl...", "record_id": "rec...", "field_id": "fld..."}
    {"action": "presence", "table_id": "tbl...", "state": "leave"}
Server -> client, one JSON object with a `type`:
    events       {"type": "events", "events": [Event, ...]}  (ordered by id within a base; ids are
                 per base, so a client ignores (base, id) pairs it has)
    subscribed   {"type": "subscribed", "scope", "table_id"|"base_id", "last_event_id", "replayed"}
    refetch      {"type": "refetch", "scope", ..., "reason"}  (replay too far back: reload the data)
    unsubscribed {"type": "unsubscribed", "scope", ..., "reason"}  (asked for, or access revoked)
    presence     {"type": "presence", "table_id", "users": [{"user_id","record_id","field_id","at"}]}
    pong         {"type": "pong", "at"}
    error        {"type": "error", "error": {"code", "message", "details"}, "action"}
                 (code "credentials_revoked", action null: the token the connection was opened with was
                 revoked; the server closes the connection right after; do not reconnect with that token)
    resync       {"type": "resync", "reason": "registry_restored",
                  "subscriptions": [{"scope": "table", "table_id"} | {"scope": "base", "base_id"}, ...]}
                 The server lost this connection's registration (Redis restarted empty) and restored it
                 from its durable copy: the listed subscriptions are active again and the events missed
                 meanwhile follow, in order. The client sends its presence again (presence is not kept),
                 and subscribes again, with last_event_id, to any scope it expected but is not listed.
An Event is {"id", "type", "workspace_id", "base_id", "table_id", "actor_id", "payload"}. A frame never
exceeds MAX_MESSAGE_BYTES: an event whose payload would not fit is sent with its IDs only and
`"refetch": true`.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

# API Gateway's WebSocket frame limit is 32 KB; stay under it with room for the envelope.
MAX_MESSAGE_BYTES = 32 * 1024 - 512

_ID = r"^[a-z]{3}[A-Za-z0-9]{14}$"


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Scoped(_Action):
    table_id: Annotated[str | None, Field(pattern=_ID)] = None
    base_id: Annotated[str | None, Field(pattern=_ID)] = None

    @model_validator(mode="after")
    def _one_scope(self) -> _Scoped:
        if (self.table_id is None) == (self.base_id is None):
            raise ValueError("give exactly one of table_id or base_id")
        return self

    @property
    def scope(self) -> str:
        return f"table:{self.table_id}" if self.table_id else f"base:{self.base_id}"


class SubscribeAction(_Scoped):
    action: Literal["subscribe"]
    last_event_id: Annotated[int | None, Field(ge=0)] = None


class UnsubscribeAction(_Scoped):
    action: Literal["unsubscribe"]


class PingAction(_Action):
    action: Literal["ping"]


class PresenceAction(_Action):
    action: Literal["presence"]
    table_id: Annotated[str, Field(pattern=_ID)]
    record_id: Annotated[str | None, Field(max_length=40)] = None
    field_id: Annotated[str | None, Field(max_length=40)] = None
    state: Literal["view", "leave"] = "view"


Action = Annotated[
    SubscribeAction | UnsubscribeAction | PingAction | PresenceAction,
    Field(discriminator="action"),
]
action_adapter: TypeAdapter[Any] = TypeAdapter(Action)


def scope_fields(scope: str) -> dict[str, str]:
    kind, object_id = scope.split(":", 1)
    return {"scope": kind, f"{kind}_id": object_id}


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), default=str)


def event_view(event: dict[str, Any]) -> dict[str, Any]:
    """The public shape of a change event (the log row or the dict emit() publishes)."""
    return {
        "id": int(event["id"]),
        "type": event["type"],
        "workspace_id": event.get("workspace_id"),
        "base_id": event.get("base_id"),
        "table_id": event.get("table_id"),
        "actor_id": event.get("actor_id"),
        "payload": event.get("payload") or {},
    }


_ID_VALUE = re.compile(r"^[a-z]{3}[A-Za-z0-9]{14}$")


def _ids_only(payload: dict[str, Any]) -> dict[str, Any]:
    """Keep only the values that are object IDs (or lists of them): enough to refetch."""
    kept: dict[str, Any] = {}
    for key, value in payload.items():
        values = value if isinstance(value, list) else [value]
        if values and all(isinstance(v, str) and _ID_VALUE.match(v) for v in values):
            kept[key] = value
    return kept


def fit_event(view: dict[str, Any], limit: int = MAX_MESSAGE_BYTES) -> tuple[dict[str, Any], str]:
    """The event and its JSON, cut to IDs plus a refetch hint when it would not fit in one frame."""
    text = dumps(view)
    if len(text.encode()) <= limit - 64:
        return view, text
    slim = {**view, "payload": _ids_only(view.get("payload") or {}), "refetch": True}
    text = dumps(slim)
    if len(text.encode()) > limit - 64:
        slim["payload"] = {}
        text = dumps(slim)
    return slim, text


def pack_texts(texts: list[str], limit: int = MAX_MESSAGE_BYTES) -> list[str]:
    """Serialized events (see fit_event) as few `events` frames as fit under the frame limit."""
    head, tail = '{"type":"events","events":[', "]}"
    frames: list[str] = []
    parts: list[str] = []
    size = len(head) + len(tail)
    for text in texts:
        n = len(text.encode()) + 1
        if parts and size + n > limit:
            frames.append(head + ",".join(parts) + tail)
            parts, size = [], len(head) + len(tail)
        parts.append(text)
        size += n
    if parts:
        frames.append(head + ",".join(parts) + tail)
    return frames
