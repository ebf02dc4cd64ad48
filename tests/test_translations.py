"""The Spanish catalogue: complete, compiled, faithful to placeholders, and used.

The strings marked in templates and code are found in two ways: a portable scan that
needs only Python (Django's own `templatize` for templates, `ast` for Python), which always
runs, and Django's `makemessages` itself, which needs GNU gettext's xgettext and is skipped
on a machine without it. docs/i18n.md explains the workflow.
"""

import ast
import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

from tests.factories import PASSWORD, AgentFactory

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# The same folders `make messages` leaves out; keep the two lists together.
IGNORED = [".venv", "bench", "tests", "var", "staticfiles"]
FIX = "run `make messages`, translate what it adds to locale/es/LC_MESSAGES/django.po, then `make compilemessages`"


def catalogue():
    return polib.pofile(str(PO))


def live(entries):
    return [entry for entry in entries if not entry.obsolete]


def key(entry):
    return (entry.msgctxt or "", entry.msgid)


def translations(entry):
    if entry.msgid_plural:
        return [text for _, text in sorted(entry.msgstr_plural.items(), key=lambda item: int(item[0]))]
    return [entry.msgstr]


# --- the portable scan ----------------------------------------------------------------------

# keyword → positions of (context, singular, plural) among the call's arguments, as
# makemessages passes them to xgettext.
KEYWORDS = {
    **dict.fromkeys(["_", "gettext", "gettext_lazy", "gettext_noop"], (None, 0, None)),
    **dict.fromkeys(["ngettext", "ngettext_lazy"], (None, 0, 1)),
    **dict.fromkeys(["pgettext", "pgettext_lazy"], (0, 1, None)),
    **dict.fromkeys(["npgettext", "npgettext_lazy"], (0, 1, 2)),
}
STRING = r"u?(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
TEMPLATE_CALL = re.compile(rf"(?<![\w.])(npgettext|pgettext|ngettext|gettext|_)\(\s*((?:{STRING}\s*,?\s*)+)")


def _message(spec, args):
    context, singular, plural = spec
    try:
        picked = [None if index is None else args[index] for index in (context, singular, plural)]
    except IndexError:
        return None
    if any(value is not None and not isinstance(value, str) for value in picked):
        return None
    return picked


def _from_python(source, path):
    for node in ast.walk(ast.parse(source, str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in KEYWORDS:
            continue
        args = [arg.value if isinstance(arg, ast.Constant) else object() for arg in node.args]
        if (message := _message(KEYWORDS[name], args)) is not None:
            yield message


def _from_template(source, path):
    for match in TEMPLATE_CALL.finditer(templatize(source, origin=str(path))):
        args = [ast.literal_eval(literal) for literal in re.findall(STRING, match[2])]
        if (message := _message(KEYWORDS[match[1]], args)) is not None:
            yield message


def _ignored(name):
    return name.startswith(".") or name.endswith("~") or any(fnmatch.fnmatchcase(name, pattern) for pattern in IGNORED)


def marked_strings():
    """{(context, msgid): (msgid_plural, where)} for every string marked for translation in
    the files `makemessages -d django` reads (.py, .html, .txt) outside the ignored folders."""
    found = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if not _ignored(d) and d != "locale")
        for name in sorted(files):
            path = Path(folder) / name
            if _ignored(name) or path.suffix not in {".py", ".html", ".txt"}:
                continue
            source = path.read_text(encoding="utf-8")
            scan = _from_python if path.suffix == ".py" else _from_template
            for context, singular, plural in scan(source, path):
                found.setdefault((context or "", singular), (plural or "", str(path.relative_to(ROOT))))
    found.pop(("", ""), None)
    return found


# --- makemessages, when gettext is installed -------------------------------------------------


@pytest.fixture(scope="module")
def extracted_by_makemessages(tmp_path_factory):
    """A fresh catalogue from `makemessages -l es`, run on a copy of the project so the
    committed locale/ is never touched."""
    missing = [tool for tool in ("xgettext", "msguniq") if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"GNU gettext is not installed ({', '.join(missing)} missing), so makemessages cannot run here; "
            "the portable scan still checks every marked string (apt-get install gettext to run this too)"
        )
    copy = tmp_path_factory.mktemp("makemessages") / "project"
    skip = {".git", "locale", "__pycache__", "node_modules", "test-results", *IGNORED}
    shutil.copytree(ROOT, copy, ignore=lambda _folder, names: [n for n in names if n in skip or n.startswith(".")])
    command = [sys.executable, "manage.py", "makemessages", "-l", "es", *(f"--ignore={name}" for name in IGNORED)]
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "socialcare.settings"}
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    fresh = copy / "locale" / "es" / "LC_MESSAGES" / "django.po"
    assert fresh.exists(), f"makemessages wrote no catalogue into the copy: {done.stdout}{done.stderr}"
    return {key(entry): entry for entry in live(polib.pofile(str(fresh))) if entry.msgid}


