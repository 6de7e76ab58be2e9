"""Hostile import files (tests/staff/hostile/), through the command and the admin: each is refused with
a clear message naming what is wrong (and where), exit code 2 on the shell, and nothing is written."""
import io
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from agencies.models import Contact, ImportBatch

HOSTILE = Path(__file__).resolve().parent / "hostile"
CSV, XLSX, JSON = "0", "1", "2"
FORMAT_INDEX = {"csv": CSV, "xlsx": XLSX, "json": JSON}


def database_state() -> dict[str, int]:
    """Rows per table of the project's apps (history tables included): an import that is refused
    changes none of them."""
    return {
        model._meta.label: model._default_manager.count()
        for label in ("agencies", "duties", "portal")
        for model in apps.get_app_config(label).get_models()
    }


def long_cell_csv(tmp_path) -> Path:
    path = tmp_path / "long-cell.csv"
    path.write_text("agency,kind,position,label,value\ngansu-department-of-science-and-technology,office,9,"
                    f"\"{'x' * 200_000}\",0931-8834600\n")
    return path


def zip_bomb_xlsx(tmp_path) -> Path:
    """A 'workbook' whose sheet expands to 300 MB of zeros from a few hundred kilobytes."""
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"0" * 2**20
            for _ in range(300):
                sheet.write(block)
    return path


# (file, format, extra arguments, words the message must contain)
FILE_CASES = [
    ("empty.csv", "csv", [], "The file is empty"),
    ("bom-only.csv", "csv", [], "The file is empty"),
    ("garbage.xlsx", "xlsx", [], "not an XLSX workbook"),
    ("renamed.xlsx", "xlsx", [], "not an XLSX workbook"),
    ("object.json", "json", [], "must be a list of objects"),
    ("list-of-lists.json", "json", [], "row 1: each JSON row must be an object"),
    ("truncated.json", "json", [], "not valid JSON (line 1"),
    ("headers-only.csv", "csv", [], "header row but no rows"),
    ("nul.csv", "csv", [], "row 1, label: contains a NUL character"),
    ("big5.csv", "csv", ["--encoding", "gb18030", "--yes"], "row 1, label: contains characters that are unprintable"),
    ("contacts.csv", "csv", ["--encoding", "klingon"], "Unknown encoding 'klingon'"),
    ("contacts.csv", "csv", ["--encoding", "utf-16"], "Encoding 'utf-16' is not supported"),
    ("contacts.csv", "csv", ["--encoding", "rot13"], "not supported"),
]


def path_of(name: str, tmp_path) -> Path:
    if name == "contacts.csv":
        path = tmp_path / name
        path.write_text("agency,kind,position,label,value\n"
                        "gansu-department-of-science-and-technology,office,9,Office,0931-8834600\n")
        return path
    return HOSTILE / name


def run_refused(*args) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("import_data", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert refused.value.returncode == 2
    message = str(refused.value)
    assert "Traceback" not in message and "\n" not in message.strip()
    return message


@pytest.mark.parametrize(("name", "file_format", "extra", "words"), FILE_CASES)
def test_command_refuses_hostile_file_with_one_line_and_writes_nothing(seed, tmp_path, name, file_format, extra,
                                                                       words):
    before = database_state()
    message = run_refused("contacts", str(path_of(name, tmp_path)), "--format", file_format, *extra)
    assert words in message
    assert database_state() == before


@pytest.mark.parametrize("make", [long_cell_csv, zip_bomb_xlsx])
def test_command_refuses_an_oversized_cell_and_a_zip_bomb(seed, tmp_path, make):
    before = database_state()
    message = run_refused("contacts", str(make(tmp_path)))
    assert "field larger than field limit" in message or "expands to 300 MB" in message
    assert database_state() == before


def test_command_refuses_a_missing_file_and_an_unknown_user(seed, tmp_path):
    assert "No such file" in run_refused("contacts", str(tmp_path / "nowhere.csv"))
    message = run_refused("contacts", str(path_of("contacts.csv", tmp_path)), "--user", "alice")
    assert "No user 'alice'" in message
    assert not ImportBatch.objects.exists()


def test_command_shows_a_preview_before_importing_another_encoding(seed, tmp_path):
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="run again with --yes") as refused:
        call_command("import_data", "contacts", str(HOSTILE / "big5.csv"), "--encoding", "big5",
                     stdout=io.StringIO(), stderr=stderr)
    assert refused.value.returncode == 2
    assert "甘肅省科學技術廳辦公室" in stderr.getvalue()
    assert not Contact.objects.filter(position=9).exists()


