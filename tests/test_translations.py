"""zh-hans is the default language: every message of the project is translated, and the
compiled catalogue (committed, so a machine without gettext works) matches the source."""

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries(po: Path):
    """(msgid, msgid_plural, [msgstr...], flags) of each entry of a .po file."""
    entries, current, key = [], None, None
    for raw in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, key = None, None
            continue
        if current is None:
            current = {
                "msgid": "",
                "msgctxt": None,
                "msgid_plural": None,
                "msgstr": {},
                "flags": "",
            }
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            key, current["msgctxt"] = "msgctxt", ast.literal_eval(line[8:])
        elif line.startswith("msgid_plural "):
            key, current["msgid_plural"] = "msgid_plural", ast.literal_eval(line[13:])
        elif line.startswith("msgid "):
            key, current["msgid"] = "msgid", ast.literal_eval(line[6:])
        elif line.startswith("msgstr"):
            head, _, value = line.partition(" ")
            key = head
            current["msgstr"][key] = ast.literal_eval(value)
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if key.startswith("msgstr"):
                current["msgstr"][key] += text
            else:
                current[key] += text
    return [e for e in entries if e["msgid"]]


def test_every_message_has_a_chinese_translation():
    entries = _entries(LOCALE / "django.po")
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [], "translate these in locale/zh_Hans/LC_MESSAGES/django.po"
    assert fuzzy == [], "review these fuzzy translations"


def test_the_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    stale = []
    for e in _entries(LOCALE / "django.po"):
        if e["msgid_plural"]:
            got = catalogue.ngettext(e["msgid"], e["msgid_plural"], 1)
            want = e["msgstr"]["msgstr[0]"]
        elif e["msgctxt"]:
            got, want = catalogue.pgettext(e["msgctxt"], e["msgid"]), e["msgstr"]["msgstr"]
        else:
            got, want = catalogue.gettext(e["msgid"]), e["msgstr"]["msgstr"]
        if got != want:
            stale.append(e["msgid"])
    assert stale == [], "run: python manage.py compilemessages -l zh_Hans --ignore=.venv"
