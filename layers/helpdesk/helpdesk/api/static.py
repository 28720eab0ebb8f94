"""The web client, served by the API: ``/`` (no-cache) and ``/assets/<hashed name>`` (immutable).

At start-up every file in the static directory gets a content-hashed name (``app.3f9a1c2b.js``);
``index.html`` and the JS modules are rewritten to reference the hashed names, so browsers cache
assets forever and still see every new version at once. No build step: the files are used as written.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

TEXT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
}


@dataclass(frozen=True)
class Asset:
    name: str
    body: bytes
    content_type: str


class StaticSite:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.assets: dict[str, Asset] = {}
        self.pages: dict[str, bytes] = {}
        self.hashed: dict[str, str] = {}
        if directory.is_dir():
            self._load()

    def _load(self) -> None:
        files = {p.name: p.read_bytes() for p in sorted(self.directory.iterdir()) if p.is_file()}
        # Hash leaf files first, then files that reference them (JS modules import each other).
        pending = {n: b for n, b in files.items() if not n.endswith(".html")}
        for _ in range(len(pending) + 1):
            progressed = False
            for name, body in list(pending.items()):
                refs = [other for other in pending if other != name and other.encode() in body]
                if refs:
                    continue
                rewritten = self._rewrite(body)
                digest = hashlib.sha256(rewritten).hexdigest()[:10]
                stem, dot, ext = name.rpartition(".")
                hashed = f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"
                self.hashed[name] = hashed
                self.assets[hashed] = Asset(hashed, rewritten, _type(name))
                del pending[name]
                progressed = True
            if not pending or not progressed:
                break
        for name, body in pending.items():  # import cycles: serve unhashed, still correct
            self.hashed[name] = name
            self.assets[name] = Asset(name, self._rewrite(body), _type(name))
        for name, body in files.items():
            if name.endswith(".html"):
                self.pages[name] = self._rewrite(body)

    def _rewrite(self, body: bytes) -> bytes:
        for plain, hashed in sorted(self.hashed.items(), key=lambda kv: -len(kv[0])):
            body = re.sub(rb"(?<![\w.-])" + re.escape(plain.encode()) + rb"(?![\w-])", hashed.encode(), body)
        return body

    def page(self, name: str = "index.html") -> bytes | None:
        return self.pages.get(name)


def _type(name: str) -> str:
    ext = "." + name.rpartition(".")[2]
    return TEXT_TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"
