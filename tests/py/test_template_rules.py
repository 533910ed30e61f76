"""The rules every SQL object of templates/ follows (developers' guide):
one object per file named after it, search_path pinned on every function,
objects qualified, identifiers and values never concatenated into dynamic
SQL, every error raised with a HINT. Read from the templates, no server."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# folder = capability, file = object: what templates/install.sql.j2 lists, in its order
CAPABILITIES = ("lib", "settings", "core", "maintenance", "migration", "sync", "monitor")
INSTALL = (TEMPLATES / "install.sql.j2").read_text()
LISTS = {
    name: re.findall(r"'([\w/]+\.sql)'", body)
    for name, body in re.findall(r"\{% set (\w+) = \[(.*?)\] %\}", INSTALL, re.S)
}
SQL_FILES = [TEMPLATES / p for name in ("tables", "routines", "views") for p in LISTS.get(name, [])]
GENERATED = sorted((TEMPLATES / "sync" / "generated").glob("*.sql"))
CREATE = re.compile(
    r"^CREATE (?:OR REPLACE )?(?:UNLOGGED )?(FUNCTION|PROCEDURE|TABLE|VIEW) part\.(\w+)", re.M
)


def ids(paths):
    return [p.relative_to(TEMPLATES).as_posix() for p in paths]


@pytest.mark.parametrize("path", SQL_FILES, ids=ids(SQL_FILES))
def test_one_object_per_file_named_after_it(path):
    objects = CREATE.findall(path.read_text())
    assert len(objects) == 1, f"{path.name}: expected one CREATE of a part object, found {objects}"
    assert objects[0][1] == path.stem, f"{path.name} creates {objects[0][1]}"


FUNCTIONS = [p for p in SQL_FILES if re.search(r"^CREATE (?:OR REPLACE )?FUNCTION", p.read_text(), re.M)]


@pytest.mark.parametrize("path", FUNCTIONS, ids=ids(FUNCTIONS))
def test_functions_pin_search_path(path):
    assert "SET search_path = pg_catalog, pg_temp" in path.read_text()


PROCEDURES = [p for p in SQL_FILES if re.search(r"^CREATE (?:OR REPLACE )?PROCEDURE", p.read_text(), re.M)]


@pytest.mark.parametrize("path", PROCEDURES, ids=ids(PROCEDURES))
def test_procedures_that_commit_pin_search_path_after_each_commit(path):
    """A procedure that COMMITs cannot have a SET clause: it pins search_path itself, at the start and after every COMMIT."""
    text = path.read_text()
    body = text.split("AS $$", 1)[1]
    if "SET search_path" in text.split("AS $$", 1)[0]:
        return
    first = body.split("BEGIN", 1)[1]
    code = re.sub(r"/\*.*?\*/", "", first, flags=re.S)
    assert code.lstrip().startswith("PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true)")
    lines = [re.sub(r"\s*--.*$", "", ln).strip() for ln in code.splitlines()]
    lines = [ln for ln in lines if ln]
    for i, ln in enumerate(lines):
        if ln != "COMMIT;":
            continue
        j = i + 1
        if j < len(lines) and lines[j] == "ELSE":  # the other branch does not run after this COMMIT
            while j < len(lines) and lines[j] != "END IF;":
                j += 1
        following = [x for x in lines[j:] if x not in ("END IF;", "END LOOP;", "END;")]
        nxt = following[0] if following else "END"
        assert nxt.startswith(("RETURN", "END")) or "set_config('search_path'" in nxt, (
            f"{path.name}: a statement runs after a COMMIT before search_path is pinned again: {nxt}")


SQL_AND_SYNC = SQL_FILES + GENERATED


@pytest.mark.parametrize("path", SQL_AND_SYNC, ids=ids(SQL_AND_SYNC))
def test_every_error_has_a_hint(path):
    text = path.read_text()
    for m in re.finditer(r"RAISE EXCEPTION(.*?);", text, re.S):
        assert "HINT" in m.group(0), f"{path.name}: {m.group(0)[:100]!r} has no HINT"


@pytest.mark.parametrize("path", SQL_AND_SYNC, ids=ids(SQL_AND_SYNC))
def test_dynamic_sql_is_composed_with_format(path):
    """EXECUTE takes format(...) (with %I / %L / USING), never a string glued together with ||."""
    text = path.read_text()
    for m in re.finditer(r"EXECUTE\s+([^;]*?)(?:\s+INTO|\s+USING|;)", text, re.S):
        arg = m.group(1).strip()
        assert "||" not in arg.split("(", 1)[0], f"{path.name}: EXECUTE {arg[:80]!r}"
        assert not arg.startswith("'"), f"{path.name}: EXECUTE of a literal string glued by hand: {arg[:80]!r}"


def test_every_template_is_in_the_install_list_once():
    """A file added under templates/ is installed only once it is in install.sql.j2's list (in its folder)."""
    listed = [p for files in LISTS.values() for p in files]
    assert set(LISTS) == {"tables", "routines", "views", "data"}
    assert len(listed) == len(set(listed)), [p for p in listed if listed.count(p) > 1]
    on_disk = {p.relative_to(TEMPLATES).as_posix() for folder in CAPABILITIES for p in (TEMPLATES / folder).glob("*.sql")}
    assert on_disk - set(listed) == set(), "files missing from the lists of templates/install.sql.j2"
    assert set(listed) - on_disk == set(), "listed in templates/install.sql.j2 but not there"
    folders = {p.name for p in TEMPLATES.iterdir() if p.is_dir() and any(p.iterdir())}
    assert folders == set(CAPABILITIES) | {"released", "updates"}, folders


def test_generated_sql_is_included_by_a_routine():
    """sync/generated/ holds the SQL the sync generators write (included by them), nothing installed as such."""
    routines = "".join((TEMPLATES / p).read_text() for p in LISTS["routines"])
    for p in GENERATED:
        assert f"{{% include 'sync/generated/{p.name}' %}}" in routines, p.name


INSTALLER = sorted((TEMPLATES.parent / "installer" / "pginstall").glob("*.py"))
# part._x written in SQL: part._x, "part"._x, or the schema given by a format field ({s}._x)
PRIVATE_SQL = re.compile(r'(?:\bpart|"part"|\{\w*\})\s*\.\s*"?(_\w+)')


def _sql_strings(tree):
    """The string constants of a module, without its docstrings (which may name part._x as prose)."""
    import ast
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


@pytest.mark.parametrize("path", INSTALLER, ids=[p.name for p in INSTALLER])
def test_installer_calls_only_public_sql(path):
    """pginstall calls part's public API only (README "Security model"): no part._x routine,
    table or view in the SQL it sends, so a private routine can change without breaking it."""
    import ast
    found = [f"line {line}: part.{m}" for line, text in _sql_strings(ast.parse(path.read_text()))
             for m in PRIVATE_SQL.findall(text)]
    assert not found, f"{path.name} names private part objects in SQL: {found}"
