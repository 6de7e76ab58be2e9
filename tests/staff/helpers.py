"""Build the POST data a browser would send for an admin change form, from the GET response."""
import datetime as dt


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def _add_form(data: dict, form) -> None:
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [_plain(item) for item in value]
        else:
            data[key] = _plain(value)


def change_form_data(response) -> dict:
    """Everything on the page as it was loaded: change a few keys, then POST it."""
    data: dict = {}
    _add_form(data, response.context["adminform"].form)
    try:
        inlines = response.context["inline_admin_formsets"]
    except KeyError:  # the history (revert) form has no inlines
        inlines = []
    for inline in inlines:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    return data


def inline_prefix(response, model_name: str) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model._meta.model_name == model_name:
            return inline.formset.prefix
    raise KeyError(model_name)
