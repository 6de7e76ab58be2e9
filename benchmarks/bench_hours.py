"""How long the open/closed answer takes for every agency of the synthetic dataset."""
import datetime as dt
import time
import zoneinfo

from agencies.hours import Calendar, office_status
from agencies.models import Agency
from benchmarks.report import ms, summary, table

MOMENTS = {
    "weekday 10:00": dt.datetime(2026, 11, 23, 10, 0),
    "lunch 13:00": dt.datetime(2026, 11, 23, 13, 0),
    "National Day": dt.datetime(2026, 10, 1, 10, 0),
    "make-up Saturday": dt.datetime(2026, 10, 10, 9, 0),
}


def run(size: int) -> None:
    started = time.perf_counter()
    agencies = list(Agency.objects.filter(is_synthetic=True).prefetch_related("office_hours", "special_days"))
    rules = [(list(a.office_hours.all()), list(a.special_days.all()), a.timezone) for a in agencies]
    load_s = time.perf_counter() - started
    calendar = Calendar.load()
    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    rows = [["load every agency with its rules", f"{load_s:.2f} s", "", "", "3 queries", ""]]
    for label, naive in MOMENTS.items():
        when = naive.replace(tzinfo=zone)
        samples, states = [], {"open": 0, "closed": 0, "unknown": 0}
        started = time.perf_counter()
        for hours, specials, tz in rules:
            t0 = time.perf_counter()
            states[office_status(hours=hours, special_days=specials, calendar=calendar, at=when,
                                 timezone=tz).state] += 1
            samples.append((time.perf_counter() - t0) * 1000)
        total = time.perf_counter() - started
        figures = summary(samples)
        rows.append([f"all {len(rules):,} at {label}", f"{total:.2f} s", ms(figures["median"]), ms(figures["p95"]),
                     " ".join(f"{k} {v:,}" for k, v in states.items()), "open_at p95 ≤ 100 ms needs an index"])
    table("hours", "Open/closed function over every synthetic agency (in-process)",
          ["case", "total", "per agency median", "per agency p95", "states", "reference"], rows)
