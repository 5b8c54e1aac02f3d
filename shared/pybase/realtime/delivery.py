"""Posting frames to WebSocket clients through the API Gateway management API.

The endpoint comes from settings (PYBASE_WS_ENDPOINT); inside AWS it may also be derived from the
WebSocket event (https://<domain>/<stage>). A 410 answer means the client is gone: the caller drops the
connection. serverless-offline answers 410 with the error code "410" rather than "GoneException", so
the HTTP status decides.

Delivery to many connections runs on one bounded thread pool per process; each connection's frames go
in order on one worker, so a client never sees events out of order.

Two parts are written by hand for speed rather than taken from boto3; `bench/poster_bench.py` measures
what they save (client CPU per post of a 150-byte frame to a local server answering at once). On
2026-12-03, on the 2-core development machine under a load average of 5 and then 11 (other test runs):
- `ManagementApiPoster` (http.client, signed by botocore's SigV4Auth): 260-330 us per post against
  700-1,200 us for boto3's `apigatewaymanagementapi.post_to_connection`, 3-4x less of the GIL per post;
  one thread posted 1,500-2,600/s against boto3's 300-1,200/s;
- `PipelinedPoster` (local unsigned endpoints): 5-6 us per post in one pipelined batch against
  120-180 us for http.client with one request in flight per thread (32 threads), so serverless
  offline's own speed, not ours, sets the local rate.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from pybase.config import get_settings
from pybase.logs import logger


class Gone(Exception):
    """The connection no longer exists (HTTP 410)."""


class Poster(Protocol):
    def post(self, connection_id: str, data: str) -> None: ...

    def close(self, connection_id: str) -> None: ...


class DeliveryError(Exception):
    """The management API refused or failed a post (other than 410)."""


class ManagementApiPoster:
    """POST <endpoint>/@connections/<id>, the management API's PostToConnection, over keep-alive HTTP.

    Plain http.client rather than a boto3 client: a post is one small request, and boto3's per-call
    machinery costs 0.7-1.2 ms of CPU under the GIL (0.26-0.33 ms here, see the module's docstring),
    which capped a relay at about a thousand posts a second. Requests are signed with SigV4 (botocore's
    signer, credentials from the usual chain) except on local stages, where serverless offline does not
    check signatures.
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

    def _headers(self, url: str, body: bytes, method: str = "POST") -> dict[str, str]:
        headers = {"Content-Type": "application/json"} if body else {}
        if self._signer is None:
            return headers
        from botocore.awsrequest import AWSRequest

        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        self._signer.add_auth(request)
        return dict(request.headers.items())

    def _call(self, method: str, connection_id: str, body: bytes) -> int:
        path = f"{self.base_path}/@connections/{quote(connection_id, safe='')}"
        headers = self._headers(f"{self.endpoint_url}/@connections/{quote(connection_id, safe='')}", body, method)
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body or None, headers=headers)
                response = conn.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                # A kept-alive connection the server closed: reconnect once, then give up.
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def post(self, connection_id: str, data: str) -> None:
        status = self._call("POST", connection_id, data.encode())
        if status == 410:
            raise Gone(connection_id)
        if status >= 300:
            raise DeliveryError(f"HTTP {status} posting to {connection_id}")

    def close(self, connection_id: str) -> None:
        """DeleteConnection: the gateway closes the socket (and runs $disconnect). Already gone is fine."""
        status = self._call("DELETE", connection_id, b"")
        if status >= 300 and status not in (404, 410):
            raise DeliveryError(f"HTTP {status} closing {connection_id}")


