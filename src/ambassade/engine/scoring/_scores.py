"""Engagement, reach, sentiment and influence of a community's members (docs/community.md, "Scores").

The model is Orbit's: **love** is the sum of the weights of a member's activities over a one-year
look-back; the **level** (1, the inner orbit, to 4) follows love upward at once but falls only at the
first scoring of a new calendar month (UTC), so a quiet week does not demote an ambassador. **Reach** is
the audience (followers) and the amplification (how often others reposted them), on a log scale;
**sentiment** is their mean sentiment toward the brand, shrunk toward neutral when there is little of
it; **influence** is reach times **relevance**, the share of their activities that match the
workspace's queries.

State is kept per person and per day (a few numbers a day a person was active), so an ingest batch
updates only the days it touches and re-scores only the people it touches
(:meth:`Scorer.update`); :meth:`Scorer.score_all` re-scores everyone, which is what a new day needs
(activities leave the look-back) and what a full recompute is. Each activity must be given once: the
product records each once (an appearance, a reply, an RSVP has one row).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from ambassade.engine.messages import Message

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

DAY: Final = 86_400
_EPOCH: Final = dt.date(1970, 1, 1)

#: The weight of each kind of activity in love. A kind not listed is refused (ScoringError), so a
#: new kind of activity is weighted on purpose, not by accident.
DEFAULT_WEIGHTS: Final[Mapping[str, float]] = {
    "mention": 1.0,  # a post that speaks about the brand
    "comment": 2.0,  # a comment under one of the brand's posts
    "reply": 2.0,  # a reply in a conversation with the brand
    "message": 2.0,  # a private message to the brand
    "repost": 1.0,  # they reposted the brand
    "review": 3.0,  # a product review
    "mission": 4.0,  # an ambassador mission completed
    "event": 5.0,  # attended an event (checked in)
    "rsvp": 1.0,  # answered an event's invitation
    "referral": 5.0,  # someone they referred signed up
    "contest_entry": 1.0,
    "email_click": 0.5,
    "email_open": 0.2,
    "moderation": 0.0,  # a moderation decision about them is on their timeline, not engagement
}

#: The derived classes, in the order they are explained.
CLASSES: Final = ("ambassador", "detractor", "rising", "dormant")

# Per-day bucket fields (love and sentiment in thousandths), then the sums over a window add love
# in the last ``recent_days``, love in the ``before_days`` before those and the last active day.
_LOVE, _COUNT, _SENT, _SENT_N, _POS, _NEG, _RELEVANT, _AMPLIFIED = range(8)
_FIELDS: Final = 8
_RECENT, _BEFORE, _LAST = 8, 9, 10
_SUMS: Final = 11
_MILLI: Final = 1000


class ScoringError(ValueError):
    """Bad input to the scorer; ``code`` and ``params`` say what (engine messages)."""

    def __init__(self, text: str, code: str, **params: str | int | float) -> None:
        super().__init__(text)
        self.message = text
        self.code = code
        self.params: dict[str, str | int | float] = dict(params)


@dataclass(frozen=True, slots=True)
class Activity:
    """One thing a person did. ``person`` is the caller's key (a member's or an author's id);
    ``at`` an aware time; ``sentiment`` in [-1, 1] toward the brand, or None when the activity
    has none (an e-mail click, an RSVP); ``relevant`` when it matched one of the workspace's
    queries; ``amplified`` how many times others reposted it."""

    person: str
    kind: str
    at: dt.datetime
    sentiment: float | None = None
    relevant: bool = False
    amplified: int = 0


@dataclass(frozen=True, slots=True)
class Person:
    """What the scorer knows of a person besides their activities. ``member`` is False for an
    author who is not yet in the community (influencer discovery looks only at them); ``staff``
    marks the brand's own people, scored but never classed nor suggested."""

    key: str
    followers: int = 0
    member: bool = True
    staff: bool = False


