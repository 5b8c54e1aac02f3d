"""Download URLs of attachments in records, signed when a record is read.

A record keeps a stable reference to each uploaded file (its S3 key and the version recorded when the
upload completed) and every read signs a fresh URL that lives minutes, so a URL copied from a
response stops working soon after the reader loses access. Signing is local computation (no request
to S3). Record cells can be written by clients, so a key is signed only when it lies under the
reading table's own prefix for that attachment (`<base>/<table>/<attachment>/...`): a forged key
reaches nothing the reader could not already read.
"""

from __future__ import annotations

from typing import Any

# Long enough to start a download from a page just loaded; short enough that a leaked URL dies soon.
READ_URL_SECONDS = 10 * 60


def _owned(key: Any, table_id: str, attachment_id: Any) -> bool:
    if not isinstance(key, str) or not isinstance(attachment_id, str):
        return False
    parts = key.split("/")
    return len(parts) >= 4 and parts[1] == table_id and parts[2] == attachment_id and ".." not in parts


def signed_entry(item: Any, table_id: str) -> Any:
    """A stored attachment object with fresh short-lived URLs (unchanged when it holds no S3 key)."""
    if not isinstance(item, dict) or "key" not in item:
        return item  # an external URL, or an entry written before keys were kept
    from pybase import storage

    out = dict(item)
    out.pop("url", None)
    if _owned(item["key"], table_id, item.get("id")):
        out["url"] = storage.presign_get(
            item["key"],
            filename=item.get("filename"),
            content_type=item.get("type"),
            expires=READ_URL_SECONDS,
            version_id=item.get("version") if isinstance(item.get("version"), str) else None,
        )
    thumbs = item.get("thumbnails")
    if isinstance(thumbs, list):
        out["thumbnails"] = [_signed_thumbnail(t, table_id, item.get("id")) for t in thumbs]
    return out


def _signed_thumbnail(thumb: Any, table_id: str, attachment_id: Any) -> Any:
    if not isinstance(thumb, dict) or "key" not in thumb:
        return thumb
    out = {k: v for k, v in thumb.items() if k != "url"}
    if _owned(thumb["key"], table_id, attachment_id):
        out["url"] = storage_url(thumb["key"], thumb.get("type"))
    return out


def storage_url(key: str, content_type: Any) -> str:
    from pybase import storage

    return storage.presign_get(
        key, content_type=content_type if isinstance(content_type, str) else None, expires=READ_URL_SECONDS
    )
