"""Render the SQL of `part` from templates/ (Jinja only, no database).

The templates are the source of truth: one SQL object per file under
templates/{tables,functions,procedures,views,data}/, joined in that order by
templates/install.sql.j2. The same objects render for both install modes:

* ``extension``: the body of ``part--X.Y.Z.sql`` run by CREATE EXTENSION;
* ``plain``: a script for servers without file access (creates the schema and
  records the version in part.settings).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import jinja2

from . import __version__

VERSION = __version__
SCHEMA = "part"
SECTIONS = ("tables", "functions", "procedures", "views", "data")
MODES = ("extension", "plain")


def templates_dir() -> Path:
    """Where the templates live: $PGINSTALL_TEMPLATES or the repository's templates/."""
    env = os.environ.get("PGINSTALL_TEMPLATES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "templates"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["section_files"] = section_files
    return env


def section_files(section: str) -> list[str]:
    """Template names of one section, in file-name order."""
    root = templates_dir()
    return sorted(
        p.relative_to(root).as_posix()
        for p in (root / section).glob("*.sql")
    )


def _context(mode: str, version: str) -> dict:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    return {"mode": mode, "version": version, "schema": SCHEMA, "sections": SECTIONS}


def render_install(mode: str = "plain", version: str = VERSION) -> str:
    """The whole install script of `version` for `mode`."""
    if version != VERSION:
        raise ValueError(
            f"this pginstall renders version {VERSION} only; install pginstall {version} to render it"
        )
    return _environment().get_template("install.sql.j2").render(**_context(mode, version))


def render_control(version: str = VERSION) -> str:
    return _environment().get_template("part.control.j2").render(version=version, schema=SCHEMA)


_UPDATE = re.compile(r"part--(?P<old>[0-9.]+)--(?P<new>[0-9.]+)\.sql\.j2$")


def _vkey(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def update_scripts() -> list[tuple[str, str, str]]:
    """(from, to, template name) of every update script, oldest first."""
    found = []
    for p in (templates_dir() / "updates").glob("part--*--*.sql.j2"):
        m = _UPDATE.match(p.name)
        if m:
            found.append((m["old"], m["new"], f"updates/{p.name}"))
    return sorted(found, key=lambda t: _vkey(t[0]))


def update_chain(installed: str, target: str = VERSION) -> list[tuple[str, str, str]]:
    """The update scripts that take `installed` to `target`, in order."""
    chain, current = [], installed
    steps = {old: (old, new, name) for old, new, name in update_scripts()}
    while current != target:
        if current not in steps:
            raise ValueError(f"no update path from part {installed} to {target}")
        step = steps[current]
        chain.append(step)
        current = step[1]
    return chain


def render_update(name: str, mode: str) -> str:
    old, new = _UPDATE.match(Path(name).name).group("old", "new")
    return _environment().get_template(name).render(**_context(mode, new), old_version=old)


def render_extension_files() -> dict[str, str]:
    """File name -> content of everything extension/ must hold."""
    files = {
        "part.control": render_control(),
        f"part--{VERSION}.sql": render_install("extension"),
    }
    for old, new, name in update_scripts():
        files[f"part--{old}--{new}.sql"] = render_update(name, "extension")
    return files


def write_extension_dir(target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for fname, text in render_extension_files().items():
        path = target / fname
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        written.append(path)
    return written


if __name__ == "__main__":  # python -m pginstall.render DIR (used by the Makefile)
    import sys

    for p in write_extension_dir(Path(sys.argv[1] if len(sys.argv) > 1 else "extension")):
        print(p)
