"""The ``reporting`` command: the stable operator interface (others script against it).

Each command group lives in its own module; this root only assembles them. Nothing imports ``cli``.
"""

from __future__ import annotations

import sys

import click

from reporting.cli.audit import audit_cli
from reporting.cli.backup import backup, restore
from reporting.cli.demo import demo
from reporting.cli.instance import db, init, serve
from reporting.cli.keys import keys_cli
from reporting.cli.offices import offices_cli
from reporting.cli.retention import retention_cli
from reporting.cli.staff import staff_cli
from reporting.cli.stats import stats
from reporting.config.files import restrict_new_files
from reporting.config.secrets import InstanceNotInitialisedError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Anonymous reporting of discrimination: operator commands."""


COMMANDS = (init, serve, db, backup, restore, keys_cli, staff_cli, audit_cli, retention_cli, stats, demo, offices_cli)
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    restrict_new_files()
    try:
        cli(standalone_mode=True)
    except InstanceNotInitialisedError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