class PipelinedPoster(ManagementApiPoster):
    """The same API for unsigned plain-HTTP endpoints (serverless offline), posting a whole batch with
    HTTP/1.1 pipelining: every request of a batch is written at once on a few keep-alive sockets and
    the answers are read back in order. Measured against serverless offline on 2 cores: about 3,000
    posts/s against about 1,300-2,000 for 32 threads each waiting on its own request, whose Python work
    per post (http.client, thread hand-offs under the GIL) cost more than the gateway's own.
    A connection's frames stay on one socket in order, so a client still sees events in order.
    Signed (AWS) endpoints keep the thread pool: each request there waits on the network, not the CPU.
    """

    SOCKETS = 4
    IDLE_SECONDS = 4.0  # Node closes idle keep-alive sockets after 5 s: reconnect before that

    def __init__(self, endpoint_url: str) -> None:
        super().__init__(endpoint_url, sign=False)
        self._socks: list[tuple[socket.socket, float] | None] = [None] * self.SOCKETS
        self._batch_lock = threading.Lock()

    def _socket(self, k: int) -> socket.socket:
        entry = self._socks[k]
        if entry is not None and time.monotonic() - entry[1] < self.IDLE_SECONDS:
            return entry[0]
        if entry is not None:
            entry[0].close()
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socks[k] = (sock, time.monotonic())
        return sock

    def _drop(self, k: int) -> None:
        entry = self._socks[k]
        if entry is not None:
            entry[0].close()
        self._socks[k] = None

    def _request(self, connection_id: str, body: bytes) -> bytes:
        path = f"{self.base_path}/@connections/{quote(connection_id, safe='')}"
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
        return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body

    @staticmethod
    def _statuses(sock: socket.socket, count: int) -> list[int]:
        """Read `count` responses (status line, headers, Content-Length body) in order."""
        statuses: list[int] = []
        buf = b""
        while len(statuses) < count:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                chunk = sock.recv(65536)
                if not chunk:
                    break  # closed: the caller re-posts what got no answer
                buf += chunk
                continue
            head = buf[:end].decode("latin-1").lower()
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name == "content-length":
                    length = int(value)
                elif name == "transfer-encoding":
                    raise http.client.HTTPException("chunked answers are not pipelined")
            if len(buf) < end + 4 + length:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
                continue
            statuses.append(int(head.split(" ", 2)[1]))
            buf = buf[end + 4 + length :]
        return statuses

    def post_batch(self, frames_by_connection: dict[str, list[str]]) -> dict[str, tuple[int, str | None]]:
        """Post every frame; per connection: (frames confirmed, None | "gone" | "retry"). "retry": the
        frames after the confirmed ones got no answer or an error; the caller posts them one by one.
        Connections missing from the answer (their socket failed on sending) were not posted at all."""
        with self._batch_lock:  # one batch at a time owns the sockets
            items = list(frames_by_connection.items())
            shares = [items[k :: self.SOCKETS] for k in range(self.SOCKETS)]
            done: dict[str, tuple[int, str | None]] = {}
            sent_on: list[tuple[int, list[tuple[str, int]]]] = []
            bodies: dict[int, bytes] = {}  # every subscriber gets the same frame objects: encode each once

            def body(frame: str) -> bytes:
                data = bodies.get(id(frame))
                if data is None:
                    data = bodies[id(frame)] = frame.encode()
                return data

            for k, share in enumerate(shares):
                if not share:
                    continue
                order = [(cid, len(frames)) for cid, frames in share]
                payload = b"".join(self._request(cid, body(f)) for cid, frames in share for f in frames)
                try:
                    self._socket(k).sendall(payload)
                except OSError:
                    self._drop(k)
                    continue
                sent_on.append((k, order))
            for k, order in sent_on:
                total = sum(n for _, n in order)
                try:
                    statuses = self._statuses(self._socks[k][0], total)  # type: ignore[index]
                except (OSError, ValueError, IndexError, http.client.HTTPException):
                    statuses = []
                if len(statuses) < total:
                    self._drop(k)
                else:
                    self._socks[k] = (self._socks[k][0], time.monotonic())  # type: ignore[index]
                i = 0
                for cid, n in order:
                    mine, i = statuses[i : i + n], i + n
                    ok = 0
                    while ok < len(mine) and mine[ok] < 300:
                        ok += 1
                    if ok < len(mine) and mine[ok] == 410:
                        done[cid] = (ok, "gone")
                    else:
                        # Unanswered or refused from frame `ok` on: the caller posts the rest one by one.
                        done[cid] = (ok, None if ok == n else "retry")
            return done


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
                plain = urlsplit(endpoint).scheme == "http" and get_settings().is_local
                cls = PipelinedPoster if plain and get_settings().ws_pipeline else ManagementApiPoster
                poster = _posters[endpoint] = cls(endpoint)
    return poster


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                # Posts spend most of their time waiting on the gateway, so more threads than cores pay
                # off (measured against serverless offline: 16 threads ~530 posts/s, 32 ~660 on 2 cores).
                threads = get_settings().ws_delivery_threads
                _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ws-deliver")
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
    outcomes: list[Any]
    if isinstance(poster, PipelinedPoster) and len(items) > 1:
        done = poster.post_batch(dict(items))
        outcomes_by_cid = {cid: (sent, problem, None) for cid, (sent, problem) in done.items() if problem != "retry"}
        # What the batch did not confirm goes again one post at a time, in order, from the first
        # unconfirmed frame (a frame the gateway took but did not answer may come twice; clients drop
        # event IDs they already have).
        futures = {
            cid: (
                done.get(cid, (0, None))[0],
                _executor().submit(_post_all, poster, cid, frames[done.get(cid, (0,))[0] :]),
            )
            for cid, frames in items
            if cid not in outcomes_by_cid
        }
        for cid, (confirmed, future) in futures.items():
            sent, problem, detail = future.result()
            outcomes_by_cid[cid] = (confirmed + sent, problem, detail)
        outcomes = [outcomes_by_cid[cid] for cid, _ in items]
    elif len(items) == 1:
        outcomes = [_post_all(poster, *items[0])]
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
