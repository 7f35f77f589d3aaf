"""Which chart shows which figures on the reports page."""

from __future__ import annotations

from markupsafe import Markup

from bot.reporting.figures import Figures
from webhook.console.charts import AMBER, BRAND, RED, SCORE_COLOURS, Bar, bars, columns, rate_bar

# The chart of communities shows the busiest ones; the table below it lists them all.
TOP_COMMUNITIES = 12


def charts(figures: Figures) -> dict[str, Markup]:
    """The page's charts by the key of the table each goes with."""
    places, ratings = figures.places, figures.ratings
    return {
        "satisfaction": rate_bar("满意率", ratings.rate, ratings.target),
        "ratings": bars(
            "评分分布",
            [
                Bar(f"{score} 分", count, SCORE_COLOURS[score])
                for score, count in sorted(ratings.by_score.items(), reverse=True)
            ],
        ),
        "over-time": columns(
            "按周登记量" if figures.period.weekly else "按月登记量",
            [Bar(bucket.short, bucket.cases, title=bucket.label) for bucket in figures.over_time],
        ),
        "kinds": bars("按类别登记量", [Bar(kind.label, kind.cases) for kind in figures.kinds]),
        "deadlines": bars(
            "按时率",
            [
                bar
                for kind in figures.kinds
                for bar in (
                    _rate_bar(f"{kind.label}·响应", kind.response_rate),
                    _rate_bar(f"{kind.label}·办结", kind.resolution_rate),
                )
            ],
            top=100,
        ),
        "streets": bars("按街道登记量", [Bar(row.name, row.cases) for row in places.streets]),
        "communities": bars("按社区登记量", [Bar(row.name, row.cases) for row in places.communities[:TOP_COMMUNITIES]]),
        "topics": bars("问得最多的问题", [Bar(topic.question, topic.answers) for topic in figures.self_service.topics]),
    }


def _rate_bar(label: str, rate: float | None) -> Bar:
    if rate is None:
        return Bar(label, 0, BRAND, "—")
    colour = BRAND if rate >= 0.9 else AMBER if rate >= 0.7 else RED
    return Bar(label, rate * 100, colour, f"{rate * 100:.0f}%")
