"""Outbound HTTP to addresses users give us (attachment URLs, webhook notification URLs).

A user-supplied URL must not reach our own network: the check resolves the host and refuses any
private, loopback, link-local (cloud metadata at 169.254.169.254), multicast, reserved or unspecified
address, and the connection then goes to the very address that was checked (no second DNS lookup a
rebinding server could answer differently). Redirects are followed by hand so every hop is checked.

Tests and `make dev` serve files from 127.0.0.1: `PYBASE_NETGUARD_ALLOW` (comma-separated networks,
e.g. `127.0.0.1/32`) lets those through, and is honoured only in local stages off Lambda.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from pybase.config import get_settings

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedURL(ValueError):
    """The URL is refused before any byte is sent: bad scheme, unresolvable or non-public host."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class FetchFailed(Exception):
    """The fetch started but did not give a usable answer (status, size, time, connection)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: IPAddress


@dataclass(frozen=True)
class Response:
    status: int
    url: str
    content_type: str
    headers: dict[str, str]
    body: bytes


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    settings = get_settings()
    raw = settings.netguard_allow
    if not raw or not settings.is_local:
        return []
    return [ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip()]


def is_public(address: IPAddress) -> bool:
    """True when the address is reachable on the public internet and not one of ours."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def address_allowed(address: IPAddress) -> bool:
    return is_public(address) or any(address in network for network in _allowed_networks())


def check_url(url: str) -> Target:
    """Parse and resolve `url`; raise BlockedURL unless every address it resolves to is allowed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedURL("invalid_url", f"Not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedURL("scheme", "Only http and https URLs are allowed")
    host = parts.hostname
    if not host:
        raise BlockedURL("invalid_url", "The URL has no host")
    if parts.username or parts.password:
        raise BlockedURL("invalid_url", "URLs with credentials are not allowed")
    port = port or DEFAULT_PORTS[scheme]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise BlockedURL("unresolvable", f"The host {host!r} cannot be resolved") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise BlockedURL("unresolvable", f"The host {host!r} cannot be resolved")
    # Every answer must pass: a host resolving to one public and one private address is refused.
    for address in addresses:
        if not address_allowed(address):
            raise BlockedURL("private_address", f"The host {host!r} resolves to a non-public address ({address})")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = str(target.address)

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = str(target.address)

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, while the socket goes to the checked address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == DEFAULT_PORTS[target.scheme] else f"{host}:{target.port}"


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int,
    timeout: float,
    follow_redirects: bool = True,
) -> Response:
    """One HTTP request to a user-supplied URL, every hop checked, the answer capped in size and time.

    Raises BlockedURL (before sending) or FetchFailed. Non-2xx answers are returned, not raised.
    """
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = check_url(current)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchFailed("timeout", f"No answer within {timeout:g} s")
        conn_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
        conn = conn_class(target, timeout=remaining)
        try:
            send_headers = {"Host": _host_header(target), "User-Agent": "PyBase", "Accept-Encoding": "identity"}
            send_headers.update(headers or {})
            conn.request(method, target.path, body=body, headers=send_headers)
            answer = conn.getresponse()
            if follow_redirects and answer.status in (301, 302, 303, 307, 308) and answer.getheader("Location"):
                current = urljoin(current, answer.getheader("Location", ""))
                if answer.status == 303 or (answer.status in (301, 302) and method == "POST"):
                    method, body = "GET", None
                continue
            declared = answer.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchFailed("too_large", f"The answer is larger than {max_bytes} bytes")
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise FetchFailed("timeout", f"The answer took longer than {timeout:g} s")
                chunk = answer.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchFailed("too_large", f"The answer is larger than {max_bytes} bytes")
                chunks.append(chunk)
            content_type = (answer.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
            return Response(
                status=answer.status,
                url=current,
                content_type=content_type,
                headers={k.lower(): v for k, v in answer.getheaders()},
                body=b"".join(chunks),
            )
        except TimeoutError:
            raise FetchFailed("timeout", f"No answer within {timeout:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchFailed("connection", f"The request failed: {exc.__class__.__name__}") from None
        finally:
            conn.close()
    raise FetchFailed("redirects", f"More than {MAX_REDIRECTS} redirects")
