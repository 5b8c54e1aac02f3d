"""End-to-end fixtures: the real local stack (serverless offline + LocalStack + the SQS poller).

The session fixture `stack` starts, unless the environment already provides them:
- LocalStack in host mode (when AWS_ENDPOINT_URL is unset), with this session's bucket and queues;
- `serverless offline` (stage `test`) on free ports, its functions using this session's test database
  and Redis (the `database` / `redis_server` fixtures of tests/conftest.py);
- infra/sqs_poller.py feeding the SQS-triggered functions.
Everything it started is stopped at the end. To run the e2e tests against an already running stack,
set PYBASE_E2E_HTTP_URL (and PYBASE_E2E_WS_URL, PYBASE_E2E_LAMBDA_PORT).
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.lambda_events import ROOT


def load_stack_module() -> ModuleType:
    name = "pybase_infra_stack"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "infra" / "stack.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass
class E2EStack:
    http_url: str
    ws_url: str
    aws_endpoint_url: str | None
    lambda_port: int
    files_bucket: str
    extract_queue: str
    probe_queue: str | None = None
    probe_log: Path | None = None
    state: Path | None = None

    def sqs(self) -> Any:
        return load_stack_module().aws_client("sqs", self.aws_endpoint_url)

    def s3(self) -> Any:
        return load_stack_module().aws_client("s3", self.aws_endpoint_url)

    def probe_records(self) -> list[dict[str, Any]]:
        if self.probe_log is None or not self.probe_log.exists():
            return []
        return [json.loads(line) for line in self.probe_log.read_text().splitlines() if line.strip()]

    def logs(self) -> str:
        if self.state is None:
            return ""
        parts = []
        for name in ("offline.log", "poller.log"):
            path = self.state / name
            if path.exists():
                parts.append(f"--- {name} ---\n" + "\n".join(path.read_text(errors="replace").splitlines()[-60:]))
        return "\n".join(parts)


PROBE_VISIBILITY_TIMEOUT = 4  # above the probe function's 3 s timeout, short so retries are quick
PROBE_MAX_RECEIVE_COUNT = 2


@pytest.fixture(scope="session")
def stack(database: str, redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EStack]:
    if os.environ.get("PYBASE_E2E_HTTP_URL"):
        yield E2EStack(
            http_url=os.environ["PYBASE_E2E_HTTP_URL"],
            ws_url=os.environ.get("PYBASE_E2E_WS_URL", "ws://127.0.0.1:3001"),
            aws_endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
            lambda_port=int(os.environ.get("PYBASE_E2E_LAMBDA_PORT", "3002")),
            files_bucket=os.environ.get("PYBASE_FILES_BUCKET", "pybase-files"),
            extract_queue=os.environ.get("PYBASE_EXTRACT_QUEUE", "pybase-extract"),
        )
        return
    mod = load_stack_module()
    state = tmp_path_factory.mktemp("e2e-stack")
    services = mod.Stack()
    try:
        endpoint = os.environ.get("AWS_ENDPOINT_URL") or mod.start_localstack(
            services, state / "localstack", mod.free_port()
        )
        suffix = secrets.token_hex(3)
        probe_log = state / "probe.jsonl"
        probe_log.touch()
        ports = mod.OfflinePorts(http=mod.free_port(), websocket=mod.free_port(), lambda_=mod.free_port())
        names = {
            "PYBASE_FILES_BUCKET": f"pybase-e2e-files-{suffix}",
            "PYBASE_EXTRACT_QUEUE": f"pybase-e2e-extract-{suffix}",
            "PYBASE_PROBE_QUEUE": f"pybase-e2e-probe-{suffix}",
        }
        env = mod.function_env(
            {
                **os.environ,
                **names,
                "DATABASE_URL": database,
                "REDIS_URL": redis_server,
                "AWS_ENDPOINT_URL": endpoint,
                "PYBASE_STAGE": "test",
                "PYBASE_PROBE_LOG": str(probe_log),
                "PYBASE_WS_ENDPOINT": f"http://127.0.0.1:{ports.websocket}",
            }
        )
        config = mod.service_config("test", env)
        config_file = state / "serverless-config.json"
        config_file.write_text(json.dumps(config))
        mod.bootstrap(config, endpoint)
        sqs = mod.aws_client("sqs", endpoint)
        dlq_url = sqs.create_queue(QueueName=names["PYBASE_PROBE_QUEUE"] + "-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(PROBE_MAX_RECEIVE_COUNT)})
        sqs.create_queue(
            QueueName=names["PYBASE_PROBE_QUEUE"],
            Attributes={"VisibilityTimeout": str(PROBE_VISIBILITY_TIMEOUT), "RedrivePolicy": redrive},
        )
        mod.start_offline(services, stage="test", ports=ports, env=env, logfile=state / "offline.log")
        mod.start_poller(
            services,
            stage="test",
            config_file=config_file,
            lambda_port=ports.lambda_,
            env=env,
            logfile=state / "poller.log",
            extra=["--wait-seconds", "1", "--max-backoff", "2"],
        )
        yield E2EStack(
            http_url=f"http://127.0.0.1:{ports.http}",
            ws_url=f"ws://127.0.0.1:{ports.websocket}",
            aws_endpoint_url=endpoint,
            lambda_port=ports.lambda_,
            files_bucket=names["PYBASE_FILES_BUCKET"],
            extract_queue=names["PYBASE_EXTRACT_QUEUE"],
            probe_queue=names["PYBASE_PROBE_QUEUE"],
            probe_log=probe_log,
            state=state,
        )
    finally:
        services.stop()
