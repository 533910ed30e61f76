"""make dist: the PGXN archive dist/part-VERSION.zip, from the rendered extension/.

Layout (PGXN's): part-VERSION/{META.json, Makefile (pgxn/Makefile: PGXS, SQL only),
part.control, sql/part--*.sql, README.md, CHANGELOG.md, LICENSE}. META.json's version
must be the package's (checked here, and by tests/py/test_packaging.py)."""

import json
import sys
import zipfile
from pathlib import Path

from pginstall import render

REPO = Path(__file__).resolve().parents[1]


def build(out_dir: Path) -> Path:
    meta = json.loads((REPO / "META.json").read_text())
    if meta["version"] != render.VERSION or meta["provides"]["part"]["version"] != render.VERSION:
        sys.exit(f"META.json says {meta['version']}, the package is {render.VERSION}: update META.json")
    files = render.render_extension_files()
    stale = [n for n, text in files.items() if (REPO / "extension" / n).read_text() != text]
    if stale:
        sys.exit(f"extension/ is out of date ({', '.join(stale)}): run `make`")
    top = f"part-{render.VERSION}"
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{top}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("META.json", "README.md", "CHANGELOG.md", "LICENSE"):
            z.write(REPO / name, f"{top}/{name}")
        z.write(REPO / "pgxn" / "Makefile", f"{top}/Makefile")
        for name in sorted(files):
            z.write(REPO / "extension" / name, f"{top}/{name}" if name.endswith(".control") else f"{top}/sql/{name}")
    return archive


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "dist"))
