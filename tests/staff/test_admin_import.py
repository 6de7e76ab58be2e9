"""Import through the real admin (preview, then confirm) and the commands: encodings, all or nothing,
error messages that name row and column, undo as a whole, and exports safe to open in Excel."""
import html
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from agencies.models import Contact, ImportBatch
from agencies.services import dataset_read, export_dataset, import_dataset
from duties.models import Duty

pytestmark = pytest.mark.django_db

CSV, XLSX, JSON = "0", "1", "2"


def upload(content: bytes, name: str = "contacts.csv") -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def preview(client, model: str, content: bytes, encoding: str = "", file_format: str = CSV, name="contacts.csv"):
    return client.post(
        reverse(f"admin:{model}_import"),
        {"import_file": upload(content, name), "format": file_format, "resource": "0", "encoding": encoding},
    )


def confirm(client, model: str, response):
    return client.post(reverse(f"admin:{model}_process_import"), response.context["confirm_form"].initial)


def contacts_csv(slug: str, *rows: str) -> str:
    return "agency,kind,position,label,value\n" + "".join(f"{slug},{row}\n" for row in rows)


def test_gb18030_csv_needs_a_chosen_encoding_then_previews_and_imports(editor_client, own_agency):
    content = contacts_csv(own_agency.slug, "enquiries,8,咨询电话,0931-8834608").encode("gb18030")

    refused = preview(editor_client, "agencies_contact", content)
    page = html.unescape(refused.content.decode())
    assert "This file is not UTF-8" in page
    assert "咨询电话" in page  # the GB18030 preview staff check before choosing
    assert "confirm_form" not in refused.context

    previewed = preview(editor_client, "agencies_contact", content, encoding="gb18030")
    summary = previewed.context["staff_report"]
    assert (summary.new, summary.updated, summary.errors) == (1, 0, [])
    assert "咨询电话" in previewed.content.decode()
    assert not Contact.objects.filter(position=8).exists()  # a preview writes nothing

    done = confirm(editor_client, "agencies_contact", previewed)
    assert done.status_code == 302
    contact = Contact.objects.get(agency=own_agency, position=8)
    assert (contact.label, contact.e164) == ("咨询电话", "+869318834608")
    batch = ImportBatch.objects.get()
    assert (batch.resource, batch.new, batch.user.username, batch.encoding) == ("contacts", 1, "bob", "gb18030")
    version = own_agency.version
    own_agency.refresh_from_db()
    assert own_agency.version == version + 1  # an agency page opened before the import is now stale
    record = contact.history.get()
    assert (record.history_user.username, record.history_change_reason) == ("bob", batch.change_reason)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_csv_with_or_without_bom_imports_without_asking(editor_client, own_agency, encoding):
    content = contacts_csv(own_agency.slug, "enquiries,8,咨询电话,0931-8834608").encode(encoding)
    previewed = preview(editor_client, "agencies_contact", content)
    assert previewed.context["staff_report"].new == 1
    confirm(editor_client, "agencies_contact", previewed)
    assert Contact.objects.get(position=8).label == "咨询电话"
    assert ImportBatch.objects.get().encoding == "utf-8"


def test_one_invalid_row_rejects_the_whole_file_and_names_row_and_column(editor_client, own_agency):
    rows = [f"fax,{n},Fax,0931-88346{n:02d}" for n in range(10, 16)] + ["office,16,Office,0571-123"]
    content = contacts_csv(own_agency.slug, *rows).encode()

    previewed = preview(editor_client, "agencies_contact", content)
    report = previewed.context["staff_report"]
    assert report.errors == ["row 7, value: '0571-123' is not a valid number."]
    assert report.new == 6
    assert "confirm_form" not in previewed.context
    assert "row 7, value: &#x27;0571-123&#x27; is not a valid number." in previewed.content.decode()

    # Even straight through the service (no preview), nothing is written and no batch is left.
    dataset = dataset_read(data=content, file_format="csv")
    assert not import_dataset(resource_name="contacts", dataset=dataset).ok
    assert not Contact.objects.filter(kind="fax").exists()
    assert not ImportBatch.objects.exists()


