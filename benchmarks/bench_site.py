"""Build a static site of 1,000 weekly bulletins, beside Pelican building 1,000 Markdown posts.

Prints, for the same machine in the same run:
  - bulletin: full build of the 1,000-week site (`bulletin site`, a fresh process), pages/s
    over every page it writes (each language's articles, homes, archives, year pages);
  - Pelican: `pelican` building the same 1,000 articles as Markdown posts (with
    `--locales en,zh`, each with its Chinese translation), pages/s;
  - the time to publish one new week into a site of 100 and of 1,000 weeks
    (in-process `pipeline.publish`, and as a fresh `bulletin publish` process);
  - the time the site takes to publish one week into each site with its six editions (each a
    developer's, under /<name>/) beside the same week without them, in-process.
Goal: at least 2x Pelican's pages per second; one new week under 0.5 s, not
growing with the archive. Pelican is installed in the benchmark's own virtual
environment (not in bulletin's dependencies), cached in the temp folder.

    .venv/bin/python benchmarks/bench_site.py [--weeks 1000] [--locales en,zh] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bulletin import pipeline  # noqa: E402
from bulletin.config.load import load_config  # noqa: E402
from bulletin.pipeline import editions as pipeline_editions  # noqa: E402
from bulletin.publish.publisher import RenderedBulletin  # noqa: E402
from bulletin.publish.site.build import EXCERPTS  # noqa: E402
from bulletin.store.database import Store  # noqa: E402
from bulletin.weeks import IsoWeek  # noqa: E402
from support.archive import make_archive  # noqa: E402

PELICAN_VENV = Path(tempfile.gettempdir()) / "bulletin-bench-pelican"
SITE = "publish:\n  - {name: site, type: site, base_url: 'https://news.example.org'}\n"
# The demo's weeks: the archive ends the week before the first, and each is then published into it.
NEW_WEEKS = [IsoWeek(2026, number) for number in range(7, 12)]
# Six editions, one for each developer among the demo's leading models.
DEVELOPERS = ("anthropic", "deepseek", "google", "minimax", "moonshotai", "stepfun")
EDITIONS = "editions:\n" + "".join(f"  - {{name: {name}, title: '{name} on OpenRouter', developer: {name}}}\n"
                                   for name in DEVELOPERS)


class Run(NamedTuple):
    wall: float  # seconds, as a reader waits for it
    cpu: float  # seconds of processor time (user and system): less swayed by other work on the machine


# As an installed package runs: from compiled bytecode, whatever this shell says.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], cwd: Path) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Run(wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def spread(seconds: list[float], unit: float = 1.0, digits: int = 2) -> str:
    """The median of runs, with their least and most and how many there were."""
    return (f"median {statistics.median(seconds) * unit:.{digits}f} (min {min(seconds) * unit:.{digits}f}, "
            f"max {max(seconds) * unit:.{digits}f}, {len(seconds)} runs)")


def rates(runs: list[Run], pages_written: int) -> tuple[float, float]:
    """Pages per second over the median run: by the clock, and by processor time."""
    return (pages_written / statistics.median(run.wall for run in runs),
            pages_written / statistics.median(run.cpu for run in runs))


def described(runs: list[Run], pages_written: int) -> str:
    wall, cpu = rates(runs, pages_written)
    return (f"{pages_written} pages, seconds {spread([run.wall for run in runs])}, {wall:.0f} pages/s; "
            f"CPU seconds median {statistics.median(run.cpu for run in runs):.2f}, {cpu:.0f} pages/s of CPU")


def demo_project(scratch: Path, locales: list[str]) -> Path:
    project = scratch / "project"
    project.mkdir()
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    # The demo's own targets left out: SITE is the one measured.
    text = text[:text.index("\npublish:\n") + 1] + f"locales: [{', '.join(locales)}]\n"
    (project / "config.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "demo", project / "demo")
    bulletin = Path(sys.executable).with_name("bulletin")
    subprocess.run([bulletin, "run"], cwd=project, check=True, capture_output=True)
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(SITE)
    return project


def archive(project: Path, name: str, weeks: int) -> Path:
    """A project folder whose store and bulletins hold ``weeks`` published weeks."""
    folder = project.parent / name
    folder.mkdir()
    shutil.copy(project / "config.yaml", folder / "config.yaml")
    shutil.copytree(project / "demo", folder / "demo")
    template = project / "output" / "bulletins" / "2026-W11"
    (folder / "output").mkdir()
    shutil.copy(project / "output" / "bulletin.db", folder / "output" / "bulletin.db")
    # The archive ends the week before the demo data begins, so the weeks
    # published into it below are real ones that the claim check can recompute.
    first = IsoWeek.of(NEW_WEEKS[0].monday - timedelta(weeks=weeks))
    make_archive(template, folder / "output", folder / "output" / "bulletin.db", weeks, first=first)
    return folder


def from_nothing(output: Path, command: list[str], cwd: Path, repeat: int) -> list[Run]:
    """Each of ``repeat`` runs of ``command``, timed, each writing ``output`` from nothing.

    The last run's output is moved aside (a rename), not deleted, before the next, and the
    disk is synced: neither run is timed while the file system is still busy with the other's.
    """
    runs = []
    for number in range(repeat):
        if output.exists():
            output.rename(output.with_name(f"{output.name}.before-{number}"))
        os.sync()
        runs.append(timed(command, cwd))
    for earlier in output.parent.glob(f"{output.name}.before-*"):
        shutil.rmtree(earlier)
    return runs


def full_builds(folder: Path, repeat: int) -> tuple[list[Run], int]:
    """Seconds for each of ``repeat`` builds of the whole site from nothing, and the pages written."""
    bulletin = Path(sys.executable).with_name("bulletin")
    site = folder / "output" / "site"
    # The excerpts kept beside the site go with it: the build reads every week's edition.
    (folder / "output" / EXCERPTS).unlink(missing_ok=True)
    seconds = from_nothing(site, [str(bulletin), "site"], folder, repeat)
    return seconds, pages(site)


def pelican_python() -> Path:
    python = PELICAN_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PELICAN_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "pelican[markdown]"], check=True,
                       capture_output=True)
    return python


def pelican_site(project: Path, scratch: Path, weeks: int, locales: list[str],
                 repeat: int) -> tuple[list[Run], int]:
    """Pelican building the same articles, each language but the first as a translation of it."""
    content = scratch / "pelican" / "content"
    content.mkdir(parents=True)
    bodies = {}
    for locale in locales:
        name = "bulletin.md" if locale == "en" else f"bulletin.{locale}.md"
        article = (project / "output" / "bulletins" / "2026-W11" / name).read_text(encoding="utf-8")
        bodies[locale] = article.split("\n", 1)[1]
    week = IsoWeek(2007, 1)
    for number in range(weeks):
        for locale, body in bodies.items():
            suffix = "" if locale == locales[0] else f".{locale}"
            (content / f"{week}{suffix}.md").write_text(
                f"Title: Weekly token volumes, issue {number + 1} ({week})\nDate: {week.sunday} 06:00\n"
                f"Slug: {str(week).lower()}\nLang: {locale}\n\n{body}", encoding="utf-8")
        week = week.next()
    settings = scratch / "pelican" / "pelicanconf.py"
    settings.write_text(f"SITENAME = 'Token Bulletin'\nSITEURL = ''\nTIMEZONE = 'UTC'\n"
                        f"DEFAULT_LANG = '{locales[0]}'\nDEFAULT_PAGINATION = 10\n"
                        "LOAD_CONTENT_CACHE = False\n", encoding="utf-8")
    output = scratch / "pelican" / "output"
    pelican = pelican_python().with_name("pelican")
    command = [str(pelican), str(content), "-o", str(output), "-s", str(settings), "-q"]
    return from_nothing(output, command, scratch / "pelican", repeat), pages(output)


def publish_new(folder: Path) -> tuple[float, list[Run]]:
    """Seconds to publish one new week: in-process (the first new week), and as a fresh
    `bulletin publish` (each of the others, one after another).

    The new weeks are the demo's, rendered for real (not timed), so publishing
    includes the claim check against the store.
    """
    config = load_config(folder / "config.yaml")
    bulletin = Path(sys.executable).with_name("bulletin")
    for week in NEW_WEEKS:
        subprocess.run([bulletin, "render", "--week", str(week)], cwd=folder, check=True,
                       capture_output=True)
    start = time.perf_counter()
    pipeline.publish(config, NEW_WEEKS[0])
    in_process = time.perf_counter() - start
    as_command = [timed([str(bulletin), "publish", "--week", str(week)], folder) for week in NEW_WEEKS[1:]]
    return in_process, as_command


def publish_with_editions(folder: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Seconds for the site to publish one week (its main bulletin alone, then with its six
    editions), in-process, each of ``repeat`` times, into a site whose NEW_WEEKS were published
    (``publish_new``): the site's own work, without the claim check that comes before it.

    The last two weeks are rendered again with their editions (not timed), and the first's editions
    published once (not timed), so that the editions are on the site already, as any week but
    the first finds them.
    """
    with (folder / "config.yaml").open("a", encoding="utf-8") as config_file:
        config_file.write(EDITIONS)
    config = load_config(folder / "config.yaml")
    (site,) = [target for target in config.publishers if target.takes_editions]
    bulletin = Path(sys.executable).with_name("bulletin")
    earlier, week = NEW_WEEKS[-2:]
    for one in (earlier, week):
        subprocess.run([bulletin, "render", "--week", str(one)], cwd=folder, check=True, capture_output=True)
    alone, with_editions = [], []
    with Store.open(config.database) as store:
        for one in (earlier, week):
            main = RenderedBulletin.read(config.output, store, one)
            assert main.record is not None
            editions = pipeline_editions.edition_bulletins(config.output, store, one, main.record)
            assert len(editions) == len(DEVELOPERS), editions
            if one == earlier:  # the editions come onto the site
                pipeline.deliver(store, main, [site])
                pipeline_editions.deliver_editions(store, editions, [site])
        for _ in range(repeat):
            start = time.perf_counter()
            pipeline.deliver(store, main, [site])
            alone.append(time.perf_counter() - start)
            start = time.perf_counter()
            pipeline.deliver(store, main, [site])
            delivered = pipeline_editions.deliver_editions(store, editions, [site])
            with_editions.append(time.perf_counter() - start)
            assert [d.status for d in delivered] == ["ok"] * len(DEVELOPERS), delivered
    return alone, with_editions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=1000)
    parser.add_argument("--locales", default="en", help="the languages written, e.g. en,zh")
    parser.add_argument("--repeat", type=int, default=3, help="full builds of each site, for a median")
    parser.add_argument("--quick", action="store_true", help="a small run, to see it works")
    args = parser.parse_args()
    weeks = 30 if args.quick else args.weeks
    repeat = 1 if args.quick else args.repeat
    locales = [locale.strip() for locale in args.locales.split(",") if locale.strip()]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores); languages: {', '.join(locales)}")
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        project = demo_project(scratch, locales)
        big = archive(project, "big", weeks)
        ours, our_pages = full_builds(big, repeat)
        print(f"bulletin: full build of {weeks} weeks: {described(ours, our_pages)}")
        if not args.quick:  # Pelican is installed into a virtual environment of its own first
            theirs, their_pages = pelican_site(project, scratch, weeks, locales, repeat)
            print(f"pelican:  {weeks} Markdown posts in {len(locales)} language(s): "
                  f"{described(theirs, their_pages)}")
            (wall, cpu), (their_wall, their_cpu) = rates(ours, our_pages), rates(theirs, their_pages)
            print(f"ratio: {wall / their_wall:.1f}x Pelican's pages per second "
                  f"({cpu / their_cpu:.1f}x by CPU time) (goal: at least 2x)")

        small = archive(project, "small", 100)
        full_builds(small, 1)
        for name, folder in (("100", small), (str(weeks), big)):
            in_process, as_command = publish_new(folder)
            print(f"publish one new week into the {name}-week site: {in_process * 1000:.0f} ms in-process; "
                  f"as a fresh `bulletin publish`, ms {spread([run.wall for run in as_command], 1000, 0)}, "
                  f"CPU ms median {statistics.median(run.cpu for run in as_command) * 1000:.0f} "
                  "(goal: under 500 ms)")
        for name, folder in (("100", small), (str(weeks), big)):
            alone, with_editions = publish_with_editions(folder, 3 if args.quick else 5)
            print(f"the site publishing one week into the {name}-week site, in-process: alone, ms "
                  f"{spread(alone, 1000, 0)}; with its {len(DEVELOPERS)} editions, ms "
                  f"{spread(with_editions, 1000, 0)}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
