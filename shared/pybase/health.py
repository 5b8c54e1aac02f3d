"""GET /health: the state of each dependency, so a broken local stack says what is broken."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from pybase.config import get_settings
from pybase.docanswers import DocumentedAnswer

router = APIRouter(tags=["health"])


class DependencyState(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: str = Field(description="`ok` or `error`.")
    detail: str | None = Field(None, description="What failed, or what was checked.")
    ms: float = Field(description="How long the check took.")


class Health(BaseModel):
    status: str = Field(description="`ok`, or `degraded` when a dependency fails.")
    stage: str
    dependencies: dict[str, DependencyState] = Field(description="`database`, `redis`, `s3`, `sqs`.")


_ANSWERS: dict[int | str, dict[str, object]] = {
    200: DocumentedAnswer(Health, "Every dependency answers."),
    503: DocumentedAnswer(Health, "A dependency fails: the same body, with `status: degraded`."),
}


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check()
        state = {"status": "ok"}
        if detail:
            state["detail"] = detail
    except Exception as exc:  # the point of a health check is to report failures, not raise them
        state = {"status": "error", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    state["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return state


def _database() -> None:
    from pybase.db import get_engine

    with get_engine().connect() as conn:
        conn.execute(text("SELECT 1"))


def _redis() -> None:
    import redis

    client = redis.Redis.from_url(get_settings().redis_url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def _s3() -> str:
    import boto3

    settings = get_settings()
    s3 = boto3.client("s3", endpoint_url=settings.aws_endpoint_url, region_name=settings.aws_region)
    s3.head_bucket(Bucket=settings.files_bucket)
    return settings.files_bucket


def _sqs() -> str:
    import boto3

    settings = get_settings()
    sqs = boto3.client("sqs", endpoint_url=settings.aws_endpoint_url, region_name=settings.aws_region)
    return sqs.get_queue_url(QueueName=settings.extract_queue_name)["QueueUrl"]


@router.get("/health", response_model=None, responses=_ANSWERS)
def health() -> JSONResponse:
    """Liveness and readiness: whether the database, Redis, S3 and SQS answer; no credential needed."""
    checks = {"database": _timed(_database), "redis": _timed(_redis), "s3": _timed(_s3), "sqs": _timed(_sqs)}
    healthy = all(check["status"] == "ok" for check in checks.values())
    body = {"status": "ok" if healthy else "degraded", "stage": get_settings().stage, "dependencies": checks}
    return JSONResponse(body, status_code=200 if healthy else 503)
