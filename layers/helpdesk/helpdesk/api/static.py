"""The web client, served by the API: ``/`` (no-cache) and ``/assets/<hashed name>`` (immutable).

On first use every file in the static directory gets a content-hashed name (``app.3f9a1c2b.js``);
``index.html`` and the JS modules are rewritten to reference the hashed names, so browsers cache
assets forever and still see every new version at once. No build step: the files are used as written.
Not at start-up: an API cold start that answers JSON does not read and rewrite the client.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from functools import cached_property
from pathlib import Path

from ..domain.dataclass import dataclass

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


@dataclass(frozen=True)
class Site:
    assets: dict[str, Asset]  # hashed name → asset
    pages: dict[str, bytes]  # the HTML pages (served no-cache), referencing the hashed names
    hashed: dict[str, str]  # plain file name → hashed name


class StaticSite:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def assets(self) -> dict[str, Asset]:
        return self._site.assets

    @property
    def pages(self) -> dict[str, bytes]:
        return self._site.pages

    @property
    def hashed(self) -> dict[str, str]:
        return self._site.hashed

    @cached_property
    def _site(self) -> Site:
        site = Site(assets={}, pages={}, hashed={})
        if self.directory.is_dir():
            _load(self.directory, site)
        return site

    def page(self, name: str = "index.html") -> bytes | None:
        return self.pages.get(name)


def _load(directory: Path, site: Site) -> None:
    files = {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}
    # Hash leaf files first, then files that reference them (JS modules import each other).
    pending = {n: b for n, b in files.items() if not n.endswith(".html")}
    for _ in range(len(pending) + 1):
        progressed = False
        for name, body in list(pending.items()):
            refs = [other for other in pending if other != name and other.encode() in body]
            if refs:
                continue
            rewritten = _rewrite(body, site.hashed)
            digest = hashlib.sha256(rewritten).hexdigest()[:10]
            stem, dot, ext = name.rpartition(".")
            hashed = f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"
            site.hashed[name] = hashed
            site.assets[hashed] = Asset(hashed, rewritten, _type(name))
            del pending[name]
            progressed = True
        if not pending or not progressed:
            break
    for name, body in pending.items():  # import cycles: serve unhashed, still correct
        site.hashed[name] = name
        site.assets[name] = Asset(name, _rewrite(body, site.hashed), _type(name))
    for name, body in files.items():
        if name.endswith(".html"):
            site.pages[name] = _rewrite(body, site.hashed)


def _rewrite(body: bytes, hashed_names: dict[str, str]) -> bytes:
    for plain, hashed in sorted(hashed_names.items(), key=lambda kv: -len(kv[0])):
        body = re.sub(rb"(?<![\w.-])" + re.escape(plain.encode()) + rb"(?![\w-])", hashed.encode(), body)
    return body


def _type(name: str) -> str:
    ext = "." + name.rpartition(".")[2]
    return TEXT_TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"
