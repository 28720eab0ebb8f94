"""S3: raw mail in, attachments and large bodies out, presigned links for downloads."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import clients

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

# Content types a browser may render inline from our download links; everything else downloads.
INLINE_SAFE = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}


class MailStore:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def get(self, key: str, bucket: str | None = None) -> bytes:
        response = clients.s3().get_object(Bucket=bucket or self.bucket, Key=key)
        return response["Body"].read()

    def stream(self, key: str) -> Any:
        """An object's body to read in chunks (``.read(n)``), never whole in memory."""
        return clients.s3().get_object(Bucket=self.bucket, Key=key)["Body"]

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        clients.s3().put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, ServerSideEncryption="AES256"
        )

    def delete(self, key: str) -> None:
        clients.s3().delete_object(Bucket=self.bucket, Key=key)

    def writer(self, key: str, content_type: str, part_bytes: int = 8 * 1024 * 1024) -> S3Writer:
        """A write-only stream into one object, uploaded in parts as it grows (memory: one part)."""
        return S3Writer(self.bucket, key, content_type, part_bytes)

    def keys(self, prefix: str) -> list[str]:
        """Every object key under ``prefix`` (ListObjectsV2, all pages)."""
        found: list[str] = []
        token: str | None = None
        while True:
            if token:
                page = clients.s3().list_objects_v2(Bucket=self.bucket, Prefix=prefix, ContinuationToken=token)
            else:
                page = clients.s3().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
            found += [str(obj["Key"]) for obj in page.get("Contents", [])]
            token = page.get("NextContinuationToken")
            if not token:
                return found

    def download_url(
        self, key: str, filename: str, content_type: str, *, inline: bool = False, expires: int = 300
    ) -> str:
        """A short-lived link that downloads as an attachment with a safe content type.

        Only a few harmless types may be shown inline (images for ``cid:`` references); HTML, SVG,
        JavaScript and everything else are served as ``application/octet-stream`` attachments, so an
        uploaded file can never run as a page of ours (FreeScout GHSA-56h2-5556-r6mg).
        """
        safe_type = content_type if content_type in INLINE_SAFE else "application/octet-stream"
        disposition = "inline" if inline and safe_type in INLINE_SAFE else "attachment"
        return clients.s3().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": safe_type,
                "ResponseContentDisposition": content_disposition(disposition, filename),
            },
            ExpiresIn=expires,
        )

    def upload_url(self, key: str, content_type: str, max_bytes: int, expires: int = 900) -> tuple[str, dict[str, str]]:
        """A presigned POST (url, form fields) limited to ``max_bytes`` (S3 itself enforces the size)."""
        post = clients.s3().generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[["content-length-range", 1, max_bytes], {"Content-Type": content_type}],
            ExpiresIn=expires,
        )
        return str(post["url"]), {key: str(value) for key, value in post["fields"].items()}

    def size(self, key: str) -> int | None:
        try:
            head = clients.s3().head_object(Bucket=self.bucket, Key=key)
        except clients.s3().exceptions.ClientError:
            return None
        return int(head["ContentLength"])


def ascii_filename(filename: str) -> str:
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"[^\w.\- ]", "_", folded).strip() or "download"
    return folded[:150]


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266 header with an ASCII fallback and the exact UTF-8 name (umlauts survive)."""
    return f"{kind}; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{quote(filename[:200], safe='')}"


class S3Writer(io.RawIOBase):
    """A non-seekable stream that becomes one S3 object: a multipart upload of ``part_bytes`` parts, or a
    single PutObject when it stays smaller than one part. ``close()`` completes it; a writer abandoned
    before (the job ran out of time) leaves an unfinished upload, which the bucket's
    ``AbortIncompleteMultipartUpload`` rule removes after a day."""

    MIN_PART = 5 * 1024 * 1024  # S3's smallest part but the last

    def __init__(self, bucket: str, key: str, content_type: str, part_bytes: int) -> None:
        super().__init__()
        self.bucket, self.key, self.content_type = bucket, key, content_type
        self.part_bytes = max(part_bytes, self.MIN_PART)
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[CompletedPartTypeDef] = []
        self.size = 0
        self.abandoned = False

    def abandon(self) -> None:
        """Stop without creating the object (a half-written ZIP must never be downloadable)."""
        self.abandoned = True
        self.buffer.clear()
        super().close()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data: ReadableBuffer) -> int:
        chunk = memoryview(data).cast("B")
        self.buffer += chunk
        self.size += len(chunk)
        while len(self.buffer) >= self.part_bytes:
            self._upload(bytes(self.buffer[: self.part_bytes]))
            del self.buffer[: self.part_bytes]
        return len(chunk)

    def _upload(self, part: bytes) -> None:
        s3 = clients.s3()
        if self.upload_id is None:
            started = s3.create_multipart_upload(
                Bucket=self.bucket, Key=self.key, ContentType=self.content_type, ServerSideEncryption="AES256"
            )
            self.upload_id = started["UploadId"]
        number = len(self.parts) + 1
        done = s3.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=part)
        self.parts.append({"ETag": done["ETag"], "PartNumber": number})

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self.abandoned:
                return
            if self.upload_id is None:
                clients.s3().put_object(
                    Bucket=self.bucket,
                    Key=self.key,
                    Body=bytes(self.buffer),
                    ContentType=self.content_type,
                    ServerSideEncryption="AES256",
                )
            else:
                if self.buffer:
                    self._upload(bytes(self.buffer))
                clients.s3().complete_multipart_upload(
                    Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": self.parts}
                )
            self.buffer.clear()
        finally:
            super().close()