def test_unknown_natural_key_and_duplicate_rows_are_reported_per_row(editor_client, own_agency):
    content = contacts_csv(own_agency.slug, "fax,10,Fax,0931-8834610", "fax,10,Fax,0931-8834611").encode()
    content += b"no-such-bureau,fax,1,Fax,0931-8834612\n"
    report = preview(editor_client, "agencies_contact", content).context["staff_report"]
    assert "row 2: Same agency, kind, position as row 1." in report.errors
    assert "row 3, agency: 'no-such-bureau' is not the slug of any agency." in report.errors


def test_preview_counts_new_updated_unchanged_and_skipped(editor_client, own_agency):
    exported = export_dataset(resource_name="contacts", file_format="csv").decode("utf-8-sig")
    lines = exported.strip().splitlines()
    gansu = [line for line in lines[1:] if line.startswith(own_agency.slug)]
    changed = gansu[0].replace("tel", "Telephone")
    content = "\n".join([lines[0], changed, *gansu[1:], ",,,,", f"{own_agency.slug},fax,9,Fax,0931-8834609"])
    report = preview(editor_client, "agencies_contact", content.encode()).context["staff_report"]
    assert (report.new, report.updated, report.unchanged, report.skipped, report.errors) == (
        1, 1, len(gansu) - 1, 1, []
    )


def test_duties_import_with_sub_items_in_xlsx_and_undo_as_a_whole(editor_client, own_agency):
    rows = "agency,parent,position,label,text,category\n"
    category = own_agency.duties.first().categories.first().slug
    rows += f"{own_agency.slug},,90,(90),A new item.,{category}\n"
    rows += f"{own_agency.slug},90,1,1.,Its first sub-item.,{category}\n"
    dataset = dataset_read(data=rows.encode(), file_format="csv")
    xlsx = dataset.export("xlsx")
    previewed = preview(editor_client, "duties_duty", xlsx, file_format=XLSX, name="duties.xlsx")
    assert previewed.context["staff_report"].new == 2, previewed.context["staff_report"].errors
    confirm(editor_client, "duties_duty", previewed)
    item = Duty.objects.get(agency=own_agency, position=90, parent=None)
    assert item.children.get().text == "Its first sub-item."

    batch = ImportBatch.objects.get()
    response = editor_client.post(reverse("admin:agencies_importbatch_undo", args=[batch.pk]))
    assert response.status_code == 302
    assert not Duty.objects.filter(agency=own_agency, position=90).exists()
    batch.refresh_from_db()
    assert batch.undone_by.username == "bob"


def test_undo_puts_back_what_an_import_changed(editor_client, own_agency):
    contact = own_agency.contacts.get(position=1)
    content = contacts_csv(own_agency.slug, "office,1,Switchboard,0931-8834621").encode()
    confirm(editor_client, "agencies_contact", preview(editor_client, "agencies_contact", content))
    contact.refresh_from_db()
    assert contact.label == "Switchboard"
    batch = ImportBatch.objects.get()
    assert editor_client.post(reverse("admin:agencies_importbatch_changelist"),
                              {"action": "undo", "_selected_action": [batch.pk]}).status_code == 302
    contact.refresh_from_db()
    assert contact.label == "tel"
    assert contact.history.first().history_change_reason == f"undo {batch.change_reason}"


def test_admin_csv_export_has_a_bom_and_escapes_formulas(editor_client, own_agency):
    own_agency.contacts.filter(position=1).update(label="=HYPERLINK(\"http://evil\")")
    own_agency.other_names.filter(pk=own_agency.other_names.first().pk).update(name="@SUM(A1)")
    response = editor_client.post(reverse("admin:agencies_contact_export"), {"format": CSV, "resource": "0"})
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    names = editor_client.post(reverse("admin:agencies_agencyname_export"), {"format": XLSX, "resource": "0"})
    dataset = dataset_read(data=names.content, file_format="xlsx")
    assert "'@SUM(A1)" in dataset["name"]


