"""WebSocket function: API Gateway routes $connect, $disconnect and $default.

Thin: parse the event, call pybase.realtime.service. Replies to $default go out through the management
API (a body returned from $default does not reach the client).
"""

from __future__ import annotations

import contextlib
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayWebSocketEvent

from pybase import jsontext
from pybase.db import is_unavailable, session_scope, unavailable
from pybase.errors import PyBaseError
from pybase.logs import logger
from pybase.realtime import service
from pybase.realtime.delivery import endpoint_from_event, get_poster
from pybase.realtime.schemas import dumps
from pybase.redis_client import get_redis


def _response(status: int, body: str = "") -> dict[str, Any]:
    return {"statusCode": status, "body": body}


def _action_name(body: str | None) -> str | None:
    try:
        message = jsontext.loads(body or "")
    except ValueError:
        return None
    return message.get("action") if isinstance(message, dict) else None


def handler(raw_event: dict[str, Any], context: Any) -> dict[str, Any]:
    event = APIGatewayWebSocketEvent(raw_event)
    ctx = event.request_context
    connection_id = ctx.connection_id
    route = ctx.route_key
    logger.append_keys(connection_id=connection_id, route=route)
    try:
        if route == "$connect":
            token = (event.query_string_parameters or {}).get("token")
            try:
                with session_scope() as session:
                    principal = service.connect(session, get_redis(), connection_id=connection_id, token=token)
            except PyBaseError as exc:
                return _response(exc.status_code, exc.message)
            except Exception as exc:
                # The connection was registered before the commit failed; the handshake is refused,
                # so it must not stay registered.
                with contextlib.suppress(Exception):
                    service.disconnect(get_redis(), None, connection_id=connection_id)
                if is_unavailable(exc):
                    logger.warning("database unavailable", extra={"error": f"{type(exc).__name__}: {exc}"[:500]})
                    return _response(503, unavailable().message)
                logger.exception("websocket connect failed")
                return _response(500)
            logger.info("websocket connected", extra={"user": principal.user_id})
            return _response(200)
        poster = get_poster(endpoint_from_event(ctx.domain_name, ctx.stage))
        if route == "$disconnect":
            service.disconnect(get_redis(), poster, connection_id=connection_id)
            return _response(200)
        try:
            with session_scope() as session:
                service.handle_message(session, get_redis(), poster, connection_id=connection_id, body=event.body)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            logger.warning("database unavailable", extra={"error": f"{type(exc).__name__}: {exc}"[:500]})
            poster.post(connection_id, dumps(service.error_message(unavailable(), _action_name(event.body))))
            return _response(503)
        return _response(200)
    finally:
        logger.remove_keys(["connection_id", "route"])
