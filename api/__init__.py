"""The integrator API, version 1: the viewsets and serializers of agencies (`api/agencies/`, whose
profile carries its duties) and of duties (`api/duties.py`), the FilterSets the public site shares
(`api/filters.py`), and their plumbing: conditional GET, pagination, renderers, throttling, the urls.

It sits above the apps it serves: `api` uses `agencies`, `duties` and `search`; none of them uses it."""
