"""Build a static site of 1,000 weekly bulletins, beside Pelican building 1,000 Markdown posts.

Prints, for the same machine in the same run:
  - bulletin: full build of the 1,000-week site (`bulletin site`, a fresh process), pages/s;
  - Pelican: `pelican` building the same 1,000 articles as Markdown posts, pages/s;
  - the time to publish one new week into a site of 100 and of 1,000 weeks
    (in-process `pipeline.publish`, and as a fresh `bulletin publish` process).
Goal: at least 2x Pelican's pages per second; one new week under 0.5 s, not
growing with the archive. Pelican is installed in the benchmark's own virtual
environment (not in bulletin's dependencies), cached in the temp folder.

    .venv/bin/python benchmarks/bench_site.py [--weeks 1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bulletin import pipeline  # noqa: E402
from bulletin.config.load import load_config  # noqa: E402
from bulletin.weeks import IsoWeek  # noqa: E402
from support.archive import make_archive  # noqa: E402

PELICAN_VENV = Path(tempfile.gettempdir()) / "bulletin-bench-pelican"
SITE = "publish:\n  - {name: site, type: site, base_url: 'https://news.example.org'}\n"


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def demo_project(scratch: Path) -> Path:
    project = scratch / "project"
    project.mkdir()
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    # The demo's own targets left out: SITE is the one measured.
    (project / "config.yaml").write_text(text[:text.index("\npublish:\n") + 1], encoding="utf-8")
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
    shutil.copy(project / "output" / "bulletin.db", folder / "bulletin.db")
    (folder / "output").mkdir()
    shutil.move(folder / "bulletin.db", folder / "output" / "bulletin.db")
    # The archive ends the week before the demo data begins, so the weeks
    # published into it below are real ones that the claim check can recompute.
    first = IsoWeek.of(IsoWeek(2026, 7).monday - timedelta(weeks=weeks))
    make_archive(template, folder / "output", folder / "output" / "bulletin.db", weeks, first=first)
    return folder


def pelican_python() -> Path:
    python = PELICAN_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PELICAN_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "pelican[markdown]"], check=True,
                       capture_output=True)
    return python


def pelican_site(project: Path, scratch: Path, weeks: int) -> tuple[float, int]:
    content = scratch / "pelican" / "content"
    content.mkdir(parents=True)
    article = (project / "output" / "bulletins" / "2026-W11" / "bulletin.md").read_text(encoding="utf-8")
    body = article.split("\n", 1)[1]
    week = IsoWeek(2007, 1)
    for number in range(weeks):
        (content / f"{week}.md").write_text(
            f"Title: Weekly token volumes, issue {number + 1} ({week})\nDate: {week.sunday} 06:00\n"
            f"Slug: {str(week).lower()}\n\n{body}", encoding="utf-8")
        week = week.next()
    settings = scratch / "pelican" / "pelicanconf.py"
    settings.write_text("SITENAME = 'Token Bulletin'\nSITEURL = ''\nTIMEZONE = 'UTC'\n"
                        "DEFAULT_LANG = 'en'\nDEFAULT_PAGINATION = 10\nLOAD_CONTENT_CACHE = False\n",
                        encoding="utf-8")
    output = scratch / "pelican" / "output"
    pelican = pelican_python().with_name("pelican")
    seconds = timed([str(pelican), str(content), "-o", str(output), "-s", str(settings), "-q"],
                    scratch / "pelican")
    return seconds, pages(output)


def publish_one(folder: Path) -> tuple[float, float]:
    """Seconds to publish one new week: in-process, and as a fresh `bulletin publish`.

    The new weeks are the demo's 2026-W07 and W08, rendered for real (not
    timed), so publishing includes the claim check against the store.
    """
    config = load_config(folder / "config.yaml")
    bulletin = Path(sys.executable).with_name("bulletin")
    new = [IsoWeek(2026, 7), IsoWeek(2026, 8)]
    for week in new:
        subprocess.run([bulletin, "render", "--week", str(week)], cwd=folder, check=True,
                       capture_output=True)
    start = time.perf_counter()
    pipeline.publish(config, new[0])
    in_process = time.perf_counter() - start
    as_command = timed([str(bulletin), "publish", "--week", str(new[1])], folder)
    return in_process, as_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="a small run, to see it works")
    args = parser.parse_args()
    weeks = 30 if args.quick else args.weeks
    bulletin = Path(sys.executable).with_name("bulletin")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        project = demo_project(scratch)
        big = archive(project, "big", weeks)
        ours = timed([str(bulletin), "site"], big)
        our_pages = pages(big / "output" / "site")
        print(f"bulletin: full build of {weeks} weeks: {ours:.2f} s, {our_pages} pages, "
              f"{our_pages / ours:.0f} pages/s")
        if not args.quick:  # Pelican is installed into a virtual environment of its own first
            theirs, their_pages = pelican_site(project, scratch, weeks)
            print(f"pelican:  {weeks} Markdown posts: {theirs:.2f} s, {their_pages} pages, "
                  f"{their_pages / theirs:.0f} pages/s")
            print(f"ratio: {(our_pages / ours) / (their_pages / theirs):.1f}x Pelican's pages per second "
                  "(goal: at least 2x)")

        small = archive(project, "small", 100)
        timed([str(bulletin), "site"], small)
        for name, folder in (("100", small), (str(weeks), big)):
            in_process, as_command = publish_one(folder)
            print(f"publish one new week into the {name}-week site: {in_process * 1000:.0f} ms in-process, "
                  f"{as_command * 1000:.0f} ms as a fresh `bulletin publish` (goal: under 500 ms)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
