"""Query parameters as strict as the schema says: each at most once, none empty, booleans `true` or
`false`, whole numbers in digits, dates and times in the documented ISO 8601 form and years. What the
schema allows is accepted; anything else is a 400 naming the parameter (schemathesis holds us to it)."""
from __future__ import annotations

import re

from rest_framework.exceptions import ValidationError

#: 1970-01-01T00:00 … 2100-12-31T23:59:59.999999, optional seconds and offset (none: China Standard
#: Time). Days are checked per month; 29 February is left out (a regular expression cannot tell leap
#: years, and the schema and the check must agree): ask about 28 February or 1 March instead.
_DAY = r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
DATETIME_PATTERN = (
    r"^(?:19[7-9][0-9]|20[0-9][0-9]|2100)-" + _DAY
    + r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$"
)
DATETIME_DESCRIPTION = ("ISO 8601 date and time between 1970 and 2100, e.g. 2026-10-10T09:00+08:00; "
                        "without an offset it is read in China Standard Time (Asia/Shanghai).")
DATETIME_PARAMETERS = {"at", "open_at", "modified_since"}
WHOLE_NUMBER = re.compile(r"^[1-9][0-9]{0,8}$")
WHOLE_NUMBER_PARAMETERS = {"page", "page_size", "year"}
#: free text may be empty (an empty search is no search); every other parameter needs a value
MAY_BE_EMPTY = {"q"}


def datetime_problem(value: str) -> str | None:
    """The parser's own message (format, years), or the schema's form when the parser was lenient."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    from api.filters import AwareDateTimeField

    field = AwareDateTimeField()
    try:
        field.clean(value)
    except DjangoValidationError as error:
        return " ".join(error.messages)
    if not re.match(DATETIME_PATTERN, value):
        return str(field.error_messages["invalid"])
    return None


def query_check(query_params) -> None:
    """Raise a 400 naming every parameter that the schema does not allow."""
    errors: dict[str, list[str]] = {}
    for name, values in query_params.lists():
        if len(values) > 1:
            errors[name] = ["Give this parameter once."]
            continue
        value = values[0]
        if value == "" and name not in MAY_BE_EMPTY:
            errors[name] = ["Give a value, or leave the parameter out."]
        elif name == "ordering" and "" in (item.strip() for item in value.split(",")):
            errors[name] = ["Name fields separated by commas, with none left empty (e.g. name,-updated_at)."]
        elif name == "open_now" and value not in {"true", "false"}:
            errors[name] = ["Enter true or false."]
        elif name in WHOLE_NUMBER_PARAMETERS and not WHOLE_NUMBER.match(value):
            errors[name] = ["Enter a whole number (digits only, from 1)."]
        elif name in DATETIME_PARAMETERS:
            problem = datetime_problem(value)
            if problem:
                errors[name] = [problem]
    if errors:
        raise ValidationError(errors)


def schema_lists_not_empty(result, generator, request, public):
    """drf-spectacular post-processing hook: a list parameter (`ordering`) has at least one item, as
    `query_check` requires (an empty `ordering=` is a 400 naming it)."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("schema", {}).get("type") == "array":
                    parameter["schema"]["minItems"] = 1
    return result
