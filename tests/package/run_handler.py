"""Run one Lambda handler as the python3.12 runtime does: only the function's folder, the layer and a runtime-like
boto3 on ``sys.path``. Started as ``python3.12 -I -S -B run_handler.py SPEC.json`` (no site-packages, writes no .pyc);
the spec names the paths, the event and where to write the result (stdout belongs to the handler's logs).
"""

from __future__ import annotations

import importlib
import json
import sys
import sysconfig
import time
import uuid
from typing import Any


class Context:
    def __init__(self, function_name: str, timeout: float = 60.0) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:eu-central-1:123456789012:function:{function_name}"
        self.memory_limit_in_mb = 1024
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec: dict[str, Any] = json.load(handle)
    sys.path[:0] = spec["paths"]
    started = time.perf_counter()
    module = importlib.import_module(spec.get("module", "app"))
    imported = time.perf_counter() - started
    results = []
    for event in spec["events"]:
        results.append(module.handler(event, Context(spec["function_name"])))
    allowed = [*spec["paths"], sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]]
    outside = sorted(
        f"{name}: {module_file}"
        for name, loaded in list(sys.modules.items())
        if name not in ("__main__", "__mp_main__")  # this script
        and (module_file := getattr(loaded, "__file__", None))
        and not any(module_file.startswith(p) for p in allowed)
    )
    origins = {name: getattr(sys.modules.get(name), "__file__", None) for name in spec.get("origins", [])}
    with open(spec["result_file"], "w", encoding="utf-8") as handle:
        json.dump(
            {
                "python": sys.version.split()[0],
                "import_seconds": imported,
                "results": results,
                "outside": outside,
                "origins": origins,
            },
            handle,
            default=str,
        )


if __name__ == "__main__":
    main()