@dataclass(frozen=True, slots=True)
class ScoringSettings:
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    lookback_days: int = 365
    #: Love needed for levels 1, 2 and 3; below the last, level 4.
    level_thresholds: tuple[float, float, float] = (30.0, 10.0, 3.0)
    #: Sentiment is sum / (count + prior): one happy post is not a fan.
    sentiment_prior: float = 2.0
    ambassador_level: int = 1
    ambassador_sentiment: float = 0.25
    detractor_sentiment: float = -0.25
    detractor_min_count: int = 3
    #: Rising: love in the last ``recent_days`` at least ``rising_ratio`` times its monthly
    #: average over the ``before_days`` before, and at least ``rising_min_love``.
    recent_days: int = 30
    before_days: int = 90
    rising_ratio: float = 2.0
    rising_min_love: float = 5.0
    #: Dormant: nothing for ``dormant_days`` but love of at least ``dormant_min_love`` in the
    #: look-back, and not negative: worth re-engaging.
    dormant_days: int = 60
    dormant_min_love: float = 10.0
    #: Influencer discovery among authors who are not members.
    discover_min_influence: float = 20.0
    discover_min_sentiment: float = -0.1

    def __post_init__(self) -> None:
        for kind, weight in self.weights.items():
            if not math.isfinite(weight) or weight < 0:
                raise ScoringError(
                    f"the weight of {kind!r} must be a number of at least 0",
                    "score.bad_weight",
                    kind=kind,
                )
        first, second, third = self.level_thresholds
        if not first >= second >= third > 0:
            raise ScoringError(
                "level thresholds must decrease and stay above 0", "score.bad_levels"
            )
        if self.lookback_days < 1 or self.recent_days < 1 or self.before_days < 1:
            raise ScoringError("periods are at least one day", "score.bad_period")


@dataclass(frozen=True, slots=True)
class Scores:
    """A person's scores at a time, with the figures that explain them. ``explanations`` words
    nothing: it gives one coded message a score (keyed ``love``, ``level``, ``reach``,
    ``sentiment``, ``influence`` and each class the person is in), made when asked for, so that
    scoring a whole community makes no messages. ``level_month`` (months since year 0) is the
    month of this scoring: give it back with the level to the next :class:`Scorer` (``levels=``)
    so the level keeps falling only monthly."""

    key: str
    love: float
    level: int
    earned_level: int
    level_floor: float
    level_month: int
    reach: float
    followers: int
    amplified: int
    sentiment: float
    sentiment_count: int
    positive: int
    negative: int
    relevance: float
    relevant: int
    influence: float
    activities: int
    recent: float
    monthly_before: float
    recent_days: int
    last_active: dt.date | None
    quiet_days: int
    member: bool
    staff: bool
    classes: frozenset[str]

    @property
    def explanations(self) -> dict[str, Message]:
        love, recent, reach = _round(self.love), _round(self.recent), _round(self.reach)
        sentiment, relevance = _round(self.sentiment, 2), _round(self.relevance, 2)
        influence = _round(self.influence)
        out = {
            "love": Message(
                "score.love",
                f"love {love} from {self.activities} activities in the past year, "
                f"{recent} in the last {self.recent_days} days",
                {
                    "love": love,
                    "count": self.activities,
                    "recent": recent,
                    "days": self.recent_days,
                },
            ),
            "level": (
                Message(
                    "score.level_held",
                    f"level {self.level}, held until the month ends "
                    f"(love alone gives level {self.earned_level})",
                    {"level": self.level, "earned": self.earned_level},
                )
                if self.level != self.earned_level
                else Message(
                    "score.level",
                    f"level {self.level} (love of at least {self.level_floor})",
                    {"level": self.level, "floor": self.level_floor},
                )
            ),
            "reach": Message(
                "score.reach",
                f"reach {reach}: {self.followers} followers, reposted {self.amplified} times",
                {"reach": reach, "followers": self.followers, "amplified": self.amplified},
            ),
            "sentiment": (
                Message(
                    "score.sentiment",
                    f"sentiment {sentiment} over {self.sentiment_count} activities "
                    f"({self.positive} positive, {self.negative} negative)",
                    {
                        "sentiment": sentiment,
                        "count": self.sentiment_count,
                        "positive": self.positive,
                        "negative": self.negative,
                    },
                )
                if self.sentiment_count
                else Message(
                    "score.sentiment_none", "no activity with a sentiment in the past year"
                )
            ),
            "influence": Message(
                "score.influence",
                f"influence {influence}: reach {reach} × relevance {relevance} "
                f"({self.relevant} of {self.activities} activities match the queries)",
                {
                    "influence": influence,
                    "reach": reach,
                    "relevance": relevance,
                    "relevant": self.relevant,
                    "count": self.activities,
                },
            ),
        }
        if "ambassador" in self.classes:
            out["ambassador"] = Message(
                "score.ambassador",
                f"ambassador: level {self.level} and sentiment {sentiment}",
                {"level": self.level, "sentiment": sentiment},
            )
        if "detractor" in self.classes:
            out["detractor"] = Message(
                "score.detractor",
                f"detractor: sentiment {sentiment}, "
                f"{self.negative} negative of {self.sentiment_count}",
                {"sentiment": sentiment, "negative": self.negative, "count": self.sentiment_count},
            )
        if "rising" in self.classes:
            before = _round(self.monthly_before)
            out["rising"] = Message(
                "score.rising",
                f"rising: love {recent} in the last {self.recent_days} days against "
                f"{before} a month before",
                {"recent": recent, "before": before, "days": self.recent_days},
            )
        if "dormant" in self.classes:
            out["dormant"] = Message(
                "score.dormant",
                f"dormant: nothing for {self.quiet_days} days after love {love} this year",
                {"days": self.quiet_days, "love": love},
            )
        return out

    def explain(self) -> list[Message]:
        """The explanations, one a score, in a fixed order."""
        return list(self.explanations.values())


