"""Every user-facing string has a Spanish translation."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    path for path in ROOT.glob("**/locale/es/LC_MESSAGES/django.po") if ".venv" not in path.parts
)


def parse_po(text: str) -> list[dict]:
    """A small .po reader: enough to list entries, their msgstr values and flags."""
    entries, current, field = [], None, None
    for raw in text.splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, field = None, None
            continue
        current = current or {"flags": "", "msgid": "", "msgstr": {}}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural"):
            field = ("msgid_plural", None)
        elif line.startswith("msgid"):
            field = ("msgid", None)
            current["msgid"] = line[len("msgid ") :].strip('"')
        elif line.startswith("msgstr"):
            key = line[len("msgstr") :].split(" ", 1)[0] or "[0]"
            field = ("msgstr", key)
            current["msgstr"][key] = line.split(" ", 1)[1].strip('"')
        elif line.startswith('"') and field:
            name, key = field
            if name == "msgstr":
                current["msgstr"][key] += line.strip('"')
            elif name == "msgid":
                current["msgid"] += line.strip('"')
    return entries


def test_there_is_a_project_catalogue():
    assert ROOT / "locale/es/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_spanish_catalogue_is_complete(catalogue):
    entries = [e for e in parse_po(catalogue.read_text(encoding="utf-8")) if e["msgid"]]
    assert entries
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