# --- the tests -------------------------------------------------------------------------------


def test_every_entry_in_the_spanish_catalogue_is_translated():
    po = catalogue()
    forms = int(re.search(r"nplurals\s*=\s*(\d+)", po.metadata["Plural-Forms"])[1])
    empty = [entry.msgid for entry in live(po) if not all(translations(entry))]
    fuzzy = [entry.msgid for entry in live(po) if "fuzzy" in entry.flags]
    wrong_forms = [entry.msgid for entry in live(po) if entry.msgid_plural and len(entry.msgstr_plural) != forms]
    assert not empty, f"untranslated: {empty}; {FIX}"
    assert not fuzzy, f"marked fuzzy (check the translation, then remove the flag): {fuzzy}"
    assert not wrong_forms, f"these need exactly {forms} plural forms: {wrong_forms}"


def test_every_string_marked_for_translation_has_a_spanish_translation():
    translated = {key(entry): entry for entry in live(catalogue()) if all(translations(entry)) and "fuzzy" not in entry.flags}
    marked = marked_strings()
    assert len(marked) > 100, "the scan found almost nothing: is it looking in the right place?"
    missing = [f"{where}: {msgid!r}" for (context, msgid), (_, where) in marked.items() if (context, msgid) not in translated]
    assert not missing, f"no Spanish translation for {missing}; {FIX}"
    wrong_plural = [
        msgid for (context, msgid), (plural, _) in marked.items()
        if (context, msgid) in translated and plural != (translated[(context, msgid)].msgid_plural or "")
    ]
    assert not wrong_plural, f"plural form changed in the code: {wrong_plural}; {FIX}"


def test_makemessages_finds_no_string_without_a_spanish_translation(extracted_by_makemessages):
    translated = {key(entry) for entry in live(catalogue()) if all(translations(entry)) and "fuzzy" not in entry.flags}
    missing = [
        f"{entry.occurrences[0][0] if entry.occurrences else '?'}: {entry.msgid!r}"
        for k, entry in extracted_by_makemessages.items() if k not in translated
    ]
    assert not missing, f"no Spanish translation for {missing}; {FIX}"


def test_the_portable_scan_finds_exactly_what_makemessages_finds(extracted_by_makemessages):
    scanned = marked_strings()
    assert set(scanned) == set(extracted_by_makemessages), (
        f"only makemessages: {sorted(set(extracted_by_makemessages) - set(scanned))}; "
        f"only the scan: {sorted(set(scanned) - set(extracted_by_makemessages))}"
    )


def test_the_compiled_catalogue_matches_the_po():
    assert MO.exists(), f"{MO.relative_to(ROOT)} is missing; run `make compilemessages`"
    po, mo = catalogue(), polib.mofile(str(MO))

    # msgfmt leaves out untranslated and fuzzy entries; the .mo holds nothing else.
    expected = {key(entry): translations(entry) for entry in live(po) if entry.msgid and entry.translated()}
    actual = {key(entry): translations(entry) for entry in mo if entry.msgid}
    stale = sorted(k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k))
    assert not stale, f"{MO.relative_to(ROOT)} is out of date with the .po for {stale[:10]}…; run `make compilemessages`"
    for field in ("Plural-Forms", "Content-Type"):
        assert mo.metadata.get(field) == po.metadata.get(field), f"{field} differs; run `make compilemessages`"


NAMED = re.compile(r"%\((\w+)\)[-#0 +]*(?:\d+)?(?:\.\d+)?[a-zA-Z]")
BRACED = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")


def placeholders(text):
    """`%(name)s`-style placeholders with their conversion, and `{name}` variables."""
    return sorted(match[0] for match in NAMED.finditer(text)), sorted(BRACED.findall(text))


def test_every_translation_keeps_the_placeholders_of_its_message():
    broken = []
    for entry in live(catalogue()):
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        for index, text in enumerate(translations(entry)):
            source = sources[min(index, len(sources) - 1)]
            if text and placeholders(text) != placeholders(source):
                broken.append(f"{source!r} → {text!r}")
    assert not broken, f"placeholders differ: {broken}"


@pytest.mark.django_db
def test_an_agent_whose_profile_language_is_spanish_gets_the_inbox_in_spanish(client):
    agent = AgentFactory(language="es")
    assert client.login(username=agent.user.username, password=PASSWORD)
    response = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en")  # the profile beats the browser
    page = response.content.decode()
    spanish = {entry.msgid: entry.msgstr for entry in live(catalogue())}
    assert response.status_code == 200
    assert '<html lang="es">' in page
    assert response["Content-Language"] == "es"
    for english in ("Inbox", "Unassigned", "Mine", "Log out"):
        assert spanish[english] != english
        assert spanish[english] in page, f"{english!r} is not shown as {spanish[english]!r}"
    assert "Log out" not in page
