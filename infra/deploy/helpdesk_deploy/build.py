"""Build the Lambda artefacts for python3.12 on any machine: no python3.12, no Docker, no `sam build`.

* The layer's dependencies come from pip with ``--platform manylinux… --python-version 3.12
  --implementation cp --only-binary=:all:`` (wheels for the runtime, whatever runs the build), pinned to
  what pip resolves, minus what the runtime already has (boto3, botocore, s3transfer, python-dateutil, six
  and what only they need) and minus Chalice's command-line dependencies: the function imports
  ``chalice.app`` only, which is self-contained (standard library only), so pip, setuptools, inquirer,
  click, PyYAML … stay out.
* Bytecode is compiled for the runtime by a Python 3.12 when one is found (``unchecked-hash`` .pyc, so
  the read-only /opt and /var/task never need a recompile); without one the artefacts ship without .pyc
  and say so (every cold start then compiles in memory).
* Layer and functions are zipped reproducibly (sorted entries, fixed dates); the layer is checked
  against the size budget.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
REQUIREMENTS = ROOT / "layers" / "helpdesk" / "requirements.txt"
PACKAGE = ROOT / "layers" / "helpdesk" / "helpdesk"
FUNCTIONS = {
    "ingest": "IngestFunction",
    "api": "ApiFunction",
    "autoclose": "AutocloseFunction",
    "publisher": "PublisherFunction",
    "feedback": "FeedbackFunction",
    "automation": "AutomationFunction",
    "live": "LiveFunction",  # also LiveFanoutFunction: the template's CodeUri names the folder
}

RUNTIME = "python3.12"
PYTHON_VERSION = "3.12"
# AL2023 (python3.12's OS) has glibc 2.34: manylinux2014 (2.17) wheels first, 2.28 ones where that is all there is.
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
LAYER_BUDGET_ZIPPED = 20 * 1024 * 1024

# The Lambda runtime ships these (with their own dependencies); a layer copy would shadow the runtime's.
# python-dateutil and six come with botocore there; ``holidays`` needs dateutil too and uses the runtime's.
PROVIDED_BY_RUNTIME = {"boto3", "botocore", "s3transfer", "python-dateutil", "six"}
# Distributions whose dependencies the functions never import: Chalice's are its command line's
# (chalice.app, the only module the API imports, needs nothing outside the standard library).
DEPENDENCIES_NOT_NEEDED = {"chalice"}
# Not for Lambda: the command line needs Typer and the local stack.
PACKAGE_EXCLUDES = ("cli.py",)

# The environment markers of the runtime (for `; python_version < "3.13"` and the like).
MARKER_ENVIRONMENT = {
    "implementation_name": "cpython",
    "implementation_version": "3.12.0",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_system": "Linux",
    "platform_version": "",
    "python_full_version": "3.12.0",
    "python_version": "3.12",
    "sys_platform": "linux",
}


class BuildError(RuntimeError):
    pass


@dataclass
class Artefacts:
    out: Path
    layer_dir: Path
    layer_zip: Path
    function_dirs: dict[str, Path]
    function_zips: dict[str, Path]
    distributions: dict[str, str]  # what the layer ships: name -> version
    left_out: dict[str, str]  # resolved by pip but not shipped, with the reason
    python312: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def layer_zipped_bytes(self) -> int:
        return self.layer_zip.stat().st_size

    @property
    def layer_unzipped_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.layer_dir.rglob("*") if p.is_file())


# ------------------------------------------------------------------------------------------ Python 3.12


def _candidates() -> Iterable[str]:
    yield from filter(None, [os.environ.get("HELPDESK_PYTHON312")])
    # pyenv's installed versions before its shims (a shim runs only the versions pyenv selects)
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv"), "/root/.pyenv", "/opt/pyenv"]
    for root in filter(None, roots):
        yield from sorted(glob.glob(f"{root}/versions/3.12*/bin/python3.12"), reverse=True)
    found = shutil.which("python3.12")
    if found:
        yield found
    yield from ("/usr/bin/python3.12", "/usr/local/bin/python3.12")


def find_python312() -> str | None:
    """A Python 3.12 interpreter on this machine (PATH, pyenv's versions, usual places), or None.

    ``HELPDESK_PYTHON312`` names one explicitly; ``HELPDESK_PYTHON312=none`` pretends there is none.
    """
    if os.environ.get("HELPDESK_PYTHON312", "").lower() == "none":
        return None
    seen: set[str] = set()
    for candidate in _candidates():
        if candidate in seen or not os.access(candidate, os.X_OK):
            continue
        seen.add(candidate)
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=20,
                env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0 and probe.stdout.strip() == PYTHON_VERSION:
            return candidate
    return None


# ------------------------------------------------------------------------------------------------- pip


def _pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--no-input"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"pip {' '.join(args[:2])} failed:\n{result.stderr[-4000:]}")


def _platform_args() -> list[str]:
    args = []
    for platform in PLATFORMS:
        args += ["--platform", platform]
    return [*args, "--python-version", PYTHON_VERSION, "--implementation", "cp", "--only-binary=:all:"]


def resolve(requirements: Path, workdir: Path) -> list[dict[str, Any]]:
    """What pip would install for the runtime (its installation report), downloading nothing it has cached."""
    report = workdir / "pip-report.json"
    _pip(
        "install",
        "--dry-run",
        "--ignore-installed",
        "--quiet",
        "--report",
        str(report),
        "--target",
        str(workdir / "unused"),
        *_platform_args(),
        "-r",
        str(requirements),
    )
    items: list[dict[str, Any]] = json.loads(report.read_text())["install"]
    return items


def runtime_closure(
    requirements: Iterable[str], resolved: list[dict[str, Any]]
) -> tuple[dict[str, str], dict[str, str]]:
    """The distributions the functions need at run time: the requirements and what they require, not entering
    what the runtime provides nor the dependencies of ``DEPENDENCIES_NOT_NEEDED``. Returns (keep, left out)."""
    by_name = {canonicalize_name(item["metadata"]["name"]): item for item in resolved}
    keep: dict[str, str] = {}

    def visit(requirement: Requirement) -> None:
        name = canonicalize_name(requirement.name)
        if name in PROVIDED_BY_RUNTIME:
            return
        if name not in by_name:
            raise BuildError(f"pip resolved no {name} (required by the layer)")
        first = name not in keep
        keep[name] = by_name[name]["metadata"]["version"]
        if name in DEPENDENCIES_NOT_NEEDED or (not first and not requirement.extras):
            return
        for line in by_name[name]["metadata"].get("requires_dist", []):
            dependency = Requirement(line)
            if dependency.marker is None or any(
                dependency.marker.evaluate(MARKER_ENVIRONMENT | {"extra": extra})
                for extra in ("", *sorted(requirement.extras))
            ):
                visit(dependency)

    for line in requirements:
        visit(Requirement(line))
    left_out: dict[str, str] = {}
    for name, item in by_name.items():
        if name in keep:
            continue
        reason = "the Lambda runtime has it" if name in PROVIDED_BY_RUNTIME else "only a dependency of what is left out"
        left_out[name] = f"{item['metadata']['version']} ({reason})"
    return keep, left_out


def requirement_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------- build


def _copy_tree(source: Path, target: Path, exclude: Iterable[str] = ()) -> None:
    shutil.copytree(
        source,
        target,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", *exclude),
        dirs_exist_ok=True,
    )


def compile_bytecode(python312: str, directory: Path, runtime_path: str) -> None:
    """.pyc for 3.12, recorded under the path the runtime sees (tracebacks), never checked against the sources."""
    result = subprocess.run(
        [
            python312,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            str(directory),
            "-p",
            runtime_path,
            str(directory),
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
    )
    if result.returncode != 0:
        raise BuildError(f"compileall failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def reproducible_zip(directory: Path, target: Path) -> None:
    entries = sorted(p for p in directory.rglob("*") if p.is_file())
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in entries:
            info = zipfile.ZipInfo(path.relative_to(directory).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            archive.writestr(info, path.read_bytes(), compresslevel=6)


def build(out: Path, *, python312: str | None = None, use_python312: bool = True) -> Artefacts:
    """Layer and functions under ``out`` (emptied first): ``layer/python/…``, ``functions/<name>/…``, zips."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    python312 = python312 or (find_python312() if use_python312 else None)
    layer_dir = out / "layer"
    site = layer_dir / "python"
    site.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="helpdesk-pip-") as work:
        requirements = requirement_lines(REQUIREMENTS)
        keep, left_out = runtime_closure(requirements, resolve(REQUIREMENTS, Path(work)))
        pinned = Path(work) / "pinned.txt"
        pinned.write_text("".join(f"{name}=={version}\n" for name, version in sorted(keep.items())))
        _pip(
            "install",
            "--no-deps",
            "--no-compile",
            "--quiet",
            "--target",
            str(site),
            *_platform_args(),
            "-r",
            str(pinned),
        )
    for cruft in site.glob("bin"):
        shutil.rmtree(cruft)
    _copy_tree(PACKAGE, site / "helpdesk", PACKAGE_EXCLUDES)
    function_dirs = {}
    for name in FUNCTIONS:
        function_dirs[name] = out / "functions" / name
        _copy_tree(ROOT / "functions" / name, function_dirs[name])
    notes = []
    if python312:
        compile_bytecode(python312, site, "/opt/python")
        for directory in function_dirs.values():
            compile_bytecode(python312, directory, "/var/task")
        notes.append(f"bytecode compiled for the runtime by {python312}")
    else:
        notes.append(
            "no Python 3.12 found: the artefacts ship without .pyc, so every cold start compiles the layer "
            "(install one, e.g. `pyenv install 3.12`, or name it in HELPDESK_PYTHON312, and build again)"
        )
    layer_zip = out / "layer.zip"
    reproducible_zip(layer_dir, layer_zip)
    function_zips = {}
    for name, directory in function_dirs.items():
        function_zips[name] = out / f"{name}.zip"
        reproducible_zip(directory, function_zips[name])
    artefacts = Artefacts(out, layer_dir, layer_zip, function_dirs, function_zips, keep, left_out, python312, notes)
    if artefacts.layer_zipped_bytes > LAYER_BUDGET_ZIPPED:
        raise BuildError(
            f"the layer is {artefacts.layer_zipped_bytes / 2**20:.1f} MB zipped, over the "
            f"{LAYER_BUDGET_ZIPPED / 2**20:.0f} MB budget"
        )
    return artefacts
