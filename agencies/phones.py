"""Phone numbers as Chinese bureaus publish them, normalized to E.164 with `phonenumbers`."""
import re

import phonenumbers
from django.core.exceptions import ValidationError

DEFAULT_REGION = "CN"
# "00-86-0931-8834621": an international prefix, then the domestic trunk "0" kept by mistake.
_INTERNATIONAL_WITH_TRUNK = re.compile(r"^\s*(?:\+|00)[\s\-.]*86[\s\-.]*\(?0")


def to_e164(published: str, region: str = DEFAULT_REGION) -> str:
    """Return the E.164 form of a published number, or raise ValidationError saying why."""
    text = published.strip()
    if not text:
        raise ValidationError("A phone number is required.", code="phone_empty")
    candidate = _INTERNATIONAL_WITH_TRUNK.sub("+86 ", text)
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            "'%(value)s' is not a valid number.", code="phone_invalid", params={"value": published}
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "'%(value)s' is not a valid number.", code="phone_invalid", params={"value": published}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_format(e164: str) -> str:
    """The number as a caller inside China dials it: '0571 8705 6409'."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)

