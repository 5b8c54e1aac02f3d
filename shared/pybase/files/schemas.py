"""Request and response bodies of the upload and file routes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class UploadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    table_id: str = Field(max_length=40)
    record_id: str = Field(max_length=40)
    field_id: str = Field(max_length=40)
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=127)
    size: int = Field(ge=0)


class FileKindOut(BaseModel):
    extension: str
    content_type: str
    accepted: list[str]
    extracted: bool


class UploadLimits(BaseModel):
    """What POST /uploads accepts, so clients refuse a file before uploading it."""

    max_bytes: int
    kinds: list[FileKindOut]


class UploadTarget(BaseModel):
    method: str
    url: str
    headers: dict[str, str]
    expires_in: int


class UploadOut(BaseModel):
    attachment_id: str
    key: str
    upload: UploadTarget
    max_bytes: int


class Thumbnail(BaseModel):
    url: str
    type: str
    width: int | None = None
    height: int | None = None


class AttachmentOut(BaseModel):
    id: str
    table_id: str
    record_id: str
    field_id: str
    filename: str
    type: str
    size: int | None
    status: str
    url: str | None = None
    thumbnails: list[Thumbnail] = Field(default_factory=list)
    job_id: str | None = None
    record: dict[str, Any] | None = None


class FileUrl(BaseModel):
    id: str
    url: str
    filename: str
    type: str
    expires_in: int