def test_headers_only_file_gets_the_same_words_in_the_admin_and_the_command(editor_client, seed):
    message = run_refused("contacts", str(HOSTILE / "headers-only.csv"))
    page = admin_preview(editor_client, "headers-only.csv", CSV)
    assert message.split(": ", 1)[1] in page
    assert not ImportBatch.objects.exists()


def admin_preview(client, name: str, file_format: str, encoding: str = "", content: bytes | None = None) -> str:
    upload = io.BytesIO(content if content is not None else (HOSTILE / name).read_bytes())
    upload.name = name
    response = client.post(reverse("admin:agencies_contact_import"),
                           {"import_file": upload, "format": file_format, "resource": "0", "encoding": encoding})
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    import html

    return html.unescape(response.content.decode())


@pytest.mark.parametrize(("name", "file_format", "extra", "words"),
                         [case for case in FILE_CASES if case[0] != "contacts.csv"])
def test_admin_refuses_hostile_file_with_the_same_message_and_writes_nothing(editor_client, seed, name, file_format,
                                                                              extra, words):
    before = database_state()
    encoding = extra[1] if extra else ""
    page = admin_preview(editor_client, name, FORMAT_INDEX[file_format], encoding)
    assert words in page
    assert database_state() == before


@pytest.mark.parametrize("make", [long_cell_csv, zip_bomb_xlsx])
def test_admin_refuses_an_oversized_cell_and_a_zip_bomb(editor_client, seed, tmp_path, make):
    path = make(tmp_path)
    before = database_state()
    page = admin_preview(editor_client, path.name, FORMAT_INDEX[path.suffix[1:]], content=path.read_bytes())
    assert "field larger than field limit" in page or "expands to 300 MB" in page
    assert database_state() == before


def test_admin_refuses_a_file_over_its_limit_and_names_the_command(editor_client, seed, settings):
    settings.IMPORT_ADMIN_MAX_ROWS = 3
    gansu = "gansu-department-of-science-and-technology"
    rows = "".join(f"{gansu},fax,{n},Fax,0931-88346{n:02d}\n" for n in range(10, 14))
    page = admin_preview(editor_client, "contacts.csv", CSV,
                         content=f"agency,kind,position,label,value\n{rows}".encode())
    assert "too big for the admin (4 rows" in page
    assert "manage.py import_data contacts <file> --user <your username>" in page
    settings.IMPORT_ADMIN_MAX_BYTES = 100
    page = admin_preview(editor_client, "contacts.csv", CSV, content=b"agency,kind\n" + b"x,y\n" * 50)
    assert "too big for the admin (0.0 MB" in page
    assert not ImportBatch.objects.exists()


def test_agency_editor_cannot_tell_unknown_from_forbidden_slugs(agency_editor_client, tmp_path):
    unknown = admin_preview(agency_editor_client, "unknown-slug.csv", CSV)
    forbidden = admin_preview(agency_editor_client, "forbidden-slug.csv", CSV)

    def message(page: str, slug: str) -> str:
        start = page.index(f"'{slug}'")
        return page[start + len(slug) + 2: page.index("<", start)].strip()

    zhejiang = "zhejiang-department-of-science-and-technology"
    assert message(unknown, "no-such-bureau-anywhere") == message(forbidden, zhejiang)
    assert "you may edit" in message(unknown, "no-such-bureau-anywhere")
    assert "You may not edit this agency" not in forbidden
