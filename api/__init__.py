"""The integrator API's shared plumbing: conditional GET, pagination, renderers, throttling and the v1 urls.

Each app keeps its own viewsets (`agencies/api/`, `duties/api.py`); what they share lives here."""
