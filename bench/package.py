"""Packaged cold start: CPU to import each handler as Lambda's python3.12 runtime would, and the layer's size.

    .venv/bin/python bench/package.py [--runs 7] [--against REV]

Builds the artefacts as `make deploy` does (build/bench-package), then for each handler starts a fresh
``python3.12 -I -S -B`` with only the function's folder, the built layer and a runtime-like boto3 (the venv's
boto3 and botocore, copied and compiled for 3.12 as the runtime ships them) on sys.path, and imports ``app``:
the import a cold start pays before the first event, with Lambda's environment (tracing active, as
template.yaml deploys it). The yardstick is the same interpreter importing bare boto3, run in turn with each
handler (A B A B …): the ratio is the median of the pairs' ratios, so a shared machine's drift does not move
it. Each pair imports at its own stack depth, the pairs' depths spread over one chunk of CPython's frame
stack (``DEEPER``: where the chunks end changes an import's cost by up to a third). Also shown: the layer
without its .pyc (what every cold start compiled before `make deploy` precompiled).
CPU = user + system of the child, which ends with ``os._exit`` once the statement ran: a cold start is
what runs before the first event, and Lambda never runs the interpreter's shutdown (whose collections
would count what a handler froze, helpdesk/aws/coldstart.py, as cheaper). Prints figures; asserts nothing.

``--against REV`` (a commit, a tag, ``HEAD~3``) also builds that revision's artefacts (from a temporary git
worktree, with its own build code) and runs each handler's import in turn with it: the ratio this/REV per
handler, the median of the pairs' ratios, shows a change on a machine whose speed drifts between runs.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk_deploy.build import Artefacts

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "bench-package"
GOALS = {"ingest": 1.5, "api": 2.0}
FIRST_CLIENTS = (
    "from helpdesk.aws import clients; from helpdesk.store import models; "
    "clients.s3(); clients.sesv2(); clients.dynamodb(); "
    "[m._get_connection().connection.client for m in (models.TicketTableItem, models.TicketItem, "
    "models.MessageItem, models.EventItem, models.MetaItem, models.ConfigItem, models.CustomerItem)]"
)
SEPARATE_CLIENTS = (
    "import boto3, botocore.session; "
    "[boto3.session.Session().client(s) for s in ('s3', 'sesv2', 'dynamodb')]; "
    "[botocore.session.get_session().create_client('dynamodb') for _ in range(7)]"
)
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")

# What template.yaml's Globals give every function (values do not matter for an import).
LAMBDA_ENV = {
    "HELPDESK_TICKETS_TABLE": "helpdesk-tickets",
    "HELPDESK_META_TABLE": "helpdesk-meta",
    "HELPDESK_CONFIG_TABLE": "helpdesk-config",
    "HELPDESK_CUSTOMERS_TABLE": "helpdesk-customers",
    "HELPDESK_MAIL_BUCKET": "helpdesk-mail",
    "HELPDESK_EVENT_BUS": "helpdesk-tickets",
    "HELPDESK_MAIL_DOMAIN": "example.com",
    "HELPDESK_USER_POOL_ID": "eu-central-1_example",
    "HELPDESK_USER_POOL_CLIENT_ID": "example",
    "HELPDESK_LINK_SECRET": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Helpdesk",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
    "AWS_REGION": "eu-central-1",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
}


def runtime_like_boto3(target: Path, python312: str) -> Path:
    """The venv's boto3 and botocore (pure Python) with 3.12 bytecode, as /var/runtime has them."""
    import importlib

    from helpdesk_deploy.build import compile_bytecode

    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in RUNTIME_PACKAGES:
        source = Path(str(importlib.import_module(name).__file__))
        if source.name == "__init__.py":
            shutil.copytree(source.parent, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / source.name)
    compile_bytecode(python312, target, "/var/lang/lib/python3.12/site-packages")
    return target


