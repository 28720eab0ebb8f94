"""A Lambda cold start imports with the cyclic garbage collector paused, and freezes what it imported.

A handler's import makes 77,000 (ingest) to 110,000 (API) objects the collector tracks: modules, classes,
functions, botocore's and pynamodb's models. They live as long as the process, and the import leaves almost
no garbage (about 400 to 500 unreachable objects). CPython's collector still walks them again and again
while they are made: a young-generation pass every 700 allocations, the older generations as the heap
grows. Paused for the import, with everything made by then moved to the permanent generation
(``gc.freeze``) when it ends, the import costs about 9 % (ingest) to 13 % (API) less CPU
(``bench/package.py``), and no later collection walks these objects again. The import's few
unreachable objects are kept (a full collection to free them would cost more than it saves).

Only on Lambda (``AWS_LAMBDA_FUNCTION_NAME`` set): the local stack and the tests import the handlers into
long-running processes whose other objects must stay collectable.

A handler module calls :func:`importing` before its imports and :func:`imported` at its end.
"""

from __future__ import annotations

import gc
import os


def on_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def importing() -> None:
    """The collector pauses (on Lambda) until :func:`imported`."""
    if on_lambda():
        gc.disable()


def imported() -> None:
    """What exists now lives as long as the process: out of the collector's way, then it runs again."""
    if on_lambda():
        gc.freeze()
        gc.enable()
