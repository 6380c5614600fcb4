"""The dashboard's catalogues kept up with the code: its words extracted from the pages and the
code (`babel.cfg`), each language's `messages.po` updated (a new word waits untranslated, a
changed one is marked fuzzy: Babel's `update`, as `pybabel update` does)."""

from __future__ import annotations

from pathlib import Path

from . import compiled

PACKAGE = Path(__file__).parent.parent
KEYWORDS = {"_": None, "gettext": None, "N_": None}


def template():
    """Every word the dashboard shows, as Babel's catalogue template (English msgids)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (Path(__file__).parent / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    pot = Catalog(project="sms-service", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, method_map, options_map, keywords=KEYWORDS
    ):
        pot.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return pot


def read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f)


def write(catalog, path: Path) -> None:
    """The file rewritten only when its contents change (no churn for a version control)."""
    from io import BytesIO

    from babel.messages.pofile import write_po

    out = BytesIO()
    write_po(out, catalog, width=100, no_location=True, sort_output=True, omit_header=False)
    if not path.exists() or path.read_bytes() != out.getvalue():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.getvalue())


def update(root: Path | None = None) -> dict[str, int]:
    """Each language's `messages.po` brought up to the code; returns how many words each lacks."""
    pot = template()
    lacking = {}
    for language in compiled.LANGUAGES:
        path = compiled.po_path(language, "messages", root)
        catalog = read(path)
        pot.creation_date = catalog.creation_date  # the file changes only when its words do
        catalog.update(pot, update_header_comment=False)
        catalog.obsolete.clear()
        write(catalog, path)
        if language != "en":  # the English is the msgid itself
            lacking[language] = sum(1 for m in catalog if m.id and (not m.string or m.fuzzy))
    return lacking
