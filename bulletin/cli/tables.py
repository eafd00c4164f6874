"""Week statistics as data and as a text table, for ``bulletin stats``."""

from __future__ import annotations

from typing import Any

from bulletin.model import Total, WeekStats


def stats_data(stats: WeekStats) -> dict[str, Any]:
    def total(item: Total, key: str) -> dict[str, Any]:
        return {key: item.key, "tokens": item.tokens, "rank": item.rank,
                "previous_tokens": item.previous_tokens, "change": item.change,
                "models": list(item.models)}

    return {
        "week": str(stats.week),
        "complete": stats.complete,
        "days": stats.days,
        "source": stats.source,
        "countries": [total(t, "country") for t in stats.countries],
        "authors": [total(t, "author") for t in stats.authors],
        "models": [{"rank": m.rank, "model": m.model, "name": m.name, "author": m.author,
                    "country": m.country, "tokens": m.tokens, "previous_rank": m.previous_rank,
                    "previous_tokens": m.previous_tokens, "change": m.change,
                    "counted": m.counted} for m in stats.models],
        "unmapped_authors": list(stats.unmapped_authors),
        "long_tail_tokens": stats.long_tail,
    }


def stats_text(data: dict[str, Any]) -> str:
    coverage = "complete" if data["complete"] else f"partial: {data['days']} of 7 days"
    lines = [f"{data['week']} ({coverage}, from {data['source']})", ""]
    for title, rows, key in (("Countries", data["countries"], "country"),
                             ("Authors", data["authors"], "author"),
                             ("Models", data["models"], "model")):
        lines.append(title)
        for row in rows:
            change = "" if row["change"] is None else f"{row['change']:+.2%}"
            mark = "" if row.get("counted", True) else "  (not counted)"
            lines.append(f"  {row['rank']:>3}  {row[key]:<45} {row['tokens']:>20,}  {change:>9}{mark}")
        lines.append("")
    if data.get("long_tail_tokens"):
        lines.append(f"Long tail (below the published leaderboard): {data['long_tail_tokens']:,} tokens")
    return "\n".join(lines).rstrip() + "\n"
