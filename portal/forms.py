"""The correction form and its abuse guards (no account, no third-party service)."""
from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.models import MESSAGE_MAX_LENGTH, CorrectionReport

MESSAGE_MIN_LENGTH = 10
RATE_WINDOW_SECONDS = 3600
# The national calendar is known for these years; past them an answer would be a guess.
VISIT_YEARS = (2000, 2099)


class CorrectionForm(forms.ModelForm):
    # The honeypot: hidden from people (and from screen readers), filled in by naive bots.
    website = forms.CharField(required=False, label=_("Leave this field empty"), max_length=200)

    class Meta:
        model = CorrectionReport
        fields = ["message", "email"]
        labels = {"email": _("Your email (optional)")}
        help_texts = {"email": _("Only if you would like an answer. We use it for nothing else.")}

    message = forms.CharField(
        label=_("What is wrong or missing?"), min_length=MESSAGE_MIN_LENGTH, max_length=MESSAGE_MAX_LENGTH,
        strip=True, widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        # Labels are questions or carry their own punctuation: no ":" after "？".
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Built per form, in the request's language (a lazy string with a % evaluated once, at import,
        # would stay English on Chinese pages).
        self.fields["message"].help_text = ngettext(
            "Please say where on the page the problem is (at most %(max)d character).",
            "Please say where on the page the problem is (at most %(max)d characters).",
            MESSAGE_MAX_LENGTH,
        ) % {"max": MESSAGE_MAX_LENGTH}
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


def _client_key(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is set by the client and would let it dodge the limit.
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"corrections:{digest}"


def correction_rate_exceeded(request: HttpRequest) -> bool:
    """Count this submission against the client's hourly allowance; True once it is used up."""
    key = _client_key(request)
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count > settings.CORRECTIONS_PER_HOUR


class VisitForm(forms.Form):
    """"Is it open on …?": a day (and, if given, a time) in the bureau's own zone. Plain GET, no script."""

    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                         help_text=_("For example 2026-10-02"),
                         error_messages={"required": _("Enter the date of your visit."),
                                         "invalid": _("Enter a real date, for example 2026-10-02.")})
    at = forms.TimeField(label=_("Time (optional)"), required=False,
                         widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                         help_text=_("24-hour clock, for example 14:30"),
                         error_messages={"invalid": _("Enter a time on the 24-hour clock, for example 14:30.")})

    def clean_on(self):
        day = self.cleaned_data["on"]
        if not VISIT_YEARS[0] <= day.year <= VISIT_YEARS[1]:
            raise forms.ValidationError(_("Choose a date between %(first)d and %(last)d.") % {
                "first": VISIT_YEARS[0], "last": VISIT_YEARS[1]})
        return day

