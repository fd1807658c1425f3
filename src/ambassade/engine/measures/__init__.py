"""Pure computations behind objectives and KPIs (docs/analytics.md): periods in a workspace's time
zone, rates, medians, net sentiment, share of voice, progress towards a target, and daily series
with their empty days filled. No Django, no database: the app reads the counts, this does the sums."""

from ambassade.engine.measures._measures import (
    HIGHER,
    LOWER,
    MAX_DAYS,
    Period,
    PeriodError,
    daily_series,
    median,
    net_sentiment,
    progress,
    rate,
    share,
)

__all__ = [
    "HIGHER",
    "LOWER",
    "MAX_DAYS",
    "Period",
    "PeriodError",
    "daily_series",
    "median",
    "net_sentiment",
    "progress",
    "rate",
    "share",
]
