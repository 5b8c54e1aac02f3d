"""WebSocket function: API Gateway routes $connect, $disconnect and $default.

Thin: parse the event, call pybase.realtime.service. Replies to $default go out through the management
API (a body returned from $default does not reach the client).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayWebSocketEvent

from pybase.db import session_scope
from pybase.errors import PyBaseError
from pybase.logs import logger
from pybase.realtime import service
from pybase.realtime.delivery import endpoint_from_event, get_poster
from pybase.redis_client import get_redis


def _response(status: int, body: str = "") -> dict[str, Any]:
    return {"statusCode": status, "body": body}


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
            logger.info("websocket connected", extra={"user": principal.user_id})
            return _response(200)
        poster = get_poster(endpoint_from_event(ctx.domain_name, ctx.stage))
        if route == "$disconnect":
            service.disconnect(get_redis(), poster, connection_id=connection_id)
            return _response(200)
        with session_scope() as session:
            service.handle_message(session, get_redis(), poster, connection_id=connection_id, body=event.body)
        return _response(200)
    finally:
        logger.remove_keys(["connection_id", "route"])
