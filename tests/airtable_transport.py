"""A requests transport adapter that hands each prepared request to a Lambda handler in-process as an
API Gateway v2 event (tests/lambda_events.http_event), so third-party HTTP clients such as pyairtable
exercise the real handler without a server."""

from __future__ import annotations

import asyncio
import base64
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from tests.lambda_events import LambdaContext, http_event, load_function

LOCAL_URL = "http://airtable.local"


class LambdaAdapter(BaseAdapter):
    def __init__(self, group: str) -> None:
        super().__init__()
        self.group = group
        self.calls: list[tuple[str, str]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        body = request.body
        raw = body if isinstance(body, bytes) else (body.encode() if isinstance(body, str) else None)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "connection")}
        event = http_event(
            request.method or "GET",
            unquote(parts.path),
            headers=headers,
            query=parse_qsl(parts.query, keep_blank_values=True),
            raw_body=raw.decode() if raw is not None else None,
        )
        # API Gateway passes the query string as the client sent it.
        event["rawQueryString"] = parts.query
        self.calls.append((request.method or "GET", request.url or ""))
        try:
            asyncio.get_event_loop()
        except RuntimeError:
            # Clients that send from worker threads (pyairtable's high-volume test): Mangum needs a loop there.
            asyncio.set_event_loop(asyncio.new_event_loop())
        result = load_function(self.group).handler(event, LambdaContext())
        content = result.get("body") or ""
        data = base64.b64decode(content) if result.get("isBase64Encoded") else content.encode()
        response = requests.Response()
        response.status_code = result["statusCode"]
        response.headers = CaseInsensitiveDict(result.get("headers") or {})
        response._content = data
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        response.reason = "OK" if response.status_code < 400 else "Error"
        return response

    def close(self) -> None:
        pass


def pyairtable_api(token: str, group: str = "airtable") -> Any:
    """A pyairtable Api whose requests go to the in-process handler."""
    from pyairtable import Api

    api = Api(token, endpoint_url=LOCAL_URL)
    api.session.mount(LOCAL_URL, LambdaAdapter(group))
    return api
