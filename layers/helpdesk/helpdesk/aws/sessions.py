"""botocore sessions that share one data loader: the service models and endpoint rules parsed once per process.

Each botocore session parses, for every service it makes a client for, that service's model, endpoint
rules and defaults (JSON files of up to a few megabytes). ``helpdesk.aws.clients`` made a session per
client, and pynamodb makes one per model class (one connection each) and thread: a cold start parsed the
DynamoDB model once for every model class its first event touched. Under the Lambda runtime's Python 3.12
with its boto3, eight clients from eight sessions took 0.78–0.92 s CPU, from sessions sharing one loader
0.13–0.19 s (``bench/package.py`` prints the figure for the packaged layer).

Sessions stay separate (pynamodb keeps one per thread because making a client is not thread-safe); only
the loader is shared: a cache of parsed files that botocore reads and does not change.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session

_lock = threading.Lock()
_loader: list[Any] = []  # the process's loader, once a session made it


def session(env_vars: dict[str, Any] | None = None) -> botocore.session.Session:
    """A new botocore session whose data loader is the process's one (``botocore.session.get_session``'s
    signature: pynamodb's connections get theirs from here, see ``helpdesk.store.models``)."""
    made = botocore.session.get_session(env_vars)
    with _lock:
        if _loader:
            made.register_component("data_loader", _loader[0])
        else:  # the first session's own loader (it honours AWS_DATA_PATH) becomes everyone's
            _loader.append(made.get_component("data_loader"))
    return made
