"""Render the SQL of `part` from templates/ (Jinja only, no database).

The templates are the source of truth: one SQL object per file, in folders by
capability (templates/lib/, settings/, core/, maintenance/, migration/, sync/,
monitor/), joined by the ordered lists of templates/install.sql.j2 (tables,
routines, views, data). The same objects render for both install modes:

* ``extension``: the body of ``part--X.Y.Z.sql`` run by CREATE EXTENSION;
* ``plain``: a script for servers without file access (creates the schema and
  records the version in part.settings).

Upgrades: every released install script is kept verbatim in
templates/released/ (``part--X.Y.Z.sql`` for extension mode,
``part--X.Y.Z.plain.sql`` for plain mode), so an older version can still be
installed. The update to the current version is
``templates/updates/part--OLD--NEW.sql.j2``: its hand-written table changes,
then templates/updates/_routines.sql.j2, which drops part's views, routines and
the triggers on its tables and recreates them from the current templates (so a
change to a function needs no update step of its own), then regenerates the
sync of every active migration. Older steps of the chain, once released, are
frozen in templates/released/ as ``part--A--B.sql`` / ``part--A--B.plain.sql``
and used as they are.
"""

from __future__ import annotations

import os
import re
import importlib.util
from pathlib import Path

import jinja2

from . import __version__
from .errors import RenderError

VERSION = __version__
SCHEMA = "part"
MODES = ("extension", "plain")


def templates_dir() -> Path:
    """Where the templates live: $PGINSTALL_TEMPLATES, else the package's data
    (``pginstall._templates``: the repository's templates/ shipped inside the wheel,
    see pyproject.toml), else the templates/ of the checkout this file is in."""
    env = os.environ.get("PGINSTALL_TEMPLATES")
    if env:
        return Path(env)
    try:
        spec = importlib.util.find_spec("pginstall._templates")
    except ImportError:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "install.sql.j2").is_file():
            return Path(location)
    return Path(__file__).resolve().parents[2] / "templates"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _render(name: str, **context) -> str:
    """Render one template; a Jinja problem is a RenderError (one line: the template, the line, the problem)."""
    try:
        return _environment().get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as e:
        raise RenderError(f"template {e.name or name}, line {e.lineno}: {e.message}") from None
    except jinja2.TemplateNotFound as e:
        raise RenderError(f"template {e.name} not found in {templates_dir()}") from None
    except jinja2.TemplateError as e:
        raise RenderError(f"template {name}: {e.message or e.__class__.__name__}") from None


def _context(mode: str, version: str) -> dict:
    if mode not in MODES:
        raise RenderError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    return {"mode": mode, "version": version, "schema": SCHEMA}


def _released_name(stem: str, mode: str) -> str:
    return f"part--{stem}.sql" if mode == "extension" else f"part--{stem}.plain.sql"


def released_versions() -> list[str]:
    """Versions whose install script is kept in templates/released/, oldest first."""
    found = {m[1] for p in (templates_dir() / "released").glob("part--*.sql")
             if (m := re.fullmatch(r"part--([0-9.]+)(?:\.plain)?\.sql", p.name))}
    return sorted(found, key=_vkey)


def render_install(mode: str = "plain", version: str = VERSION) -> str:
    """The whole install script of `version` for `mode`: rendered for the current version,
    the file kept in templates/released/ for a released older one."""
    if mode not in MODES:
        raise RenderError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    if version != VERSION:
        frozen = templates_dir() / "released" / _released_name(version, mode)
        if not frozen.is_file():
            known = ", ".join(released_versions() + [VERSION])
            raise RenderError(f"part {version} is not a version this pginstall can render (known: {known})")
        return frozen.read_text()
    return _render("install.sql.j2", **_context(mode, version))


def render_control(version: str = VERSION) -> str:
    return _render("part.control.j2", version=version, schema=SCHEMA)


_UPDATE = re.compile(r"part--(?P<old>[0-9.]+)--(?P<new>[0-9.]+)\.sql\.j2$")


def _vkey(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def update_scripts() -> list[tuple[str, str, str]]:
    """(from, to, template name) of every update script, oldest first: the templates of
    templates/updates/ and the frozen steps of templates/released/ (named like a template)."""
    found = {}
    for p in (templates_dir() / "updates").glob("part--*--*.sql.j2"):
        m = _UPDATE.match(p.name)
        if m:
            found[m["old"]] = (m["old"], m["new"], f"updates/{p.name}")
    for p in (templates_dir() / "released").glob("part--*--*.sql"):
        m = re.fullmatch(r"part--(?P<old>[0-9.]+)--(?P<new>[0-9.]+)\.sql", p.name)
        if m:
            found[m["old"]] = (m["old"], m["new"], f"released/{p.name}.j2")
    return sorted(found.values(), key=lambda t: _vkey(t[0]))


def update_chain(installed: str, target: str = VERSION) -> list[tuple[str, str, str]]:
    """The update scripts that take `installed` to `target`, in order."""
    chain, current = [], installed
    steps = {old: (old, new, name) for old, new, name in update_scripts()}
    while current != target:
        if current not in steps:
            raise RenderError(f"no update path from part {installed} to {target}")
        step = steps[current]
        chain.append(step)
        current = step[1]
    return chain


def render_update(name: str, mode: str) -> str:
    old, new = _UPDATE.match(Path(name).name).group("old", "new")
    if name.startswith("released/"):  # a released step, kept as it was shipped
        return (templates_dir() / "released" / _released_name(f"{old}--{new}", mode)).read_text()
    return _render(name, **_context(mode, new), old_version=old)


def render_extension_files() -> dict[str, str]:
    """File name -> content of everything extension/ must hold: the control file, the
    install script of every released version and of this one, and the update scripts."""
    files = {"part.control": render_control()}
    for v in released_versions():
        files[f"part--{v}.sql"] = render_install("extension", v)
    files[f"part--{VERSION}.sql"] = render_install("extension")
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