def _month(now: dt.datetime) -> int:
    return now.year * 12 + now.month - 1


def _round(value: float, digits: int = 1) -> float:
    return round(value + 0.0, digits)


class Scorer:
    """Scores a community, incrementally. ``levels`` are the (level, level_month) pairs a
    previous scorer gave (:attr:`Scores.level`, :attr:`Scores.level_month`), so that levels keep
    falling only monthly across restarts."""

    def __init__(
        self,
        settings: ScoringSettings | None = None,
        levels: Mapping[str, tuple[int, int]] | None = None,
    ) -> None:
        self.settings = settings or ScoringSettings()
        self._milli = {kind: round(w * _MILLI) for kind, w in self.settings.weights.items()}
        self._days: dict[str, dict[int, list[int]]] = {}
        # Per person, their sums over the look-back at the day they were last scored.
        self._window: dict[str, tuple[int, list[int]]] = {}
        self._people: dict[str, Person] = {}
        self._levels: dict[str, tuple[int, int]] = dict(levels or {})

    # -- input -----------------------------------------------------------------------------
    def add(self, activities: Iterable[Activity]) -> set[str]:
        """Fold activities into the state; return the keys of the people they touched. Nothing
        is folded when one of them is refused (ScoringError names it and its position)."""
        weights = self._milli
        rows: list[tuple[str, int, int, int | None, bool, int]] = []
        for number, activity in enumerate(activities, 1):
            weight = weights.get(activity.kind)
            if weight is None:
                raise ScoringError(
                    f"activity {number}: unknown kind {activity.kind!r}",
                    "score.unknown_kind",
                    kind=activity.kind,
                    position=number,
                )
            at = activity.at
            if at.tzinfo is None or at.utcoffset() is None:
                raise ScoringError(
                    f"activity {number}: its time has no time zone",
                    "score.naive_time",
                    position=number,
                )
            sentiment = activity.sentiment
            if sentiment is not None and not -1.0 <= sentiment <= 1.0:
                raise ScoringError(
                    f"activity {number}: sentiment {sentiment!r} is outside [-1, 1]",
                    "score.bad_sentiment",
                    position=number,
                )
            if activity.amplified < 0:
                raise ScoringError(
                    f"activity {number}: amplified must be at least 0",
                    "score.bad_amplified",
                    position=number,
                )
            rows.append(
                (
                    activity.person,
                    int(at.timestamp() // DAY),
                    weight,
                    None if sentiment is None else round(sentiment * _MILLI),
                    activity.relevant,
                    activity.amplified,
                )
            )
        return self._fold(rows)

    def _fold(self, rows: Iterable[tuple[str, int, int, int | None, bool, int]]) -> set[str]:
        # Integers only (weights and sentiments in thousandths), so that the sums do not depend
        # on the order activities come in: an incremental update gives a full recompute's scores.
        days, window = self._days, self._window
        lookback, recent_days = self.settings.lookback_days, self.settings.recent_days
        before_days = recent_days + self.settings.before_days
        touched: set[str] = set()
        for key, day, weight, sentiment, relevant, amplified in rows:
            buckets = days.get(key)
            if buckets is None:
                buckets = days[key] = {}
            bucket = buckets.get(day)
            if bucket is None:
                bucket = buckets[day] = [0] * _FIELDS
            row = [weight, 1, 0, 0, 0, 0, int(relevant), amplified]
            if sentiment is not None:
                row[_SENT] = sentiment
                row[_SENT_N] = 1
                if sentiment > 0:
                    row[_POS] = 1
                elif sentiment < 0:
                    row[_NEG] = 1
            for index in range(_FIELDS):
                bucket[index] += row[index]
            touched.add(key)
            cached = window.get(key)
            if cached is not None and cached[0] - lookback < day <= cached[0]:
                # The person's sums at the day last scored take the new activity in at once.
                today, sums = cached
                for index in range(_FIELDS):
                    sums[index] += row[index]
                if day > today - recent_days:
                    sums[_RECENT] += weight
                elif day > today - before_days:
                    sums[_BEFORE] += weight
                if day > sums[_LAST]:
                    sums[_LAST] = day
        return touched

    def set_people(self, people: Iterable[Person]) -> set[str]:
        """Record what is known of people (followers, member, staff); return their keys. Nothing
        is recorded when one of them is refused."""
        given = list(people)
        for person in given:
            if person.followers < 0:
                raise ScoringError(
                    f"{person.key}: followers must be at least 0",
                    "score.bad_followers",
                    person=person.key,
                )
        self._people.update((person.key, person) for person in given)
        return {person.key for person in given}

    def forget(self, key: str) -> None:
        """Drop a person (erased, or merged into another: give the merged activities again)."""
        self._days.pop(key, None)
        self._window.pop(key, None)
        self._people.pop(key, None)
        self._levels.pop(key, None)

    def prune(self, now: dt.datetime) -> int:
        """Drop the days that left the look-back at ``now``; return how many. Scoring at an
        earlier time afterwards would miss them."""
        oldest = int(now.timestamp() // DAY) - self.settings.lookback_days
        dropped = 0
        for buckets in self._days.values():
            old = [day for day in buckets if day <= oldest]
            for day in old:
                del buckets[day]
            dropped += len(old)
        return dropped

    # -- output ----------------------------------------------------------------------------
    def update(
        self, activities: Iterable[Activity], people: Iterable[Person], now: dt.datetime
    ) -> dict[str, Scores]:
        """An ingest batch: fold it in and re-score only the people it touched."""
        touched = self.set_people(people) | self.add(activities)
        return self.score(touched, now)

    def score_all(self, now: dt.datetime) -> dict[str, Scores]:
        """Everyone's scores at ``now`` (people known by activity or by :meth:`set_people`)."""
        return self.score(self._days.keys() | self._people.keys(), now)

    def score(self, keys: Iterable[str], now: dt.datetime) -> dict[str, Scores]:
        if now.tzinfo is None or now.utcoffset() is None:
            raise ScoringError("the scoring time has no time zone", "score.naive_time", position=0)
        utc = now.astimezone(dt.UTC)
        today = int(utc.timestamp() // DAY)
        month = _month(utc)
        return {key: self._score_one(key, today, month) for key in keys}

    def _score_one(self, key: str, today: int, month: int) -> Scores:
        s = self.settings
        oldest = today - s.lookback_days
        recent_from = today - s.recent_days
        before_from = recent_from - s.before_days
        cached = self._window.get(key)
        if cached is not None and cached[0] == today:
            sums = cached[1]
        else:
            sums = [0] * _SUMS
            sums[_LAST] = -1
            for day, bucket in self._days.get(key, {}).items():
                if day <= oldest or day > today:
                    continue
                for index in range(_FIELDS):
                    sums[index] += bucket[index]
                if day > recent_from:
                    sums[_RECENT] += bucket[_LOVE]
                elif day > before_from:
                    sums[_BEFORE] += bucket[_LOVE]
                if day > sums[_LAST]:
                    sums[_LAST] = day
            self._window[key] = (today, sums)
        love, count = sums[_LOVE] / _MILLI, sums[_COUNT]
        sent, sent_n = sums[_SENT] / _MILLI, sums[_SENT_N]
        pos, neg, relevant, amplified = sums[_POS], sums[_NEG], sums[_RELEVANT], sums[_AMPLIFIED]
        recent, before, last = sums[_RECENT] / _MILLI, sums[_BEFORE] / _MILLI, sums[_LAST]
        person = self._people.get(key) or Person(key)
        first, second, third = s.level_thresholds
        earned = 1 if love >= first else 2 if love >= second else 3 if love >= third else 4
        level = earned
        held = self._levels.get(key)
        if held is not None and held[1] == month and held[0] < earned:
            # Rises at once, falls only when a new month begins.
            level = held[0]
        self._levels[key] = (level, month)

        followers = person.followers
        reach = min(100.0, 10.0 * (math.log10(1 + followers) + math.log10(1 + amplified)))
        sentiment = sent / (sent_n + s.sentiment_prior) if sent_n else 0.0
        relevance = relevant / count if count else 0.0
        monthly_before = before * s.recent_days / s.before_days
        quiet = today - last if last >= 0 else 0
        classes: set[str] = set()
        if not person.staff and person.member:
            if level <= s.ambassador_level and sentiment >= s.ambassador_sentiment:
                classes.add("ambassador")
            if sent_n >= s.detractor_min_count and sentiment <= s.detractor_sentiment:
                classes.add("detractor")
            if recent >= s.rising_min_love and recent >= s.rising_ratio * monthly_before:
                classes.add("rising")
            if (
                last >= 0
                and quiet >= s.dormant_days
                and love >= s.dormant_min_love
                and sentiment >= 0
            ):
                classes.add("dormant")
        return Scores(
            key=key,
            love=love,
            level=level,
            earned_level=earned,
            level_floor=(*s.level_thresholds, 0.0)[level - 1],
            level_month=month,
            reach=reach,
            followers=followers,
            amplified=amplified,
            sentiment=sentiment,
            sentiment_count=sent_n,
            positive=pos,
            negative=neg,
            relevance=relevance,
            relevant=relevant,
            influence=reach * relevance,
            activities=count,
            recent=recent,
            monthly_before=monthly_before,
            recent_days=s.recent_days,
            last_active=_EPOCH + dt.timedelta(days=last) if last >= 0 else None,
            quiet_days=quiet,
            member=person.member,
            staff=person.staff,
            classes=frozenset(classes),
        )


def discover(
    scores: Iterable[Scores], settings: ScoringSettings | None = None, limit: int = 50
) -> list[Discovery]:
    """Influencer discovery: authors who are not members (nor staff) whose influence reaches
    ``discover_min_influence`` and who are not negative toward the brand, most influential first,
    each with why (coded reasons, the strongest first)."""
    s = settings or ScoringSettings()
    found = [
        one
        for one in scores
        if not one.member
        and not one.staff
        and one.influence >= s.discover_min_influence
        and one.sentiment >= s.discover_min_sentiment
    ]
    found.sort(key=lambda one: (-one.influence, one.key))
    return [Discovery(one.key, one.influence, _reasons(one)) for one in found[: max(0, limit)]]


def _reasons(one: Scores) -> tuple[Message, ...]:
    reasons = [
        Message(
            "score.discover.influence",
            f"influence {_round(one.influence)}: reach {_round(one.reach)}, "
            f"{one.relevant} of {one.activities} posts match the queries",
            {
                "influence": _round(one.influence),
                "reach": _round(one.reach),
                "relevant": one.relevant,
                "count": one.activities,
            },
        )
    ]
    if one.followers:
        reasons.append(
            Message(
                "score.discover.followers",
                f"{one.followers} followers",
                {"followers": one.followers},
            )
        )
    if one.amplified:
        reasons.append(
            Message(
                "score.discover.amplified",
                f"reposted {one.amplified} times by others",
                {"amplified": one.amplified},
            )
        )
    if one.sentiment > 0:
        reasons.append(
            Message(
                "score.discover.positive",
                f"positive toward the brand ({_round(one.sentiment, 2)})",
                {"sentiment": _round(one.sentiment, 2)},
            )
        )
    return tuple(reasons)


@dataclass(frozen=True, slots=True)
class Discovery:
    """An author worth inviting into the community, and why."""

    key: str
    influence: float
    reasons: tuple[Message, ...]
