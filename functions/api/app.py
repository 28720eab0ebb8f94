"""API Lambda: the Chalice app behind API Gateway's ``/{proxy+}`` resource (SAM ``Handler: app.handler``)."""

from __future__ import annotations

from pathlib import Path

from helpdesk.api.app import create_app
from helpdesk.api.gateway import ProxyAdapter

app = create_app(static_dir=Path(__file__).parent / "static")
handler = ProxyAdapter(app)
