"""S3 and SQS access: lazy boto3 clients built from settings (AWS_ENDPOINT_URL points at LocalStack locally).

boto3 is imported on first use only, so API functions that never touch S3 never pay its import.
Clients are cached per process (a Lambda container) and per endpoint; `reset_clients()` drops them
after tests change the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pybase.config import get_settings

PRESIGN_PUT_SECONDS = 15 * 60
# SigV4 presigned URLs live at most 7 days.
PRESIGN_GET_SECONDS = 7 * 24 * 3600


class StorageError(Exception):
    """S3/SQS could not be reached or answered with a server-side error (worth retrying)."""


class ObjectMissing(StorageError):
    """The object does not exist (never retried: it will not appear by itself)."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str
    content_type: str | None
    version_id: str | None = None  # None when the bucket does not keep versions


@lru_cache(maxsize=8)
def _client(service: str, endpoint: str | None, region: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        signature_version="s3v4",
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=3,
        read_timeout=30,
        # LocalStack (and any custom endpoint) is addressed by path: bucket host names do not resolve.
        s3={"addressing_style": "path" if endpoint else "auto"},
    )
    return boto3.session.Session().client(service, endpoint_url=endpoint, region_name=region, config=config)


def s3() -> Any:
    settings = get_settings()
    return _client("s3", settings.aws_endpoint_url, settings.aws_region)


def sqs() -> Any:
    settings = get_settings()
    return _client("sqs", settings.aws_endpoint_url, settings.aws_region)


def reset_clients() -> None:
    _client.cache_clear()
    queue_url.cache_clear()


def bucket() -> str:
    return get_settings().files_bucket


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def presign_put(key: str, *, content_type: str, expires: int = PRESIGN_PUT_SECONDS) -> str:
    """A URL the client PUTs the file to; the Content-Type header it sends must match."""
    return str(
        s3().generate_presigned_url(
            "put_object",
            Params={"Bucket": bucket(), "Key": key, "ContentType": content_type},
            ExpiresIn=expires,
            HttpMethod="PUT",
        )
    )


def presign_get(
    key: str,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    expires: int = PRESIGN_GET_SECONDS,
    version_id: str | None = None,
) -> str:
    """A download URL; with `version_id`, for that version only (a later PUT to the key changes nothing).
    Signing is local computation: no request to S3."""
    params: dict[str, Any] = {"Bucket": bucket(), "Key": key}
    if version_id:
        params["VersionId"] = version_id
    if filename:
        # Always a download: an uploaded SVG or HTML must never render in the API's origin.
        params["ResponseContentDisposition"] = content_disposition(filename)
    if content_type:
        params["ResponseContentType"] = content_type
    return str(s3().generate_presigned_url("get_object", Params=params, ExpiresIn=expires))


def content_disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def head(key: str) -> ObjectInfo:
    try:
        response = s3().head_object(Bucket=bucket(), Key=key)
    except Exception as exc:
        if _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
            raise ObjectMissing(f"s3://{bucket()}/{key} does not exist") from None
        raise StorageError(f"HEAD s3://{bucket()}/{key} failed: {exc}") from exc
    return ObjectInfo(
        key=key,
        size=int(response["ContentLength"]),
        etag=str(response.get("ETag", "")).strip('"'),
        content_type=response.get("ContentType"),
        version_id=_version(response.get("VersionId")),
    )


def _version(value: Any) -> str | None:
    # S3 answers "null" for objects written while versioning was off.
    return str(value) if value and value != "null" else None


def get_bytes(key: str, *, etag: str | None = None, version_id: str | None = None) -> bytes:
    """The object's content; with `etag`, only that version (a later overwrite raises ObjectMissing);
    with `version_id` (versioned buckets), that version even after an overwrite."""
    params: dict[str, Any] = {"Bucket": bucket(), "Key": key}
    if etag:
        params["IfMatch"] = etag
    if version_id:
        params["VersionId"] = version_id
    try:
        response = s3().get_object(**params)
        return bytes(response["Body"].read())
    except Exception as exc:
        code = _error_code(exc)
        if code in ("404", "NoSuchKey", "NotFound"):
            raise ObjectMissing(f"s3://{bucket()}/{key} does not exist") from None
        if code in ("412", "PreconditionFailed"):
            raise ObjectMissing(f"s3://{bucket()}/{key} was replaced by a newer version") from None
        raise StorageError(f"GET s3://{bucket()}/{key} failed: {exc}") from exc


def put_bytes(key: str, data: bytes, *, content_type: str) -> str:
    try:
        response = s3().put_object(Bucket=bucket(), Key=key, Body=data, ContentType=content_type)
    except Exception as exc:
        raise StorageError(f"PUT s3://{bucket()}/{key} failed: {exc}") from exc
    return str(response.get("ETag", "")).strip('"')


def delete(key: str) -> None:
    try:
        s3().delete_object(Bucket=bucket(), Key=key)
    except Exception as exc:
        raise StorageError(f"DELETE s3://{bucket()}/{key} failed: {exc}") from exc


@lru_cache(maxsize=8)
def queue_url(name: str | None = None) -> str:
    return str(sqs().get_queue_url(QueueName=name or get_settings().extract_queue_name)["QueueUrl"])
