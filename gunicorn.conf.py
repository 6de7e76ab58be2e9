"""gunicorn's settings for the portal, read from the working directory by every `gunicorn portal.wsgi`
started here (`make run`, the benchmarks, production as the README shows it); flags given on the command
line override them."""
import gc
import os

# Import Django and run portal/warmup.py's warm_up() once, in the master, before forking: each worker
# starts at once and warm, and shares the master's memory pages. The master opens no database or Redis
# connection (tests/test_warmup.py). A deploy restarts gunicorn (a HUP would not reload the code).
preload_app = True

# Two sync workers per core (WEB_CONCURRENCY overrides, `--workers` too). One per core leaves cores idle:
# after each response gunicorn's sync worker half-closes the connection and waits for the client to
# close its side (RFC 9112 section 9.6, gunicorn.util.close_graceful) — a fifth of a worker's time under
# load on loopback. With 100,000 agencies on 2 cores, everything cached, 50 clients: 2 workers served
# 683-741 req/s at p95 110-114 ms, 4 workers 1,043 req/s at p95 53 ms (25 Nov 2026).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))


def _freeze() -> None:
    """Collect what is garbage now, then move every object left to the collector's permanent
    generation: a full collection no longer walks the ~166,000 objects of a warm app (132-145 ms each,
    a worker's slowest requests), and the master's pages stay shared after the fork."""
    gc.collect()
    gc.freeze()


def pre_fork(server, worker):
    _freeze()


def post_worker_init(worker):
    """In each new worker, before its first request: the site's home page for nobody (warm_up_worker),
    and what it loaded kept out of the collector's way too."""
    from portal.env import envbool  # the app is loaded by now, so its package is importable

    if envbool("PORTAL_WARM_UP", True):
        from portal.warmup import warm_up_worker

        warm_up_worker(worker.wsgi)
    _freeze()
