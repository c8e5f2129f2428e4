"""The Simplified Chinese catalog: complete, compiled, in step with the source, and actually used.

None of them needs the database. The catalog is regenerated with scripts/messages.sh.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
PERCENT_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")

# ---------------------------------------------------------------------------------------------
# A small .po reader (the project does not depend on polib).
# ---------------------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(token: str, where: str) -> str:
    token = token.strip()
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise ValueError(f"{where}: expected a quoted string, got {token!r}")
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            raise ValueError(f"{where}: unknown escape \\{nxt}")
        out.append(char)
        i += 1
    return "".join(out)


class Entry:
    def __init__(self, line: int):
        self.line = line
        self.flags: set[str] = set()
        self.msgctxt: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr: dict[int, str] = {}

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def catalog_key(self) -> str:
        """The msgid as GNU gettext stores it in a .mo file (context joined with EOT)."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def __repr__(self) -> str:
        ctxt = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"{ctxt}{self.msgid!r}"


def read_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """Return (header fields, entries without the header). Obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    field: tuple[str, int | None] | None = None
    flags: set[str] = set()

    def finish():
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            elif line.startswith("#~"):
                flags = set()  # an obsolete entry's flags are not the next entry's
            continue  # translator, extracted, reference and #| previous comments
        if line.startswith('"'):
            if current is None or field is None:
                raise ValueError(f"{where}: continuation line outside an entry")
            name, index = field
            text = _unquote(line, where)
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, getattr(current, name) + text)
            continue
        keyword, _, rest = line.partition(" ")
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        # An entry starts at its msgctxt, or at its msgid when it has no context.
        if keyword == "msgctxt" or (keyword == "msgid" and field != ("msgctxt", None)):
            finish()
            current = Entry(number)
            current.flags, flags = flags, set()
        if current is None:
            raise ValueError(f"{where}: {keyword} outside an entry")
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, _unquote(rest, where))
            field = (keyword, None)
        elif keyword == "msgstr":
            current.msgstr[0] = _unquote(rest, where)
            field = ("msgstr", 0)
        elif match:
            index = int(match.group(1))
            current.msgstr[index] = _unquote(rest, where)
            field = ("msgstr", index)
        else:
            raise ValueError(f"{where}: unexpected line {raw!r}")
    finish()

    header: dict[str, str] = {}
    if entries and entries[0].msgid == "" and entries[0].msgctxt is None:
        head = entries.pop(0)
        for row in head.msgstr.get(0, "").splitlines():
            name, sep, value = row.partition(":")
            if sep:
                header[name.strip()] = value.strip()
        if "fuzzy" in head.flags:
            header["#fuzzy"] = "yes"
    return header, entries


def catalog_paths() -> list[Path]:
    return [LOCALE_DIR / f"{domain}.po" for domain in DOMAINS if (LOCALE_DIR / f"{domain}.po").exists()]


def test_the_django_catalog_exists():
    assert (LOCALE_DIR / "django.po").exists(), "run scripts/messages.sh"
    assert (LOCALE_DIR / "django.mo").exists(), "run scripts/messages.sh (it also compiles the catalog)"


# ---------------------------------------------------------------------------------------------
# a. complete: every entry translated, none fuzzy, placeholders kept
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("po_path", catalog_paths(), ids=lambda p: p.name)
class TestCatalogIsComplete:
    def test_header(self, po_path):
        header, _ = read_po(po_path)
        assert header.get("Language") == "zh_Hans"
        assert header.get("Plural-Forms") == "nplurals=1; plural=0;"
        assert "charset=UTF-8" in header.get("Content-Type", "")
        assert "#fuzzy" not in header, "the header is still marked fuzzy"

    def test_every_entry_is_translated_and_none_is_fuzzy(self, po_path):
        _, entries = read_po(po_path)
        assert entries
        fuzzy = [e for e in entries if "fuzzy" in e.flags]
        untranslated = [e for e in entries if not e.msgstr or not all(s.strip() for s in e.msgstr.values())]
        assert not fuzzy, f"fuzzy entries in {po_path.name} (check and unflag them): {fuzzy}"
        assert not untranslated, f"untranslated entries in {po_path.name}: {untranslated}"

    def test_no_duplicate_entries(self, po_path):
        _, entries = read_po(po_path)
        keys = [e.key for e in entries]
        assert len(keys) == len(set(keys))

    def test_plural_entries_have_the_one_chinese_form(self, po_path):
        _, entries = read_po(po_path)
        for entry in entries:
            if entry.msgid_plural is not None:
                assert sorted(entry.msgstr) == [0], f"{entry}: Chinese has one plural form, msgstr[0] only"
            else:
                assert sorted(entry.msgstr) == [0], f"{entry}: plural msgstr without msgid_plural"

    def test_placeholders_are_kept(self, po_path):
        _, entries = read_po(po_path)
        wrong = []
        for entry in entries:
            source = entry.msgid_plural or entry.msgid
            if "python-format" in entry.flags or "javascript-format" in entry.flags or "%(" in source:
                pattern = PERCENT_PLACEHOLDER
            elif "python-brace-format" in entry.flags:
                pattern = BRACE_PLACEHOLDER
            else:
                continue
            # "%%" is a literal percent sign: drop it first, or "%% of" would read as a "% o" conversion.
            wanted = sorted(pattern.findall(source.replace("%%", "")))
            if any(sorted(pattern.findall(text.replace("%%", ""))) != wanted for text in entry.msgstr.values()):
                wrong.append(entry)
        assert not wrong, f"placeholders changed in: {wrong}"

    def test_msgfmt_accepts_it(self, po_path):
        if shutil.which("msgfmt") is None:
            pytest.skip("GNU gettext's msgfmt is not on PATH")
        result = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po_path)],
            capture_output=True,
            text=True,
            env={**os.environ, "LC_ALL": "C"},
        )
        assert result.returncode == 0, result.stderr
        _, entries = read_po(po_path)
        assert re.search(rf"\b{len(entries)} translated messages?\.", result.stderr), result.stderr
        assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_the_reader_handles_context_plural_and_escapes(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#, python-format\nmsgctxt "menu"\nmsgid "Open"\nmsgstr "打开"\n\n'
        'msgid "%(n)s item"\nmsgid_plural "%(n)s items"\nmsgstr[0] "%(n)s 项"\n\n'
        'msgid ""\n"a \\"quoted\\"\\n"\n"line"\nmsgstr "带\\"引号\\"的\\n一行"\n\n'
        '#, fuzzy\nmsgid "Old"\nmsgstr "旧"\n\n#~ msgid "Gone"\n#~ msgstr "没了"\n',
        encoding="utf-8",
    )
    header, entries = read_po(po)
    assert header == {"Language": "zh_Hans", "Plural-Forms": "nplurals=1; plural=0;"}
    assert [e.catalog_key for e in entries] == ["menu\x04Open", "%(n)s item", 'a "quoted"\nline', "Old"]
    assert entries[0].msgstr == {0: "打开"} and "python-format" in entries[0].flags
    assert entries[1].msgid_plural == "%(n)s items"
    assert entries[2].msgstr == {0: '带"引号"的\n一行'}
    assert entries[3].flags == {"fuzzy"}


# ---------------------------------------------------------------------------------------------
# b. the committed .mo says exactly what the .po says
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("po_path", catalog_paths(), ids=lambda p: p.name)
def test_the_compiled_catalog_matches_the_po(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.name} is missing: run scripts/messages.sh"
    with mo_path.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    mo_catalog = {k: v for k, v in compiled._catalog.items() if k != ""}

    _, entries = read_po(po_path)
    po_catalog: dict = {}
    for entry in entries:
        if "fuzzy" in entry.flags:
            continue  # msgfmt leaves fuzzy entries out (and test a forbids them anyway)
        if entry.msgid_plural is not None:
            for index, text in entry.msgstr.items():
                po_catalog[(entry.catalog_key, index)] = text
        else:
            po_catalog[entry.catalog_key] = entry.msgstr[0]

    stale = sorted(str(k) for k in po_catalog.keys() - mo_catalog.keys())
    extra = sorted(str(k) for k in mo_catalog.keys() - po_catalog.keys())
    changed = sorted(str(k) for k in po_catalog.keys() & mo_catalog.keys() if po_catalog[k] != mo_catalog[k])
    hint = "the .mo is out of date: run scripts/messages.sh (or manage.py compilemessages) and commit it"
    assert not stale, f"{hint}; missing from {mo_path.name}: {stale}"
    assert not extra, f"{hint}; only in {mo_path.name}: {extra}"
    assert not changed, f"{hint}; translated differently: {changed}"
    assert len(mo_catalog) == len(po_catalog)
    assert compiled.plural(1) == 0 and compiled.plural(5) == 0  # nplurals=1


# ---------------------------------------------------------------------------------------------
# c. the committed .po holds every string of the source
# ---------------------------------------------------------------------------------------------

_NOT_COPIED = {
    ".git",
    ".venv",
    "venv",
    "var",
    "locale",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "htmlcov",
    "build",
    "dist",
}


def _run_makemessages(workdir: Path, var_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    env.update(DEBUG="1", VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="dadukou.settings", LC_ALL="C.UTF-8")
    command = [
        sys.executable,
        "manage.py",
        "makemessages",
        "-l",
        "zh_Hans",
        "--no-location",
        "--no-obsolete",
        "--ignore=.venv",
        "--ignore=var",
        *extra,
    ]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def source_catalogs(tmp_path_factory):
    """Run makemessages on a copy of the source tree (without the committed catalog) and read the result."""
    missing_tools = [tool for tool in ("xgettext", "msguniq", "msgmerge") if shutil.which(tool) is None]
    if missing_tools:
        pytest.skip(f"GNU gettext tools not on PATH: {', '.join(missing_tools)} (they are on CI)")
    root = tmp_path_factory.mktemp("i18n-source")
    copy = root / "src"
    shutil.copytree(
        BASE_DIR, copy, ignore=shutil.ignore_patterns(*_NOT_COPIED, "*.pyc", "*.mo", "*.po"), symlinks=True
    )
    committed_before = {p: p.read_bytes() for p in LOCALE_DIR.glob("*.po")}
    results = {}
    for domain in DOMAINS:
        result = _run_makemessages(copy, root / "var", "-d", domain)
        assert result.returncode == 0, f"makemessages -d {domain} failed:\n{result.stdout}\n{result.stderr}"
        generated = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        results[domain] = read_po(generated)[1] if generated.exists() else []
    # The copy, not the repository, must have been written to.
    assert {p: p.read_bytes() for p in LOCALE_DIR.glob("*.po")} == committed_before
    return results


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalog_has_every_string_of_the_source(source_catalogs, domain):
    in_source = {e.key: e for e in source_catalogs[domain]}
    po_path = LOCALE_DIR / f"{domain}.po"
    if not in_source:
        return  # e.g. no JavaScript string yet: no djangojs catalog is needed
    assert po_path.exists(), (
        f"{len(in_source)} {domain} strings but no {po_path.name}: run scripts/messages.sh"
    )
    committed = {e.key for e in read_po(po_path)[1]}
    missing = [
        repr(in_source[k]) for k in sorted(in_source.keys() - committed, key=lambda k: (k[0] or "", k[1]))
    ]
    assert not missing, (
        f"{len(missing)} string(s) of the source are not in {po_path.name}; run scripts/messages.sh, "
        "translate them and commit locale/:\n  " + "\n  ".join(missing)
    )


def test_the_source_catalog_was_really_extracted(source_catalogs):
    """Guards the test above against passing vacuously (e.g. makemessages reading nothing)."""
    keys = {e.key for e in source_catalogs["django"]}
    assert (None, "Log in") in keys and (None, "Grid worker") in keys


# ---------------------------------------------------------------------------------------------
# d. the Chinese is what users get
# ---------------------------------------------------------------------------------------------


def test_the_login_page_is_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page and "用户名" in page and "密码" in page
    assert "大渡口区矛盾纠纷大调解平台" in page
    assert "Log in" not in page


def test_the_login_page_is_english_when_asked(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page and "Username" in page
    assert "登录" not in page


def test_model_and_choice_labels_are_translated():
    from mediation.choices import OrganizationKind, RegionLevel, Role
    from mediation.models import MediationOrganization, Region, Unit

    with translation.override("zh-hans"):
        assert str(Region._meta.verbose_name) == "区域"
        assert str(Region._meta.verbose_name_plural) == "区域"
        assert str(Unit._meta.verbose_name) == "单位"
        assert str(MediationOrganization._meta.verbose_name) == "调解组织"
        assert str(Region._meta.get_field("code").verbose_name) == "区划代码"
        assert str(Region._meta.get_field("urban_rural_code").verbose_name) == "城乡分类代码"
        assert str(Region._meta.get_field("is_demo").verbose_name) == "演示数据"
        assert str(RegionLevel.STREET.label) == "街道/镇"
        assert str(RegionLevel.COMMUNITY.label) == "社区/村"
        assert str(Role.GRID_WORKER.label) == "网格员"
        assert str(Role.DISPATCHER.label) == "坐席"
        assert str(Role.OFFICE_ADMIN.label) == "大调解工作办公室"
        assert str(OrganizationKind.POLICE_ROOM.label) == "驻派出所调解室"
        assert str(OrganizationKind.PLATFORM.label) == "综合调处平台"
    with translation.override("en"):
        assert str(Region._meta.verbose_name) == "region"
        assert str(Role.GRID_WORKER.label) == "Grid worker"


def test_placeholders_survive_translation():
    from django.utils.translation import gettext

    with translation.override("zh-hans"):
        assert gettext("Grid %(n)s") % {"n": 3} == "第3网格"
        assert gettext("Welcome, %(name)s") % {"name": "李调解"} == "欢迎您，李调解"
