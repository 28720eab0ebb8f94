"""What the routes need: the process's adapters, built once by the composition root (``bootstrap.py``).

Routes receive them as ``services``: ``settings``, ``config``, ``tickets``, ``mail``, ``mailer``, ``live``,
``verifier`` and ``download_url``."""

from __future__ import annotations

from ..bootstrap import Adapters as Services

__all__ = ["Services"]
