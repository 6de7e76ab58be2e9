"""The correction form and its abuse guards (no account, no third-party service)."""
from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from portal.models import MESSAGE_MAX_LENGTH, CorrectionReport

MESSAGE_MIN_LENGTH = 10
RATE_WINDOW_SECONDS = 3600


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
        help_text=ngettext_lazy(
            "Please say where on the page the problem is (at most %(max)d character).",
            "Please say where on the page the problem is (at most %(max)d characters).",
            "max",
        ) % {"max": MESSAGE_MAX_LENGTH},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
