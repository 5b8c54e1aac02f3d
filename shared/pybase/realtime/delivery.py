"""Posting frames to WebSocket clients through the API Gateway management API.

The endpoint comes from settings (PYBASE_WS_ENDPOINT); inside AWS it may also be derived from the
WebSocket event (https://<domain>/<stage>). A 410 answer means the client is gone: the caller drops the
connection. serverless-offline answers 410 with the error code "410" rather than "GoneException", so
the HTTP status decides.

Delivery to many connections runs on one bounded thread pool per process; each connection's frames go
in order on one worker, so a client never sees events out of order.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from pybase.config import get_settings
from pybase.logs import logger

# Posts spend most of their time waiting on the gateway, so more threads than cores pay off (measured
# against serverless offline: 16 threads ~530 posts/s, 32 threads ~660 posts/s on 2 cores).
DELIVERY_THREADS = int(os.environ.get("PYBASE_WS_DELIVERY_THREADS", "32"))


class Gone(Exception):
    """The connection no longer exists (HTTP 410)."""


class Poster(Protocol):
    def post(self, connection_id: str, data: str) -> None: ...


class DeliveryError(Exception):
    """The management API refused or failed a post (other than 410)."""


class ManagementApiPoster:
    """POST <endpoint>/@connections/<id>, the management API's PostToConnection, over keep-alive HTTP.

    Plain http.client rather than a boto3 client: a post is one small request, and boto3's per-call
    machinery cost about 1 ms of CPU (under the GIL), which capped a relay at about a thousand posts a
    second. Requests are signed with SigV4 (botocore's signer, credentials from the usual chain)
    except on local stages, where serverless offline does not check signatures.
    """

    def __init__(self, endpoint_url: str, *, sign: bool | None = None) -> None:
        settings = get_settings()
        parts = urlsplit(endpoint_url)
        self.endpoint_url = endpoint_url.rstrip("/")
        self.secure = parts.scheme == "https"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (443 if self.secure else 80)
        self.base_path = parts.path.rstrip("/")
        self.timeout = 5.0
        self._local = threading.local()
        self._signer: Any = None
        if sign is None:
            sign = not settings.is_local
        if sign:
            import boto3
            from botocore.auth import SigV4Auth

            credentials = boto3.session.Session().get_credentials()
            if credentials is None:
                raise RuntimeError("No AWS credentials to sign management API calls")
            self._signer = SigV4Auth(credentials, "execute-api", settings.aws_region)

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self.secure else http.client.HTTPConnection
            conn = cls(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _headers(self, url: str, body: bytes) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self._signer is None:
            return headers
        from botocore.awsrequest import AWSRequest

        request = AWSRequest(method="POST", url=url, data=body, headers=headers)
        self._signer.add_auth(request)
        return dict(request.headers.items())

    def post(self, connection_id: str, data: str) -> None:
        path = f"{self.base_path}/@connections/{quote(connection_id, safe='')}"
        body = data.encode()
        headers = self._headers(f"{self.endpoint_url}/@connections/{quote(connection_id, safe='')}", body)
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                break
            except (OSError, http.client.HTTPException):
                # A kept-alive connection the server closed: reconnect once, then give up.
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        if response.status == 410:
            raise Gone(connection_id)
        if response.status >= 300:
            raise DeliveryError(f"HTTP {response.status} posting to {connection_id}")


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


RETRY_DELAYS = (0.1, 0.5, 2.0)  # a busy or restarting gateway gets a few chances before a frame is lost


def _post_all(poster: Poster, connection_id: str, frames: list[str]) -> tuple[int, str | None, str | None]:
    sent = 0
    for frame in frames:
        for delay in (*RETRY_DELAYS, None):
            try:
                poster.post(connection_id, frame)
                break
            except Gone:
                return sent, "gone", None
            except Exception as exc:  # one client's failure must not stop delivery to the others
                if delay is None:
                    return sent, "failed", f"{type(exc).__name__}: {exc}"[:200]
                time.sleep(delay)
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