@pytest.mark.parametrize("value", ["=1+1", "+86 931 8834621", "-2", "@cmd", "\tx", "\rx"])
def test_every_formula_start_is_escaped_in_csv_and_read_back_unescaped(seed, own_agency, value):
    own_agency.other_names.filter(pk=own_agency.other_names.first().pk).update(name=value)
    data = export_dataset(resource_name="names", file_format="csv")
    assert f"'{value}".encode() in data or f"\"'{value}".encode() in data
    report = import_dataset(resource_name="names", dataset=dataset_read(data=data, file_format="csv"))
    assert report.errors == [] and report.new == 0


def test_import_and_export_commands_round_trip_and_refuse_undeclared_encodings(seed, tmp_path):
    target = tmp_path / "duties.csv"
    call_command("export_data", "duties", "-o", str(target), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_data", "duties", str(target), stdout=out)
    assert f"0 new, 0 updated, {Duty.objects.count()} unchanged" in out.getvalue()

    gbk = tmp_path / "regions.csv"
    gbk.write_bytes("code,name,name_zh,level,parent\n990000,Test,测试省,province,\n".encode("gb18030"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_data", "regions", str(gbk), stdout=io.StringIO())
    err = io.StringIO()
    with pytest.raises(CommandError, match="--yes"):  # first the preview, as the admin shows it
        call_command("import_data", "regions", str(gbk), "--encoding", "gb18030", stdout=io.StringIO(), stderr=err)
    assert "测试省" in err.getvalue()
    call_command("import_data", "regions", str(gbk), "--encoding", "gb18030", "--yes", stdout=io.StringIO())
    from agencies.models import ImportBatch, Region

    assert Region.objects.get(code="990000").name_zh == "测试省"
    assert ImportBatch.objects.latest("id").encoding == "gb18030"


def test_import_command_dry_run_writes_nothing(seed, tmp_path):
    target = tmp_path / "holidays.json"
    target.write_text('[{"date": "2027-10-01", "kind": "holiday", "name": "National Day", "name_zh": "国庆节", '
                      '"notice": ""}]')
    out = io.StringIO()
    call_command("import_data", "holidays", str(target), "--dry-run", stdout=out)
    assert "Checked (dry run)" in out.getvalue() and "1 new" in out.getvalue()
    from agencies.models import PublicHoliday

    assert not PublicHoliday.objects.exists()


def test_undo_is_refused_when_imported_records_were_edited_afterwards(editor_client, own_agency):
    content = contacts_csv(own_agency.slug, "office,1,Switchboard,0931-8834621").encode()
    confirm(editor_client, "agencies_contact", preview(editor_client, "agencies_contact", content))
    contact = own_agency.contacts.get(position=1)
    contact.label = "Edited by hand"
    contact.save()
    batch = ImportBatch.objects.get()
    response = editor_client.post(reverse("admin:agencies_importbatch_undo", args=[batch.pk]), follow=True)
    assert "were changed afterwards" in html.unescape(response.content.decode())
    contact.refresh_from_db()
    batch.refresh_from_db()
    assert (contact.label, batch.undone_at) == ("Edited by hand", None)


def _import_text(resource_name: str, text: str):
    return import_dataset(resource_name=resource_name, dataset=dataset_read(data=text.encode(), file_format="csv"))


def test_regions_and_agencies_may_name_parents_created_earlier_in_the_same_file(seed):
    header = "code,name,name_zh,level,parent\n"
    province = "990000,Synthetic Province,合成省,province,\n"
    city = "990100,Synthetic City,合成市,prefecture,990000\n"
    parent_later = _import_text("regions", header + city + province)
    assert "row 1, parent: '990000' is not the code of any region." in parent_later.errors
    assert _import_text("regions", header + province + city).new == 2
    agencies = ("slug,name,level,region,parent\n"
                "synthetic-dept,Synthetic Department,provincial_department,990000,\n"
                "synthetic-bureau,Synthetic Bureau,municipal_bureau,990100,synthetic-dept\n")
    report = _import_text("agencies", agencies)
    assert report.new == 2, report.errors
    from agencies.models import Agency

    assert Agency.objects.get(slug="synthetic-bureau").parent.slug == "synthetic-dept"