def cpu_of(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


# Where a child runs its statement: below DEPTHS frames of about 1 KB each at most. CPython 3.12 keeps frames
# on a stack of 16 KB chunks and unmaps a chunk as soon as the stack shrinks below it: a loop whose calls
# cross a chunk's end maps and unmaps it on every call (the ingest's imports at one depth: 3,150 mmap/munmap
# pairs of 16 KB, 0.02 s more system time, most in re's parser compiling module-level patterns). Where the
# ends fall depends on the depth of the import, which in Lambda is the runtime's (awslambdaric imports the
# handler from inside its own calls), and changes bare boto3's import as much as a handler's: at 16
# depths 1 KB apart, the ingest's ratio to boto3 ran from 1.13 to 1.50. So each pair runs both A and B at one
# depth, and the pairs' depths spread over a whole chunk.
DEPTHS = 16
DEEPER = (
    f"def _deeper(n, statement):\n    {', '.join(f'_{i}' for i in range(120))} = (None,) * 120\n"
    "    if n:\n        return _deeper(n - 1, statement)\n    exec(statement, {})\n"
)
Child = Callable[[int], list[str]]  # a child's command line, its statement run this many DEEPER frames down


def command(python312: str, paths: list[Path], statement: str) -> Child:
    """``statement`` in a fresh interpreter with ``paths``, which then ends at once (no shutdown)."""

    def at(depth: int) -> list[str]:
        code = (
            f"import sys; sys.path[:0] = {[str(p) for p in paths]!r}; exec({DEEPER!r}); "
            f"_deeper({depth}, {statement!r}); import os; os._exit(0)"
        )
        return [python312, "-I", "-S", "-B", "-c", code]

    return at


def paired(a: Child, b: Child, runs: int, env: dict[str, str]) -> tuple[float, float, float]:
    """A and B in turn, each pair at its own depth (DEPTHS): (median CPU of A, median wall of A, median of the
    pairs' CPU ratios A/B)."""
    cpu_of(a(0), env), cpu_of(b(0), env)  # warm the page cache
    depths = [i * DEPTHS // runs for i in range(runs)]
    pairs = [(cpu_of(a(depth), env), cpu_of(b(depth), env)) for depth in depths]
    return (
        statistics.median(x[0] for x, _ in pairs),
        statistics.median(x[1] for x, _ in pairs),
        statistics.median(x[0] / y[0] for x, y in pairs),
    )


def handler_env(env: dict[str, str], name: str, function: Path) -> dict[str, str]:
    """``env`` with what Lambda sets for the function ``name`` whose code is in ``function``."""
    return env | {
        "POWERTOOLS_SERVICE_NAME": f"helpdesk-{name}",
        "AWS_LAMBDA_FUNCTION_NAME": f"helpdesk-{name}",
        "LAMBDA_TASK_ROOT": str(function),
    }


def build_revision(revision: str, out: Path) -> Path:
    """Build ``revision``'s artefacts into ``out`` with that revision's own build code; their root."""
    tree = OUT.parent / "bench-package-worktree"
    if tree.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    subprocess.run(["git", "worktree", "add", "--detach", "--force", str(tree), revision], cwd=ROOT, check=True)
    try:
        paths = os.pathsep.join(str(tree / p) for p in ("infra/deploy", "layers/helpdesk", "infra/local", "."))
        code = f"from pathlib import Path; from helpdesk_deploy.build import build; build(Path({str(out)!r}))"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": paths}
        subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    return out


def against(revision: str, artefacts: Artefacts, python312: str, runtime: Path, env: dict[str, str], runs: int) -> None:
    from helpdesk_deploy.build import FUNCTIONS

    other = build_revision(revision, OUT.parent / "bench-package-against")
    print(f"\nthis tree against {revision} (each handler's import in turn with {revision}'s build of it):")
    for name in FUNCTIONS:
        theirs = other / "functions" / name
        if not theirs.exists():
            print(f"  {name:<24} not in {revision}")
            continue
        function = artefacts.function_dirs[name]
        mine = command(python312, [function, artefacts.layer_dir / "python", runtime], "import app")
        old = command(python312, [theirs, other / "layer" / "python", runtime], "import app")
        cpu, _, ratio = paired(mine, old, runs, handler_env(env, name, function))
        print(f"  {name:<24} {cpu:6.3f} s CPU   {ratio:.3f}x of {revision}")


def instructions(statement: Child, env: dict[str, str]) -> int:
    """Instructions the child executes (valgrind's callgrind): within 0.3 % from run to run, however busy the
    machine (CPU seconds drift by about 10 %)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out", *statement(0)],
            env=env | {"PYTHONHASHSEED": "0"},  # hashing's seed changes a run's count a little
            capture_output=True,
            text=True,
            check=True,
        )
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count: {out.stderr[-500:]}")
    return int(found.group(1))


def instruction_ratios(artefacts: Artefacts, python312: str, runtime: Path, env: dict[str, str]) -> None:
    """The goals' ratios counted in instructions: CPU seconds on a shared machine drift by 10 % between runs."""
    if shutil.which("valgrind") is None:
        print("\n(no valgrind: the import's instructions are not counted; `apt-get install valgrind` counts them)")
        return
    layer = artefacts.layer_dir / "python"
    bare = instructions(command(python312, [runtime], "import boto3"), env)
    print(f"\ninstructions of the cold import (valgrind's callgrind: within 0.3 % from run to run), boto3 {bare:,}:")
    for name in GOALS:
        function = artefacts.function_dirs[name]
        statement = command(python312, [function, layer, runtime], "import app")
        count = instructions(statement, handler_env(env, name, function))
        print(f"  {name + ' (packaged)':<24} {count:>13,}   ({count / bare:.2f}x) goal <= {GOALS[name]:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", metavar="REV", help="also compare each handler's import with REV's build")
    args = parser.parse_args()

    from helpdesk_deploy.build import FUNCTIONS, build, find_python312

    started = time.monotonic()
    artefacts = build(OUT)
    print(f"built in {time.monotonic() - started:.0f} s ({'; '.join(artefacts.notes)})")
    print(
        f"layer: {artefacts.layer_zipped_bytes / 2**20:.1f} MB zipped (budget 20 MB), "
        f"{artefacts.layer_unzipped_bytes / 2**20:.1f} MB unzipped, {len(artefacts.distributions)} distributions"
    )
    python312 = find_python312()
    if python312 is None:
        print("no Python 3.12 found: cold imports for the runtime cannot be measured here")
        return
    runtime = runtime_like_boto3(OUT / "runtime", python312)
    layer = artefacts.layer_dir / "python"
    no_pyc = OUT / "layer-without-pyc"
    if no_pyc.exists():
        shutil.rmtree(no_pyc)
    shutil.copytree(layer, no_pyc, ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **LAMBDA_ENV}

    print(f"\ncold import under {python312}, median of {args.runs} runs (CPU = user + system; wall)")
    bare = command(python312, [runtime], "import boto3")
    baseline, baseline_wall, _ = paired(bare, command(python312, [], "pass"), args.runs, env)
    print(f"  {'bare import boto3':<24} {baseline:6.3f} s CPU {baseline_wall:6.3f} s wall   (1.00x)")
    for name in FUNCTIONS:
        function = artefacts.function_dirs[name]
        env_fn = handler_env(env, name, function)
        cpu, wall, ratio = paired(command(python312, [function, layer, runtime], "import app"), bare, args.runs, env_fn)
        runs = max(3, args.runs // 2)
        _, _, cold = paired(command(python312, [function, no_pyc, runtime], "import app"), bare, runs, env_fn)
        goal = f"goal <= {GOALS[name]:.1f}x" if name in GOALS else ""
        print(
            f"  {name + ' (packaged)':<24} {cpu:6.3f} s CPU {wall:6.3f} s wall   ({ratio:.2f}x) {goal:<14}"
            f" without .pyc: {cold:.2f}x"
        )
    # Shares of a cold import, after boto3 (which a handler imports first), each paired with bare boto3: the
    # configuration's records (every handler) and the API's models (the API only), both msgspec records.
    for label, module, who in (
        ("config records", "helpdesk.domain.config", "every handler"),
        ("API models", "helpdesk.api.schemas", "the API"),
    ):
        part_cpu, _, part_ratio = paired(
            command(python312, [layer, runtime], f"import boto3; import {module}"), bare, args.runs, env
        )
        share = part_cpu - part_cpu / part_ratio
        print(f"  {label:<24} {share:6.3f} s CPU              (+{part_ratio - 1:.2f}x of {who}'s ratio above)")
    # After the import, a cold start's first event makes its clients: every botocore session parses the
    # models of the services it makes clients for. helpdesk.aws.sessions shares one loader per process; the
    # baseline makes the same clients from a session each, as helpdesk.aws.clients and pynamodb did before.
    function = artefacts.function_dirs["ingest"]
    env_fn = handler_env(env, "ingest", function)
    paths = [function, layer, runtime]
    imported = command(python312, paths, "import app")
    figures = {}
    for label, statement in (("shared loader", FIRST_CLIENTS), ("a session each (before)", SEPARATE_CLIENTS)):
        cpu, _, ratio = paired(command(python312, paths, f"import app; {statement}"), imported, args.runs, env_fn)
        figures[label] = cpu - cpu / ratio  # CPU beyond the import, from the same pairs
    print("\nthe clients a first event makes, after the import (3 boto3 clients, 7 pynamodb model classes):")
    for label, seconds in figures.items():
        print(f"  {label:<24} {seconds:6.3f} s CPU")
    print(f"  ratio                    {figures['shared loader'] / figures['a session each (before)']:.2f}x")
    instruction_ratios(artefacts, python312, runtime, env)
    if args.against:
        against(args.against, artefacts, python312, runtime, env, args.runs)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
