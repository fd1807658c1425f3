"""Which members of a community are probably one person: merge suggestions with their evidence.

>>> from ambassade.engine.identities import Identity, Profile, suggest_merges
>>> ana = Profile("1", (Identity("mastodon", "ana_b@piaille.fr", "Ana Belle"),))
>>> ana_x = Profile("2", (Identity("x", "Ana_B", "Ana Belle"),))
>>> [(c.first, c.second, c.score) for c in suggest_merges([ana, ana_x])]
[('1', '2', 0.8125)]
>>> [e.message.code for e in suggest_merges([ana, ana_x])[0].evidence]
['identity.same_handle', 'identity.same_name']
"""

from ambassade.engine.identities._merge import (
    HIGH_CONFIDENCE,
    Blocking,
    Candidate,
    Evidence,
    Identity,
    Profile,
    blocking,
    match,
    name_similarity,
    suggest_merges,
)

__all__ = [
    "HIGH_CONFIDENCE",
    "Blocking",
    "Candidate",
    "Evidence",
    "Identity",
    "Profile",
    "blocking",
    "match",
    "name_similarity",
    "suggest_merges",
]
