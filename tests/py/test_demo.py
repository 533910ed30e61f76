"""`make demo` as a newcomer runs it (issue 13, items 1 and 2).

As root, from a clone under a 0700 directory (as root's home is): the server
runs as the `postgres` OS user, which cannot enter that directory, so the
cluster must live where it can (scripts/pgcluster.sh links .pg/demo there).
Then the commands the demo prints at its end are run verbatim in a fresh
shell (no PG* variables, another working directory) and must all work.

The demo runs with few organizations (DEMO_ORGS=3) on a port of its own; it
takes about half a minute.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from pginstall import render

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_clone(dest: Path) -> None:
    """The working tree as a fresh clone would have it (tracked and new files), plus the venv."""
    files = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    dest.mkdir(parents=True)
    for f in filter(None, files):
        src = REPO / f
        if not src.is_file():
            continue
        (dest / f).parent.mkdir(parents=True, exist_ok=True)
        (dest / f).write_bytes(src.read_bytes())
        os.chmod(dest / f, src.stat().st_mode & 0o777)
    (dest / ".venv").symlink_to(REPO / ".venv")


def _fresh_shell(line: str) -> subprocess.CompletedProcess:
    """Run one printed command as a user would in a new terminal: no PG* variables, cwd /."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root")}
    return subprocess.run(["bash", "-c", line], cwd="/", env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(os.geteuid() != 0, reason="the demo's server runs as the postgres OS user only when run as root")
def test_demo_from_a_private_directory_as_root(tmp_path):
    private = tmp_path / "home"
    private.mkdir()
    private.chmod(0o700)
    clone = private / "clone"
    _copy_clone(clone)
    pgcluster = clone / "scripts" / "pgcluster.sh"
    demo_dir = clone / ".pg" / "demo"
    # the postgres user cannot enter the clone: the check the demo relies on
    assert subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(clone)], cwd="/").returncode != 0

    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") or k == "PG_BIN"}
    env.update(PGPORT=str(_free_port()), DEMO_ORGS="3", DEMO_MONTHS="6", DEMO_WEEKS="6")
    try:
        run = subprocess.run(["scripts/demo.sh"], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        data = Path(subprocess.run([str(pgcluster), "dir", str(demo_dir)], capture_output=True, text=True,
                                   check=True).stdout.strip())
        assert not data.is_relative_to(private), data
        assert demo_dir.is_symlink() and demo_dir.resolve() == data
        assert (data / "PG_VERSION").exists()

        out = run.stdout
        block = out[out.index("These commands work as printed"):].splitlines()[1:]
        commands = [l.strip() for l in block if l.startswith("    ")]
        assert any(" status --db hospitality " in c for c in commands), out[-2000:]
        assert commands[-2].startswith("PG_BIN=") and f"{pgcluster} stop " in commands[-2], commands[-2]
        assert commands[-1].startswith("make -C")
        for line in commands:
            r = _fresh_shell(line)
            assert r.returncode == 0, f"{line}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
            if " status --db hospitality " in line:
                assert f"hospitality: part {render.VERSION}" in r.stdout
        # the last two: stopped and removed, link and data
        assert not demo_dir.exists() and not demo_dir.is_symlink()
        assert not data.exists()
    finally:
        subprocess.run([str(pgcluster), "remove", str(demo_dir)], cwd="/", capture_output=True)
