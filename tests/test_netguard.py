"""The outbound address check shared by URL attachments and webhooks, against a real local HTTP server."""

from __future__ import annotations

import http.server
import ipaddress
import threading
from collections.abc import Iterator

import pytest

from pybase import netguard


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path.split("=", 1)[1])
            self.end_headers()
            return
        body = b"x" * 5000 if self.path == "/big" else b"hello"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "224.0.0.1", "0.0.0.0",
     "240.0.0.1", "100.64.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1"],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not netguard.is_public(ipaddress.ip_address(address))
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(netguard.BlockedURL) as exc:
        netguard.check_url(f"http://{host}/x")
    assert exc.value.reason == "private_address"


def test_public_address_passes_and_schemes_are_limited() -> None:
    assert netguard.is_public(ipaddress.ip_address("93.184.216.34"))
    assert netguard.check_url("https://93.184.216.34/a?b=1").path == "/a?b=1"
    for url in ("ftp://93.184.216.34/x", "file:///etc/passwd", "gopher://93.184.216.34/"):
        with pytest.raises(netguard.BlockedURL) as exc:
            netguard.check_url(url)
        assert exc.value.reason == "scheme"
    with pytest.raises(netguard.BlockedURL):
        netguard.check_url("http://user:pw@93.184.216.34/")


def test_localhost_name_is_refused_after_resolution(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYBASE_NETGUARD_ALLOW", raising=False)
    port = server.rsplit(":", 1)[1]
    with pytest.raises(netguard.BlockedURL):
        netguard.request("GET", f"http://localhost:{port}/", max_bytes=100, timeout=5)


def test_allow_list_fetch_size_cap_and_redirect_checks(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYBASE_NETGUARD_ALLOW", "127.0.0.1/32")
    answer = netguard.request("GET", f"{server}/file.txt", max_bytes=100, timeout=5)
    assert (answer.status, answer.body, answer.content_type) == (200, b"hello", "text/plain")
    with pytest.raises(netguard.FetchFailed) as exc:
        netguard.request("GET", f"{server}/big", max_bytes=1000, timeout=5)
    assert exc.value.reason == "too_large"
    # A redirect is checked like the first address: an allowed server cannot send us to the metadata address.
    assert netguard.request("GET", f"{server}/redirect?to=/ok", max_bytes=100, timeout=5).body == b"hello"
    with pytest.raises(netguard.BlockedURL):
        netguard.request("GET", f"{server}/redirect?to=http://169.254.169.254/latest", max_bytes=100, timeout=5)
    with pytest.raises(netguard.BlockedURL):
        netguard.request("GET", f"{server}/redirect?to=http://127.0.0.2:1/", max_bytes=100, timeout=5)
