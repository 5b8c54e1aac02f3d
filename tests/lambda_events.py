"""Build API Gateway HTTP API (payload v2) events and call Lambda handlers in-process, as Lambda would."""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def load_function(group: str) -> ModuleType:
    """Import functions/<group>/handler.py the way the Lambda runtime does (a top-level module)."""
    name = f"pybase_function_{group}"
    if name in sys.modules:
        return sys.modules[name]
    path = ROOT / "functions" / group / "handler.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class LambdaContext:
    function_name = "pybase-local"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:pybase-local"
    memory_limit_in_mb = 512

    def __init__(self) -> None:
        self.aws_request_id = uuid.uuid4().hex

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def http_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: dict[str, Any] | list[tuple[str, Any]] | None = None,
    raw_body: bytes | str | None = None,
) -> dict[str, Any]:
    hdrs = {"host": "localhost", "user-agent": "pytest"}
    hdrs.update({k.lower(): v for k, v in (headers or {}).items()})
    encoded = False
    text: str | None = None
    if raw_body is not None:
        if isinstance(raw_body, bytes):
            text = base64.b64encode(raw_body).decode()
            encoded = True
        else:
            text = raw_body
    elif body is not None:
        text = json.dumps(body)
        hdrs.setdefault("content-type", "application/json")
    pairs = list(query.items()) if isinstance(query, dict) else list(query or [])
    raw_query = urlencode([(k, v) for k, v in pairs], doseq=False)
    query_params: dict[str, str] = {}
    for key, value in pairs:
        query_params[key] = f"{query_params[key]},{value}" if key in query_params else str(value)
    request_id = uuid.uuid4().hex
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": hdrs,
        "queryStringParameters": query_params or None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "pytest",
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str
    _json: Any = field(default=None, repr=False)

    def json(self) -> Any:
        if self._json is None:
            self._json = json.loads(self.text) if self.text else None
        return self._json


def invoke(group: str, method: str, path: str, **kwargs: Any) -> Response:
    module = load_function(group)
    result = module.handler(http_event(method, path, **kwargs), LambdaContext())
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return Response(status=result["statusCode"], headers=headers, text=body)
