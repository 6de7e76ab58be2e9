"""Writes the public site makes: only correction reports."""
from django.db import transaction

from agencies.models import Agency
from portal.models import CorrectionReport


@transaction.atomic
def correction_report_create(*, agency: Agency, message: str, email: str = "", language: str = "") -> CorrectionReport:
    """File a citizen's report in the review queue as new."""
    return CorrectionReport.objects.create(agency=agency, message=message, email=email, language=language)
