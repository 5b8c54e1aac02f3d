"""Posting frames to WebSocket clients through the API Gateway management API.

The endpoint comes from settings (PYBASE_WS_ENDPOINT); inside AWS it may also be derived from the
WebSocket event (https://<domain>/<stage>). A 410 answer means the client is gone: the caller drops the
connection. serverless-offline answers 410 with the error code "410" rather than "GoneException", so
the HTTP status decides.

Delivery to many connections runs on one bounded thread pool per process; each connection's frames go
in order on one worker, so a client never sees events out of order.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from pybase.config import get_settings
from pybase.logs import logger

DELIVERY_THREADS = int(os.environ.get("PYBASE_WS_DELIVERY_THREADS", "16"))


class Gone(Exception):
    """The connection no longer exists (HTTP 410)."""


class Poster(Protocol):
    def post(self, connection_id: str, data: str) -> None: ...


class ManagementApiPoster:
    """post_to_connection through boto3 (imported lazily: only the ws and relay functions need it)."""

    def __init__(self, endpoint_url: str) -> None:
        import boto3
        from botocore.config import Config

        settings = get_settings()
        credentials: dict[str, str] = {}
        if settings.is_local and not os.environ.get("AWS_ACCESS_KEY_ID"):
            # serverless-offline does not check signatures, but botocore will not sign without keys.
            credentials = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
        self.endpoint_url = endpoint_url
        self.client = boto3.session.Session().client(
            "apigatewaymanagementapi",
            endpoint_url=endpoint_url,
            region_name=settings.aws_region,
            config=Config(
                max_pool_connections=DELIVERY_THREADS + 4,
                retries={"max_attempts": 2, "mode": "standard"},
                connect_timeout=2,
                read_timeout=5,
                tcp_keepalive=True,
            ),
            **credentials,
        )

    def post(self, connection_id: str, data: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.post_to_connection(ConnectionId=connection_id, Data=data.encode())
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            code = exc.response.get("Error", {}).get("Code")
            if status == 410 or code in ("GoneException", "410"):
                raise Gone(connection_id) from exc
            raise


_posters: dict[str, ManagementApiPoster] = {}
_posters_lock = threading.Lock()


def endpoint_from_event(domain_name: str | None, stage: str | None) -> str | None:
    """Settings win; in AWS the event's own domain and stage name the management endpoint."""
    configured = get_settings().ws_management_endpoint
    if configured:
        return configured
    if domain_name and stage and domain_name != "localhost":
        return f"https://{domain_name}/{stage}"
    return None


def get_poster(endpoint_url: str | None = None) -> Poster:
    endpoint = endpoint_url or get_settings().ws_management_endpoint
    if not endpoint:
        raise RuntimeError("No WebSocket management endpoint: set PYBASE_WS_ENDPOINT")
    poster = _posters.get(endpoint)
    if poster is None:
        with _posters_lock:
            poster = _posters.get(endpoint)
            if poster is None:
                poster = _posters[endpoint] = ManagementApiPoster(endpoint)
    return poster


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=DELIVERY_THREADS, thread_name_prefix="ws-deliver")
    return _pool


@dataclass
class DeliveryResult:
    sent: int = 0
    gone: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _post_all(poster: Poster, connection_id: str, frames: list[str]) -> tuple[int, str | None, str | None]:
    sent = 0
    for frame in frames:
        try:
            poster.post(connection_id, frame)
        except Gone:
            return sent, "gone", None
        except Exception as exc:  # one client's failure must not stop delivery to the others
            return sent, "failed", f"{type(exc).__name__}: {exc}"[:200]
        sent += 1
    return sent, None, None


def deliver(poster: Poster, frames_by_connection: dict[str, list[str]]) -> DeliveryResult:
    """Post every connection's frames concurrently and wait for all; reports gone connections."""
    result = DeliveryResult()
    items: Iterable[tuple[str, list[str]]] = [(c, f) for c, f in frames_by_connection.items() if f]
    items = list(items)
    if not items:
        return result
    if len(items) == 1:
        outcomes: list[Any] = [_post_all(poster, *items[0])]
    else:
        futures = [_executor().submit(_post_all, poster, cid, frames) for cid, frames in items]
        outcomes = [f.result() for f in futures]
    for (cid, _), (sent, problem, detail) in zip(items, outcomes, strict=True):
        result.sent += sent
        if problem == "gone":
            result.gone.append(cid)
        elif problem == "failed":
            result.failed[cid] = detail or ""
    if result.failed:
        logger.warning("websocket delivery failed", extra={"failed": dict(list(result.failed.items())[:5])})
    return result
