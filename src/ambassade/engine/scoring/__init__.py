"""Community scores in the Orbit way, and identity merge suggestions (docs/community.md).

>>> import datetime as dt
>>> from ambassade.engine.scoring import Activity, Person, Scorer
>>> now = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
>>> scorer = Scorer()
>>> scores = scorer.update(
...     [Activity("ana", "comment", now - dt.timedelta(days=3), sentiment=0.8, relevant=True)],
...     [Person("ana", followers=120)],
...     now,
... )
>>> scores["ana"].love, scores["ana"].level
(2.0, 4)
>>> scores["ana"].explanations["love"].code
'score.love'
"""

from ambassade.engine.scoring._scores import (
    CLASSES,
    DEFAULT_WEIGHTS,
    Activity,
    Discovery,
    Person,
    Scorer,
    Scores,
    ScoringError,
    ScoringSettings,
    discover,
)

__all__ = [
    "CLASSES",
    "DEFAULT_WEIGHTS",
    "Activity",
    "Discovery",
    "Person",
    "Scorer",
    "Scores",
    "ScoringError",
    "ScoringSettings",
    "discover",
]
