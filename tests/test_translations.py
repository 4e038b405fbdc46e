"""Every user-facing string has a Spanish translation."""

from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locale/es/LC_MESSAGES/django.po"


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


def test_spanish_catalogue_is_complete():
    entries = [e for e in parse_po(CATALOGUE.read_text(encoding="utf-8")) if e["msgid"]]
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
