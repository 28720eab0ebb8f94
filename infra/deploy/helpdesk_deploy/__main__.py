"""`python -m helpdesk_deploy [--dry-run | --setup-only] [--config deploy.toml] [--out build/deploy]`.

`make deploy` runs it; `make deploy-setup` runs only the set-up step against the deployed stack."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import LAYER_BUDGET_ZIPPED, ROOT, BuildError, build
from .deploy import (
    DEFAULT_CONFIG,
    EXAMPLE_CONFIG,
    Config,
    ConfigError,
    check_config,
    deploy_template,
    describe_command,
    execute,
    load_config,
    load_template,
    next_steps,
    plan,
    stack_outputs,
    validate_offline,
)
from .setup import SetupOptions, finish


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make deploy", description=__doc__)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="stack, region, parameters (deploy.toml)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "deploy", help="where the artefacts go")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="build, check and show the AWS commands, then stop before the first one that needs credentials",
    )
    parser.add_argument(
        "--setup-only",
        action="store_true",
        help="no build, no deploy: check SES and finish the set-up of the deployed stack (first admin, mailbox)",
    )
    parser.add_argument("--no-setup", action="store_true", help="deploy, but leave the set-up step out")
    parser.add_argument("--no-pyc", action="store_true", help="do not look for a Python 3.12 to precompile with")
    args = parser.parse_args(argv)

    config_path: Path = args.config
    if not config_path.exists():
        if not args.dry_run:
            print(
                f"{config_path} is missing: copy {EXAMPLE_CONFIG.relative_to(ROOT)} to deploy.toml and fill in "
                "stack name, region and the parameters (MailDomain at least)",
                file=sys.stderr,
            )
            return 2
        print(f"(dry run without {config_path.name}: using the example values of {EXAMPLE_CONFIG.relative_to(ROOT)})")
        config_path = EXAMPLE_CONFIG
    try:
        config = load_config(config_path)
        template = load_template()
        problems = check_config(config, template)
        try:
            options = SetupOptions.from_toml(config.setup)
        except (TypeError, ValueError) as exc:
            problems.append(str(exc))
        if problems:
            print(f"{config_path}:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 2
        domain = config.parameters.get("MailDomain", "")
        if args.setup_only:
            return _setup(stack_outputs(describe_command(config)), config, domain, options)
        started = time.monotonic()
        artefacts = build(args.out, use_python312=not args.no_pyc)
        built = deploy_template(artefacts, template)
        print(f"built in {time.monotonic() - started:.1f} s into {artefacts.out}")
        print(
            f"  layer: {artefacts.layer_zipped_bytes / 2**20:.1f} MB zipped "
            f"(budget {LAYER_BUDGET_ZIPPED / 2**20:.0f} MB), {artefacts.layer_unzipped_bytes / 2**20:.1f} MB unzipped"
        )
        print("  ships: " + ", ".join(f"{n} {v}" for n, v in sorted(artefacts.distributions.items())))
        print("  left out: " + ", ".join(f"{n} {v}" for n, v in sorted(artefacts.left_out.items())))
        for note in artefacts.notes:
            print(f"  {note}")
        print(f"  {validate_offline(built, config)}")
        steps = plan(config, artefacts, built)
        if args.dry_run:
            print(f"dry run: stack {config.stack_name} in {config.region}; a deploy would now run:\n{steps.show()}")
            if not args.no_setup:
                print(f"then the set-up step: {_setup_preview(domain, options)}")
            print("stopped before the first command that needs AWS credentials")
            return 0
        outputs = execute(config, steps)
    except (BuildError, ConfigError, FileNotFoundError) as exc:
        print(f"deploy failed: {exc}", file=sys.stderr)
        return 1
    print("deployed: " + ", ".join(f"{k}={v}" for k, v in sorted(outputs.items())))
    if args.no_setup:
        print(next_steps(config, outputs))
        return 0
    return _setup(outputs, config, domain, options)


def _setup_preview(domain: str, options: SetupOptions) -> str:
    admin = f"{options.admin_username} <{options.admin_email}>" if options.admin_email else "none named in [setup]"
    mailbox = options.mailbox or f"support@{domain.split(',')[0].strip().lower()}"
    return (
        "check SES (identity, DKIM, sandbox, receipt rule set; activate ours when none is active), "
        f"create the first admin if there is none ({admin}) and the first mailbox if there is none ({mailbox})"
    )


def _setup(outputs: dict[str, str], config: Config, domain: str, options: SetupOptions) -> int:
    print("set-up (safe to repeat: `make deploy-setup`):")
    try:
        finish(outputs, config.region, domain, options)
    except Exception as exc:
        print(f"set-up stopped: {type(exc).__name__}: {exc}; run `make deploy-setup` once it is fixed", file=sys.stderr)
        return 1
    print(next_steps(config, outputs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
