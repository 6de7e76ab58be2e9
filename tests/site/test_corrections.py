import pytest
from django.test import Client
from django.urls import reverse

from portal.models import CorrectionReport
from tests.factories import AgencyFactory


@pytest.fixture
def agency(db):
    return AgencyFactory()


def correction_url(agency) -> str:
    return reverse("site:agency-correction", kwargs={"slug": agency.slug})


def test_every_profile_carries_the_correction_form(client, agency):
    body = client.get(agency.get_absolute_url()).content.decode()
    assert f'action="{correction_url(agency)}"' in body
    assert 'name="csrfmiddlewaretoken"' in body and 'name="message"' in body and 'name="website"' in body


def test_a_report_lands_in_the_review_queue_as_new(client, agency):
    response = client.post(correction_url(agency), {"message": "The phone number changed in 2026.",
                                                    "email": "citizen@example.cn"}, follow=True)
    assert response.redirect_chain == [(agency.get_absolute_url(), 302)]
    assert "Thank you. Your report was sent to the editors" in response.content.decode()
    report = CorrectionReport.objects.get()
    assert (report.agency, report.message, report.email, report.status, report.language) == (
        agency, "The phone number changed in 2026.", "citizen@example.cn", "new", "en")


def test_email_is_optional(client, agency):
    client.post(correction_url(agency), {"message": "Address is outdated."})
    assert CorrectionReport.objects.get().email == ""


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"message": "short"}, "Ensure this value has at least 10 characters (it has 5)."),
        ({"message": "x" * 2001}, "Ensure this value has at most 2000 characters (it has 2001)."),
        ({"message": "Wrong phone number", "email": "not-an-email"}, "Enter a valid email address."),
        ({"message": ""}, "This field is required."),
        ({"message": "Null \x00 byte in the report"}, "Null characters are not allowed."),
        ({"message": "Wrong phone number", "email": "a\x00@example.cn"}, "Null characters are not allowed."),
    ],
)
def test_invalid_reports_are_refused_with_a_message(client, agency, data, error):
    response = client.post(correction_url(agency), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not CorrectionReport.objects.exists()


def test_filled_honeypot_is_thanked_but_not_stored(client, agency):
    response = client.post(correction_url(agency), {"message": "Buy cheap watches now!!", "website": "http://spam"})
    assert response.status_code == 302
    assert not CorrectionReport.objects.exists()


def test_reports_are_rate_limited_per_client(client, agency, settings):
    settings.CORRECTIONS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(correction_url(agency), {"message": "Something is wrong here."}).status_code == 302
    response = client.post(correction_url(agency), {"message": "Something is wrong here."})
    assert response.status_code == 429
    assert "You have sent several reports in the last hour" in response.content.decode()
    assert CorrectionReport.objects.count() == 2
    other_client = Client(REMOTE_ADDR="203.0.113.9")
    assert other_client.post(correction_url(agency), {"message": "Something else is wrong."}).status_code == 302


def test_forged_forwarded_for_header_does_not_reset_the_limit(client, agency, settings):
    settings.CORRECTIONS_PER_HOUR = 1
    client.post(correction_url(agency), {"message": "Something is wrong here."})
    response = client.post(correction_url(agency), {"message": "Something is wrong here."},
                           HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert response.status_code == 429


def test_posting_without_csrf_token_is_refused(agency):
    response = Client(enforce_csrf_checks=True).post(correction_url(agency), {"message": "Something is wrong."})
    assert response.status_code == 403
    assert not CorrectionReport.objects.exists()


def test_corrections_to_unknown_bureaus_are_404(db, client):
    assert client.post("/agencies/nope/correction/", {"message": "Something is wrong."}).status_code == 404


def test_review_queue_is_in_the_admin_with_a_status_filter(admin_client, agency):
    CorrectionReport.objects.create(agency=agency, message="Postcode is missing.")
    response = admin_client.get(reverse("admin:portal_correctionreport_changelist"), {"status__exact": "new"})
    assert response.status_code == 200
    assert "Postcode is missing." in response.content.decode()


def test_correction_page_works_on_its_own(client, agency):
    body = client.get(correction_url(agency)).content.decode()
    assert "<h1>Report a correction</h1>" in body
    assert f'<a href="{agency.get_absolute_url()}" lang="en">{agency.name}</a>' in body
    assert 'maxlength="2000"' in body and 'minlength="10"' in body
