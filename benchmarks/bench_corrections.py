"""Corrections after a collection, on a large store: 10 years of daily data, every week published.

Run by hand: ``.venv/bin/python benchmarks/bench_corrections.py [--years 10 --models 100]``.
The store is made as bench_rules.py makes it (Store.save, a year at a
time); then every complete week is rendered (English, no chart) and
recorded as delivered, so each has the bulletin.json whose stated numbers
the check reads (this setup is most of the benchmark's time: 80 s at the
default 100 models on a quiet machine, about 2.5 s a week at 500). A
collection then revises one day of the top model's tokens in the newest
week, in the middle of the history and in its first week, and one that
touches no stated number. Prints, for each, how many published weeks the
revision can reach and were recomputed, the time of the check over them
(the goal: under 2 s), and of writing and publishing the corrected weeks.
The synthetic history grows smoothly and its lead never changes, so most
weeks tell a streak or a growth streak reaching back to its start: a
revision far back can change a number in most later bulletins, and each of
them is recomputed (the worst case).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rules import build  # noqa: E402

from bulletin import pipeline  # noqa: E402
from bulletin.collect.collection import Outcome  # noqa: E402
from bulletin.config.load import load_config  # noqa: E402
from bulletin.config.settings import Config  # noqa: E402
from bulletin.corrections.detect import revised_in, revisions, touched  # noqa: E402
from bulletin.model import Collected, Delivery, DeliveryStatus, SourceStatus  # noqa: E402
from bulletin.render import restate  # noqa: E402
from bulletin.store.database import Store  # noqa: E402
from bulletin.story.stats import is_complete  # noqa: E402
from bulletin.weeks import IsoWeek  # noqa: E402


def publish_all(config: Config) -> list[IsoWeek]:
    with Store.open(config.database) as store:
        history = pipeline.stats_history(config, store)
        weeks = [week for week in sorted(history) if is_complete(history, week)]
        for week in weeks:
            story = pipeline.build_story(config, store, week, history=history)
            pipeline.write_edition(config, store, story)
            store.record_delivery(Delivery(week, "site", DeliveryStatus.OK, delivered_at="2026-01-01"))
    return weeks


def revise(store: Store, week: IsoWeek, factor: float) -> list[Outcome]:
    """One day of the week's top model multiplied by ``factor``, saved as a collection saves it."""
    day = week.monday.isoformat()
    rows = [(o.source, o.period, o.model, o.tokens, o.rank, o.source_url, o.fetched_at)
            for o in store.observations_in([week]) if o.period == day]
    top = max(range(len(rows)), key=lambda i: rows[i][3])
    rows[top] = (*rows[top][:3], int(rows[top][3] * factor), *rows[top][4:])
    [report] = store.save([Collected("api", rows=tuple(rows), figures_replace=False)])
    return [Outcome("api", "csv", SourceStatus.OK, report=report)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--models", type=int, default=100)  # 500 takes 20 minutes to set up
    parser.add_argument("--quick", action="store_true", help="a small run, to see it works")
    args = parser.parse_args()
    if args.quick:
        args.years, args.models = 1, 5
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        config = load_config(build(Path(tmp), args.years, args.models))
        config = replace(config, chart=False, review=replace(config.review, mode="auto"))
        print(f"built {args.years * 52 * 7 * args.models:,} observations in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        weeks = publish_all(config)
        print(f"rendered and recorded {len(weeks)} published weeks in {time.perf_counter() - t:.1f} s")
        cases = [("newest week", weeks[-1], 1.05), ("middle week", weeks[len(weeks) // 2], 1.05),
                 ("first week", weeks[0], 1.05),
                 ("no stated number (0.0001%)", weeks[-2], 1.000001)]
        with Store.open(config.database) as store:
            for label, week, factor in cases:
                outcomes = revise(store, week, factor)
                t = time.perf_counter()
                history = pipeline.stats_history(config, store)
                aggregated = time.perf_counter() - t
                revised = revised_in([o.report for o in outcomes if o.report])
                t = time.perf_counter()
                stamp = "2026-01-01T00:00:00+00:00"
                found = [(revision, corrected) for revision in revisions(config, store, history, revised)
                         if (corrected := restate.corrections(revision, "bench", stamp))]
                checked = time.perf_counter() - t
                t = time.perf_counter()
                for revision, corrected in found:
                    store.corrections.add(corrected)
                    if not revision.held:
                        pipeline.publish_corrections(config, store, revision.week, history)
                written = time.perf_counter() - t
                numbers = sum(len(corrected) for _, corrected in found)
                recomputed = len(touched(store, revised, store.corrections.published_weeks()))
                held = sum(1 for revision, _ in found if revision.held)
                print(f"revise {label} ({week}): aggregate {aggregated:.2f} s; check {len(weeks)} "
                      f"published weeks ({recomputed} recomputed) {checked:.2f} s -> {len(found)} weeks, "
                      f"{numbers} numbers ({held} held); writing the corrected weeks {written:.2f} s")


if __name__ == "__main__":
    main()
