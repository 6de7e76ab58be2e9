"""What every worker would otherwise do on its first requests (measured: the first page of a fresh
process took 540 ms, the next 20-40 ms): import the URLconf and everything it names, compile the
public templates, load both languages' catalogues and the search analysers. Nothing here touches the
database, so it is safe before gunicorn forks (with --preload) or in each worker before it listens."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import translation

PUBLIC_TEMPLATES = ("portal", "components")


def warm_up() -> None:
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            _populate(resolver)
    root = Path(settings.BASE_DIR) / "templates"
    names = ["base.html", "404.html", "500.html"] + [
        str(path.relative_to(root)) for folder in PUBLIC_TEMPLATES for path in sorted((root / folder).glob("*.html"))
    ]
    for name in names:
        try:
            get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):  # a broken template still fails where it is used
            pass
    from django.utils import timezone

    from agencies.hours import _package_year
    from search.analysis import index_tokens, phone_forms

    this_year = timezone.now().year
    for year in (this_year - 1, this_year, this_year + 1):  # the holidays package imports every country once
        _package_year(year)

    index_tokens("science 科学 warm-up")
    phone_forms("+869318834621")


def _populate(resolver, prefix: str = "") -> None:
    """The per-language reverse tables of a resolver and of every namespace below it. `reverse()` of a
    namespaced name (`site:…`, `api:…`, `admin:…`) builds a resolver of its own for the namespace and
    fills its tables on first use: 40 ms in a worker's first API answer, a reverse of one name each
    here. One that needs arguments raises once the tables are filled."""
    resolver.reverse_dict  # noqa: B018 - populating the tables is the point
    for namespace, (_pattern, below) in resolver.namespace_dict.items():
        name = next((key for key in below.reverse_dict if isinstance(key, str)), None)
        if name is not None:
            try:
                reverse(f"{prefix}{namespace}:{name}")
            except NoReverseMatch:
                pass
        _populate(below, f"{prefix}{namespace}:")
