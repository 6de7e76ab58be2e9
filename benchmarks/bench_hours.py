"""How long the open/closed answer takes for every agency of the synthetic dataset."""
import datetime as dt
import time
import zoneinfo

from agencies.hours import Calendar, office_status
from agencies.models import Agency
from benchmarks.common import percentiles

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
    print(f"load {len(agencies)} agencies with their rules: {load_s:.2f} s (3 queries)")
    calendar = Calendar.load()
    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
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
        print(f"open/closed for all {len(rules)} agencies at {label:16}: {total:6.2f} s total, "
              f"per agency {percentiles(samples)}; {states}")
