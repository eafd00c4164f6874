"""Sending quotas on simulated time: 100,000 copies under SES's 14/s and 50,000 a day.

Each copy asks the store's quota (the sender's Pacer over bulletin/store/quota.py,
a real SQLite store in a temporary folder) before it goes; the clock is
simulated (a relay answers in 20 ms, a full second is waited out by moving
the clock), so a day of sending takes seconds. A send stopped by the day's
quota is run again when the quota says it has room, as the next cron run would.
Prints the most copies any 1-second and any 24-hour window held, the simulated
time the list took, and the wall time spent asking the store. Run by hand:

    .venv/bin/python benchmarks/bench_quota.py [--copies 100000]

Measured (the store on local disk): 100,000 copies in 3 runs, at most 14 in
any second and 50,000 in any 24 hours, 25.0 simulated hours; 7.7 s of wall
time, 77 µs a copy to ask the store.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bulletin.clock import Timer
from bulletin.publish.email.pacing import Pacer
from bulletin.store.database import Store
from bulletin.store.quota import DAY, Limits

REPLY = 0.020  # simulated seconds a relay takes to accept one copy


class SimulatedTimer(Timer):
    """A clock that moves only when told: waiting is instant."""

    def __init__(self, start: float) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def most_in_any_window(stamps: list[float], span: float) -> int:
    """The most stamps any half-open window (t - span, t] holds (stamps in order)."""
    most = first = 0
    for last, stamp in enumerate(stamps):
        while stamps[first] <= stamp - span:
            first += 1
        most = max(most, last - first + 1)
    return most


def send(store: Store, limits: Limits, copies: int, timer: SimulatedTimer) -> tuple[list[float], int]:
    """Every copy through the quota, a run at a time; the moments they went, and the runs it took."""
    stamps: list[float] = []
    runs = 0
    while len(stamps) < copies:
        runs += 1
        pacer = Pacer(store.send_quota("email-smtp.eu-west-1.amazonaws.com:587", limits), timer)
        while len(stamps) < copies and pacer.admit():
            stamps.append(timer.time())
            timer.sleep(REPLY)
        if pacer.stopped_by is not None:  # the next run starts when the window has room again
            timer.sleep(pacer.stopped_by.wait)
    return stamps, runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="a small run, to see it works")
    args = parser.parse_args()
    copies, limits = args.copies, Limits(per_second=14, per_day=50_000)
    if args.quick:
        copies, limits = 300, Limits(per_second=14, per_day=150)
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "bulletin.db") as store:
        timer = SimulatedTimer(1_780_000_000.0)
        started, wall = timer.now, time.monotonic()
        stamps, runs = send(store, limits, copies, timer)
        wall = time.monotonic() - wall
    second, day = most_in_any_window(stamps, 1.0), most_in_any_window(stamps, DAY)
    print(f"{copies:,} copies under {limits.per_second}/s and {limits.per_day:,}/day, "
          f"simulated time, {runs} runs")
    print(f"  most in any 1-second window: {second} (limit {limits.per_second})")
    print(f"  most in any 24-hour window:  {day:,} (limit {limits.per_day:,})")
    print(f"  simulated time for the list: {(timer.now - started) / 3600:,.2f} h "
          f"(sending alone: {copies / limits.per_second / 3600:,.2f} h at {limits.per_second}/s)")
    print(f"  wall time asking the store:  {wall:.1f} s ({wall / copies * 1e6:,.0f} µs a copy)")
    if second > limits.per_second or day > limits.per_day:
        raise SystemExit("a quota window was exceeded")


if __name__ == "__main__":
    main()
