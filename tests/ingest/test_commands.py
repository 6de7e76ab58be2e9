"""ingest_page FILE|- and ingest_pages DIR: thin commands over page_ingest, with a summary."""
import io
import sys

import pytest
from django.core.management import CommandError, call_command

from ingest.models import IngestedPage
from tests.ingest.conftest import PAGES


@pytest.mark.django_db
def test_ingest_page_reads_a_file_and_prints_what_it_proposes(capsys):
    call_command("ingest_page", str(PAGES / "zh_dun_paren_cn.html"))
    out = capsys.readouterr().out
    page = IngestedPage.objects.get()
    assert "add    duty 二、 （一）" in out
    assert out.strip().endswith(f"page #{page.pk} (new bureau: Page #{page.pk}: 示例市科学技术局): awaiting review; "
                                "16 to add, 0 to change, 0 to remove, 0 flagged, 1 lines not read")


@pytest.mark.django_db
def test_ingest_page_reads_standard_input_and_refuses_clearly(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((PAGES / "zh_gb18030_nometa.txt").read_bytes())))
    with pytest.raises(CommandError, match="stdin: This page is not UTF-8"):
        call_command("ingest_page", "-")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((PAGES / "zh_gb18030_nometa.txt").read_bytes())))
    call_command("ingest_page", "-", "--encoding", "gb18030")
    assert IngestedPage.objects.get().file_name == "stdin"
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest_page", str(PAGES / "missing.html"))
    with pytest.raises(CommandError, match="no agency 'nope'"):
        call_command("ingest_page", str(PAGES / "en_runon_paren.txt"), "--agency", "nope")


@pytest.mark.django_db
def test_ingest_pages_reads_a_folder_and_summarises_every_page(capsys):
    call_command("ingest_pages", str(PAGES), "--no-progress")
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["file", "bureau", "status", "changes", "flagged", "not", "read"]
    assert len([line for line in lines if line.startswith(("en_", "zh_"))]) == 11
    refused = next(line for line in lines if line.startswith("zh_gb18030_nometa.txt"))
    assert "refused" in refused and "not UTF-8" in refused
    assert lines[-1].startswith("10 of 11 pages read in ") and lines[-1].endswith("1 refused.")
    assert IngestedPage.objects.count() == 10
