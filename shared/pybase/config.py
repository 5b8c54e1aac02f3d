"""Settings: every environment variable PyBase reads, in one pydantic-settings class.

Read once per process (a Lambda container) and cached by `get_settings()`; tests call
`get_settings.cache_clear()` after changing the environment (the tests' `monkeypatch` fixture does it
on every setenv/delenv). No other module reads `os.environ` for its own settings; the README's
Configuration table lists every field's variable, checked by tests/test_settings_readme.py.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_STAGES = ("local", "test", "dev")
# Signs access tokens in local stages off Lambda only (make dev, the tests); never accepted on Lambda.
DEV_JWT_SECRET = "pybase-local-development-secret-change-me-0123456789"
MIN_SECRET_BYTES = 32
LOCAL_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pybase"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
LAMBDA_NAME_ENV = "AWS_LAMBDA_FUNCTION_NAME"
OFFLINE_ENV = "IS_OFFLINE"


def on_lambda() -> bool:
    """Running on AWS Lambda itself, not in `serverless offline` (which sets IS_OFFLINE) or a test.

    The package's import asks this before building Settings (so importing `pybase` off Lambda never
    fails on settings); it reads the same two variables as `Settings.on_lambda`.
    """
    return bool(os.environ.get(LAMBDA_NAME_ENV)) and not os.environ.get(OFFLINE_ENV)


def _env(name: str, default: Any = None, **kwargs: Any) -> Any:
    """A field read from the variable `name` (the README table's name)."""
    return Field(default, validation_alias=name, **kwargs)


def _deployed(info: ValidationInfo) -> bool:
    return bool(info.data.get("lambda_function_name")) and not info.data.get("is_offline")


class Settings(BaseSettings):
    # Empty variables count as unset (serverless.yml passes "" for optional ones); names are matched
    # exactly, as Lambda and the shell do; fields can be given by name in tests (model_copy, Settings(...)).
    model_config = SettingsConfigDict(
        env_ignore_empty=True, case_sensitive=True, frozen=True, extra="ignore", populate_by_name=True
    )

    # Declared first: the validators of the secret and the URLs below depend on them.
    stage: str = _env("PYBASE_STAGE", "local")
    lambda_function_name: str | None = _env(LAMBDA_NAME_ENV)
    is_offline: bool = _env(OFFLINE_ENV, False)

    database_url: str = _env("DATABASE_URL", validate_default=True)
    # Server-side prepared statements for the per-request access statement (pybase.records.service
    # write_context); off for a connection pooler that cannot keep them (PgBouncer before 1.21 in
    # transaction mode).
    db_prepare: bool = _env("PYBASE_DB_PREPARE", True)
    redis_url: str = _env("REDIS_URL", validate_default=True)
    redis_prefix: str = _env("PYBASE_REDIS_PREFIX", "pybase")
    jwt_secret: str = _env("PYBASE_JWT_SECRET", validate_default=True)
    jwt_audience: str = _env("PYBASE_JWT_AUDIENCE", "pybase-api")
    jwt_issuer: str = _env("PYBASE_JWT_ISSUER", "pybase")
    access_token_ttl: int = _env("PYBASE_ACCESS_TOKEN_TTL", 900)
    refresh_token_ttl: int = _env("PYBASE_REFRESH_TOKEN_TTL", 30 * 24 * 3600)
    aws_region: str = Field("us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))
    aws_endpoint_url: str | None = _env("AWS_ENDPOINT_URL")
    files_bucket: str = _env("PYBASE_FILES_BUCKET", "pybase-files")
    extract_queue_name: str = _env("PYBASE_EXTRACT_QUEUE", "pybase-extract")
    max_upload_bytes: int = _env("PYBASE_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
    ws_management_endpoint: str | None = _env("PYBASE_WS_ENDPOINT")
    search_backend: str = _env("PYBASE_SEARCH_BACKEND", "postgres")
    meilisearch_url: str | None = _env("MEILISEARCH_URL")
    meilisearch_api_key: str | None = _env("MEILISEARCH_API_KEY")
    # SQS queue feeding the `index` function (search documents); its dead-letter queue is `<name>-dlq`.
    index_queue_name: str = _env("PYBASE_INDEX_QUEUE", "pybase-index")
    # SQS queue feeding the `indexbuild` function (expression and trigram indexes of records, built
    # outside requests); its dead-letter queue is `<name>-dlq`.
    index_build_queue_name: str = _env("PYBASE_INDEX_BUILD_QUEUE", "pybase-indexbuild")
    # Tables with at least this many records get indexes for their filters and sorts automatically.
    auto_index_min_rows: int = _env("PYBASE_AUTO_INDEX_MIN_ROWS", 10_000)
    # Anonymous submissions to one public form from one address, per minute (0: no limit).
    form_submissions_per_minute: int = _env("PYBASE_FORM_SUBMISSIONS_PER_MINUTE", 20)
    # Airtable-compatible API requests per second per caller and base (Airtable allows 5; 0: no limit).
    airtable_requests_per_second: int = _env("PYBASE_AIRTABLE_REQUESTS_PER_SECOND", 50)
    # The extract function: its timeout, its queue's visibility timeout and maxReceiveCount (serverless.yml
    # passes them), and its memory (Lambda sets AWS_LAMBDA_FUNCTION_MEMORY_SIZE; 0: unknown, no check).
    extract_timeout: int = _env("PYBASE_EXTRACT_TIMEOUT", 300)
    extract_visibility_timeout: int = _env("PYBASE_EXTRACT_VISIBILITY_TIMEOUT", 1800)
    extract_max_receives: int = _env("PYBASE_EXTRACT_MAX_RECEIVES", 3)
    extract_memory_mb: int = _env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", 0)
    # Queue of the extract function's container image (formats whose libraries do not fit a zip function,
    # IFC): a zip extract function without those libraries forwards such files there. "" locally.
    extract_image_queue_name: str = _env("PYBASE_EXTRACT_IMAGE_QUEUE", "")
    # Queue of URL attachment fetches; unset off Lambda means "fetch before answering" (nothing would
    # read the queue), see pybase.files.fetch.
    attachment_fetch_queue: str | None = _env("PYBASE_ATTACHMENT_FETCH_QUEUE")
    # Webhook notifications: the queue feeding the `webhooks` function (DLQ `<name>-dlq`), how many
    # deliveries of one notification are tried (the queue's maxReceiveCount) and the first retry's delay
    # (doubling after each failure); a notification still failing after the last try disables them.
    webhook_queue_name: str = _env("PYBASE_WEBHOOK_QUEUE", "pybase-webhooks")
    webhook_max_attempts: int = _env("PYBASE_WEBHOOK_MAX_ATTEMPTS", 5)
    webhook_backoff_seconds: int = _env("PYBASE_WEBHOOK_BACKOFF_SECONDS", 30)
    # Comma-separated networks that pybase.netguard lets through although not public (local stages only).
    netguard_allow: str = _env("PYBASE_NETGUARD_ALLOW", "")
    # Realtime: off leaves writes unpublished (events stay in the change log for replay).
    realtime: bool = _env("PYBASE_REALTIME", True)
    # Replay serves a reconnecting client from the change log unless it is this far behind (events or
    # seconds); then it reloads instead (cheaper for both sides than thousands of deltas).
    ws_replay_limit: int = _env("PYBASE_WS_REPLAY_LIMIT", 1000)
    ws_replay_window: int = _env("PYBASE_WS_REPLAY_WINDOW", 24 * 3600)
    # How often the relay reads the change log for events the Redis stream did not bring.
    relay_scan_seconds: float = _env("PYBASE_RELAY_SCAN_SECONDS", 0.5)
    # Posts spend most of their time waiting on the gateway, so more threads than cores pay off.
    ws_delivery_threads: int = _env("PYBASE_WS_DELIVERY_THREADS", 32)
    # Local unsigned endpoints get HTTP/1.1 pipelining (PipelinedPoster); off turns it off.
    ws_pipeline: bool = _env("PYBASE_WS_PIPELINE", True)

    @property
    def on_lambda(self) -> bool:
        """On AWS Lambda itself (not serverless offline): never local, whatever the stage is called."""
        return bool(self.lambda_function_name) and not self.is_offline

    @property
    def is_local(self) -> bool:
        return self.stage in LOCAL_STAGES and not self.on_lambda

    @field_validator("database_url", "redis_url", mode="before")
    @classmethod
    def _required_on_lambda(cls, value: str | None, info: ValidationInfo) -> str:
        # Connection URLs carry credentials and have local defaults; a deployed function needs real ones.
        if value:
            return value
        name = "DATABASE_URL" if info.field_name == "database_url" else "REDIS_URL"
        if _deployed(info):
            raise ValueError(f"{name} must be set on AWS Lambda (see the README's Security section)")
        return LOCAL_DATABASE_URL if name == "DATABASE_URL" else LOCAL_REDIS_URL

    @field_validator("jwt_secret", mode="before")
    @classmethod
    def _real_secret(cls, secret: str | None, info: ValidationInfo) -> str:
        stage, deployed = info.data.get("stage", "local"), _deployed(info)
        if not secret and stage in LOCAL_STAGES and not deployed:
            return DEV_JWT_SECRET
        # Whatever the stage is called, a deployed function must not sign with a guessable key: anyone
        # could forge tokens. Refuse to start instead.
        where = "on AWS Lambda" if deployed else f"in stage {stage!r}"
        if not secret:
            raise ValueError(f"PYBASE_JWT_SECRET must be set {where} (see the README's Security section)")
        if len(secret.encode()) < MIN_SECRET_BYTES or secret == DEV_JWT_SECRET:
            raise ValueError(
                f"PYBASE_JWT_SECRET {where} must be a random secret of at least {MIN_SECRET_BYTES} bytes, "
                "not the development one"
            )
        return secret


def variables() -> dict[str, str]:
    """Field name -> the environment variable(s) it is read from (the README table's names)."""
    names: dict[str, str] = {}
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
        names[name] = " / ".join(str(choice) for choice in choices)
    return names


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # A function must not start on bad settings; say which variable and why, without the input
        # (it may be a secret).
        problems = "; ".join(
            # Our own checks name their variable; pydantic's (a malformed number) get it prefixed.
            error["msg"].removeprefix("Value error, ")
            if error["type"] == "value_error"
            else f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors(include_input=False)
        )
        raise RuntimeError(f"invalid settings: {problems}") from None
