"""A few weeks of leaderboard in the CSV an editor keeps, collected as a run would: no ../shared.

``Season`` writes the weeks given, collects them into a store and reads the
events and articles of a week; ``board`` builds one week of the usual models.
"""

from __future__ import annotations

from pathlib import Path

from bulletin import pipeline
from bulletin.config.load import load_config
from bulletin.model import Event
from bulletin.weeks import IsoWeek
from support import write_config

T = 10**9  # a billion tokens: the rows below are in billions
US = [("anthropic/claude-sonnet-4.5", "Claude Sonnet 4.5"), ("google/gemini-3-flash", "Gemini 3 Flash"),
      ("x-ai/grok-4.1-fast", "Grok 4.1 Fast"), ("openai/gpt-5.2", "GPT-5.2")]
CN = [("moonshotai/kimi-k2.5", "Kimi K2.5"), ("deepseek/deepseek-v3.2", "DeepSeek V3.2"),
      ("z-ai/glm-5", "GLM 5"), ("minimax/minimax-m2.5", "MiniMax M2.5")]


class Season:
    """A CSV leaderboard of a few weeks, collected into a store, read week by week."""

    def __init__(self, folder: Path, weeks: dict[str, list[tuple[str, str, int]]],
                 sources: str = "", extra: str = "", name: str = "board") -> None:
        """``sources`` are more entries of the config's ``sources:``, ``extra`` more of its settings."""
        lines = ["week,rank,model,name,tokens"]
        for week, rows in weeks.items():
            ranked = sorted(rows, key=lambda row: -row[2])
            lines += [f"{week},{rank},{model},{name},{tokens * T}"
                      for rank, (model, name, tokens) in enumerate(ranked, 1)]
        (folder / "board.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.path = write_config(folder, f"  - {{name: {name}, type: csv, path: board.csv, "
                                         "attribution: OpenRouter (openrouter.ai/rankings)}" + sources,
                                 "locales: [en, zh]\n" + extra)
        self.config = load_config(self.path)
        pipeline.collect(self.config)

    def events(self, week: str) -> dict[str, list[Event]]:
        found: dict[str, list[Event]] = {}
        for event in pipeline.week_events(self.config, IsoWeek.parse(week))[1]:
            found.setdefault(str(event.kind), []).append(event)
        return found

    def article(self, bulletin, week: str, locale: str = "en") -> str:
        done = bulletin("render", "--config", self.path, "--week", week)
        assert done.code == 0, done.err
        name = "bulletin.md" if locale == "en" else f"bulletin.{locale}.md"
        return (self.path.parent / "output" / "bulletins" / week / name).read_text(encoding="utf-8")


def board(us: list[int], cn: list[int]) -> list[tuple[str, str, int]]:
    """One week: the American models' volumes, then the Chinese ones', in billions."""
    return [(*US[n], tokens) for n, tokens in enumerate(us)] + \
        [(*CN[n], tokens) for n, tokens in enumerate(cn)]
