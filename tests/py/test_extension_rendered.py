"""extension/ is a build output: it must hold exactly what templates/ renders."""

from pathlib import Path

from pginstall import render

REPO = Path(__file__).resolve().parents[2]


def test_extension_dir_matches_templates():
    expected = render.render_extension_files()
    extdir = REPO / "extension"
    present = {p.name for p in extdir.glob("part*")} if extdir.is_dir() else set()
    missing = sorted(set(expected) - present)
    extra = sorted(present - set(expected))
    stale = sorted(n for n in set(expected) & present if (extdir / n).read_text() != expected[n])
    assert not (missing or extra or stale), (
        f"extension/ is out of date with templates/ (run `make`): "
        f"missing {missing}, not rendered by templates {extra}, differing {stale}"
    )


def test_extension_script_has_version_and_no_plain_schema():
    text = render.render_install("extension")
    assert text.splitlines()[0].startswith(f"-- part {render.VERSION} (extension install)")
    assert "CREATE SCHEMA part;" not in text
    assert "CREATE SCHEMA part;" in render.render_install("plain")
