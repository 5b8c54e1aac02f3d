"""Settings read from environment variables, with safe local defaults.

Read once per process (a Lambda container) and cached; tests call `get_settings.cache_clear()`
after changing the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


LOCAL_STAGES = ("local", "test", "dev")
# Signs access tokens in local stages off Lambda only (make dev, the tests); never accepted on Lambda.
DEV_JWT_SECRET = "pybase-local-development-secret-change-me-0123456789"
MIN_SECRET_BYTES = 32
LOCAL_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pybase"


def on_lambda() -> bool:
    """Running on AWS Lambda itself, not in `serverless offline` (which sets IS_OFFLINE) or a test."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME")) and not os.environ.get("IS_OFFLINE")


def _jwt_secret(stage: str, deployed: bool) -> str:
    secret = _env("PYBASE_JWT_SECRET")
    if secret is None and stage in LOCAL_STAGES and not deployed:
        return DEV_JWT_SECRET
    # Whatever the stage is called, a deployed function must not sign with a guessable key: anyone
    # could forge tokens. Refuse to start instead.
    where = "on AWS Lambda" if deployed else f"in stage {stage!r}"
    if secret is None:
        raise RuntimeError(f"PYBASE_JWT_SECRET must be set {where} (see the README's Security section)")
    if len(secret.encode()) < MIN_SECRET_BYTES or secret == DEV_JWT_SECRET:
        raise RuntimeError(
            f"PYBASE_JWT_SECRET {where} must be a random secret of at least {MIN_SECRET_BYTES} bytes, "
            "not the development one"
        )
    return secret


def _required_on_lambda(name: str, default: str, deployed: bool) -> str:
    """Connection URLs carry credentials and have local defaults; a deployed function needs real ones."""
    value = _env(name)
    if value is None and deployed:
        raise RuntimeError(f"{name} must be set on AWS Lambda (see the README's Security section)")
    return value or default


@dataclass(frozen=True)
class Settings:
    stage: str
    database_url: str
    redis_url: str
    redis_prefix: str
    jwt_secret: str
    jwt_audience: str
    jwt_issuer: str
    access_token_ttl: int
    refresh_token_ttl: int
    aws_region: str
    aws_endpoint_url: str | None
    files_bucket: str
    extract_queue_name: str
    max_upload_bytes: int
    ws_management_endpoint: str | None
    search_backend: str
    meilisearch_url: str | None
    meilisearch_api_key: str | None = None
    # SQS queue feeding the `index` function (search documents); its dead-letter queue is `<name>-dlq`.
    index_queue_name: str = "pybase-index"
    # SQS queue feeding the `indexbuild` function (expression and trigram indexes of records, built
    # outside requests); its dead-letter queue is `<name>-dlq`.
    index_build_queue_name: str = "pybase-indexbuild"
    # Anonymous submissions to one public form from one address, per minute (0: no limit).
    form_submissions_per_minute: int = 20
    # Airtable-compatible API requests per second per caller and base (Airtable allows 5; 0: no limit).
    airtable_requests_per_second: int = 50
    # The extract function: its timeout, its queue's visibility timeout and maxReceiveCount (serverless.yml
    # passes them), and its memory (Lambda sets AWS_LAMBDA_FUNCTION_MEMORY_SIZE; 0: unknown, no check).
    extract_timeout: int = 300
    extract_visibility_timeout: int = 1800
    extract_max_receives: int = 3
    extract_memory_mb: int = 0
    # Queue of the extract function's container image (formats whose libraries do not fit a zip function,
    # IFC): a zip extract function without those libraries forwards such files there. "" locally.
    extract_image_queue_name: str = ""
    # Webhook notifications: the queue feeding the `webhooks` function (DLQ `<name>-dlq`), how many
    # deliveries of one notification are tried (the queue's maxReceiveCount) and the first retry's delay
    # (doubling after each failure); a notification still failing after the last try disables them.
    webhook_queue_name: str = "pybase-webhooks"
    webhook_max_attempts: int = 5
    webhook_backoff_seconds: int = 30

    # On AWS Lambda itself (not serverless offline): never local, whatever the stage is called.
    on_lambda: bool = False

    @property
    def is_local(self) -> bool:
        return self.stage in LOCAL_STAGES and not self.on_lambda


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    stage = _env("PYBASE_STAGE", "local") or "local"
    deployed = on_lambda()
    secret = _jwt_secret(stage, deployed)
    return Settings(
        stage=stage,
        database_url=_required_on_lambda("DATABASE_URL", LOCAL_DATABASE_URL, deployed),
        redis_url=_required_on_lambda("REDIS_URL", "redis://127.0.0.1:6379/0", deployed),
        redis_prefix=_env("PYBASE_REDIS_PREFIX", "pybase") or "pybase",
        jwt_secret=secret,
        jwt_audience=_env("PYBASE_JWT_AUDIENCE", "pybase-api") or "pybase-api",
        jwt_issuer=_env("PYBASE_JWT_ISSUER", "pybase") or "pybase",
        access_token_ttl=int(_env("PYBASE_ACCESS_TOKEN_TTL", "900") or 900),
        refresh_token_ttl=int(_env("PYBASE_REFRESH_TOKEN_TTL", str(30 * 24 * 3600)) or 0),
        aws_region=_env("AWS_REGION", _env("AWS_DEFAULT_REGION", "us-east-1")) or "us-east-1",
        aws_endpoint_url=_env("AWS_ENDPOINT_URL"),
        files_bucket=_env("PYBASE_FILES_BUCKET", "pybase-files") or "pybase-files",
        extract_queue_name=_env("PYBASE_EXTRACT_QUEUE", "pybase-extract") or "pybase-extract",
        max_upload_bytes=int(_env("PYBASE_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024)) or 0),
        ws_management_endpoint=_env("PYBASE_WS_ENDPOINT"),
        search_backend=_env("PYBASE_SEARCH_BACKEND", "postgres") or "postgres",
        meilisearch_url=_env("MEILISEARCH_URL"),
        meilisearch_api_key=_env("MEILISEARCH_API_KEY"),
        index_queue_name=_env("PYBASE_INDEX_QUEUE", "pybase-index") or "pybase-index",
        index_build_queue_name=_env("PYBASE_INDEX_BUILD_QUEUE", "pybase-indexbuild") or "pybase-indexbuild",
        form_submissions_per_minute=int(_env("PYBASE_FORM_SUBMISSIONS_PER_MINUTE", "20") or 0),
        airtable_requests_per_second=int(_env("PYBASE_AIRTABLE_REQUESTS_PER_SECOND", "50") or 0),
        extract_timeout=int(_env("PYBASE_EXTRACT_TIMEOUT", "300") or 300),
        extract_visibility_timeout=int(_env("PYBASE_EXTRACT_VISIBILITY_TIMEOUT", "1800") or 1800),
        extract_max_receives=int(_env("PYBASE_EXTRACT_MAX_RECEIVES", "3") or 3),
        extract_memory_mb=int(_env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "0") or 0),
        extract_image_queue_name=_env("PYBASE_EXTRACT_IMAGE_QUEUE", "") or "",
        webhook_queue_name=_env("PYBASE_WEBHOOK_QUEUE", "pybase-webhooks") or "pybase-webhooks",
        webhook_max_attempts=int(_env("PYBASE_WEBHOOK_MAX_ATTEMPTS", "5") or 5),
        webhook_backoff_seconds=int(_env("PYBASE_WEBHOOK_BACKOFF_SECONDS", "30") or 30),
        on_lambda=deployed,
    )
