"""pginstall command line (Click only)."""

import click

from . import __version__, render as _render


@click.group()
@click.version_option(__version__, prog_name="pginstall")
def main():
    """Install and manage part, partitioning that lives inside PostgreSQL."""


@main.command("render")
@click.option("--mode", type=click.Choice(_render.MODES), default="plain", show_default=True)
def render_cmd(mode):
    """Print the install script (no database needed)."""
    click.echo(_render.render_install(mode), nl=False)
