"""gunicorn's settings for the portal, read from the working directory by every `gunicorn portal.wsgi`
started here (`make run`, the benchmarks, production as the README shows it); flags given on the command
line override them."""
import os

# Import Django and run portal/warmup.py's warm_up() once, in the master, before forking: each worker
# starts at once and warm, and shares the master's memory pages. The master opens no database or Redis
# connection (tests/test_warmup.py). A deploy restarts gunicorn (a HUP would not reload the code).
preload_app = True


def post_worker_init(worker):
    """In each new worker, before its first request: the site's home page for nobody (warm_up_worker)."""
    if os.environ.get("PORTAL_WARM_UP", "true").lower() not in ("0", "false", "no"):
        from portal.warmup import warm_up_worker

        warm_up_worker(worker.wsgi)
