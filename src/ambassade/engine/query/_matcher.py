"""Many queries compiled into one matcher.

Each query gets a set of *anchor* keys such that any document it matches holds at least one of
them (a word, a hashtag, a prefix, a field value). A document is tokenised once, turned into a
small index (key → positions), and only the queries anchored on one of its keys are evaluated,
each as a tree of closures over that index. The cost per document grows with the number of
queries that share its words, not with the number of queries.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from ._ast import And, Field, Near, Node, Not, Or, Pattern, Phrase, Prefix, Term
from ._document import Document, PreparedDocument, prepare
from ._errors import QuerySyntaxError
from ._parser import check_matchable, parse
from ._text import url_body

__all__ = ["InvalidQueryError", "Matcher"]

_Index = dict[str, list[int]]
_Test = Callable[[_Index, PreparedDocument], bool]
_Spans = Callable[[_Index], list[tuple[int, int]]]
_Cost = Callable[[str], float]

_SIGNS: Final = {"word": "", "hashtag": "#", "mention": "@"}

# Words too common to be good anchors: a query AND-ing one of them with anything else anchors on
# the other operand. Only a cost estimate: any anchor is correct, a rare one is fast.
_COMMON_WORDS: Final = """
    a an and are as at be but by for from has have i in is it its my no not of on or so that the
    this to was we with you your me our they he she do dont just will can get
    au aux avec ce ces dans de des du elle en est et il ils je la le les leur mais me mon ne nous on
    ou par pas plus pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous y
    c d j l m n s t"""
_COMMON: Final = frozenset(_COMMON_WORDS.split())


class InvalidQueryError(QuerySyntaxError):
    """A query of a :class:`Matcher` that does not parse; ``query_id`` names it."""

    def __init__(self, query_id: str, error: QuerySyntaxError) -> None:
        super().__init__(error.column, error.expected, error.message, error.code, error.params)
        self.query_id = query_id
        self.args = (f"query {query_id!r}, column {error.column}: {error.message}",)


def _cost(key: str) -> float:
    """A rough guess of how often a key occurs: the anchor with the lowest sum wins."""
    if key.startswith(("lang:", "source:")):
        return 5000.0
    if key.startswith("author:"):
        return 2.0
    if key.startswith("site:"):
        return 20.0
    if key == "url:":
        return 200.0
    if key.startswith("urlhead:"):
        return 20.0
    if key.startswith("*"):
        body = key[1:]
        if body[0] in "#@":
            return 8.0
        return {3: 60.0, 4: 30.0}.get(len(body), 15.0)
    if key[0] in "#@":
        return 4.0
    if key in _COMMON:
        return 1000.0
    return 40.0 if len(key) <= 3 else 10.0


def _key(item: Term | Prefix) -> str:
    sign = _SIGNS[item.kind]
    return f"*{sign}{item.text}" if isinstance(item, Prefix) else sign + item.text


def _url_head(body: str) -> tuple[str, bool]:
    """The part of a URL body before its path, query or fragment, and whether anything follows."""
    for index, char in enumerate(body):
        if char in "/?#":
            return body[:index], True
    return body, False


def _field_key(node: Field) -> str:
    if node.name != "url":
        return f"{node.name}:{node.value}"
    # url:example.com/promo can only match a URL whose head is exactly example.com; a bare
    # url:examp can match any head starting so, and anchors on "the message has a URL".
    head, more = _url_head(node.value)
    return f"urlhead:{head}" if more else "url:"


def _anchors(node: Node, cost: _Cost = _cost) -> tuple[float, frozenset[str]] | None:
    """The cheapest set of keys one of which every match holds; None under NOT."""
    if isinstance(node, Term | Prefix):
        key = _key(node)
        return cost(key), frozenset((key,))
    if isinstance(node, Phrase):
        key = min((_key(item) for item in node.items), key=cost)
        return cost(key), frozenset((key,))
    if isinstance(node, Field):
        key = _field_key(node)
        return cost(key), frozenset((key,))
    if isinstance(node, Near):
        sides = (_alternatives(node.left, cost), _alternatives(node.right, cost))
        return min(sides, key=lambda side: side[0])
    if isinstance(node, Not):
        return None
    if isinstance(node, And):
        options = [a for a in (_anchors(o, cost) for o in node.operands) if a is not None]
        return min(options, key=lambda option: option[0]) if options else None
    found = [_anchors(operand, cost) for operand in node.operands]
    if any(option is None for option in found):
        return None
    return _union([option for option in found if option is not None])


def _alternatives(patterns: tuple[Pattern, ...], cost: _Cost) -> tuple[float, frozenset[str]]:
    found = [_anchors(pattern, cost) for pattern in patterns]
    return _union([option for option in found if option is not None])


def _union(options: list[tuple[float, frozenset[str]]]) -> tuple[float, frozenset[str]]:
    return sum(cost for cost, _ in options), frozenset().union(*(keys for _, keys in options))


def _exact(node: Node) -> bool:
    """Whether holding any anchor key is the whole query (no evaluation needed)."""
    if isinstance(node, Term | Prefix):
        return True
    if isinstance(node, Field):
        return node.name != "url"
    if isinstance(node, Or):
        return all(_exact(operand) for operand in node.operands)
    return False


def _compile_spans(pattern: Pattern) -> _Spans:
    if not isinstance(pattern, Phrase):
        key = _key(pattern)

        def single(index: _Index) -> list[tuple[int, int]]:
            return [(position, position) for position in index.get(key, ())]

        return single
    keys = [_key(item) for item in pattern.items]
    first, rest = keys[0], list(enumerate(keys[1:], 1))
    width = len(keys) - 1

    def phrase(index: _Index) -> list[tuple[int, int]]:
        starts = index.get(first)
        if not starts:
            return []
        for offset, key in rest:
            positions = index.get(key)
            if not positions:
                return []
            present = set(positions)
            starts = [start for start in starts if start + offset in present]
            if not starts:
                return []
        return [(start, start + width) for start in starts]

    return phrase


def _compile(node: Node) -> _Test:
    if isinstance(node, Term | Prefix):
        key = _key(node)
        return lambda index, _document: key in index
    if isinstance(node, Phrase):
        spans = _compile_spans(node)
        return lambda index, _document: bool(spans(index))
    if isinstance(node, Field):
        return _compile_field(node)
    if isinstance(node, Near):
        return _compile_near(node)
    if isinstance(node, Not):
        operand = _compile(node.operand)
        return lambda index, document: not operand(index, document)
    keys = [key for key in map(_plain_key, node.operands) if key is not None]
    others = [operand for operand in node.operands if _plain_key(operand) is None]
    if isinstance(node, And):
        # A candidate holds the anchor, so the anchored operand is the least likely to fail: last.
        anchored = _anchored_operand(node)
        others.sort(key=lambda operand: (operand is anchored, _weight(operand)))
    else:
        others.sort(key=_weight)
    tests = [_compile(operand) for operand in others]
    if keys:
        tests.insert(0, _all_keys(keys) if isinstance(node, And) else _any_key(keys))
    if len(tests) == 1:
        return tests[0]
    if isinstance(node, And):

        def all_of(index: _Index, document: PreparedDocument) -> bool:
            for test in tests:  # noqa: SIM110 - a loop is faster than all() on this hot path
                if not test(index, document):
                    return False
            return True

        return all_of

    def any_of(index: _Index, document: PreparedDocument) -> bool:
        for test in tests:  # noqa: SIM110 - a loop is faster than any() on this hot path
            if test(index, document):
                return True
        return False

    return any_of


def _plain_key(node: Node) -> str | None:
    """The index key whose presence is the whole test of `node`, if there is one."""
    if isinstance(node, Term | Prefix):
        return _key(node)
    if isinstance(node, Field) and node.name != "url":
        return _field_key(node)
    return None


def _all_keys(keys: list[str]) -> _Test:
    def all_keys(index: _Index, _document: PreparedDocument) -> bool:
        for key in keys:  # noqa: SIM110 - a loop is faster than all() on this hot path
            if key not in index:
                return False
        return True

    return all_keys


def _any_key(keys: list[str]) -> _Test:
    def any_key(index: _Index, _document: PreparedDocument) -> bool:
        for key in keys:  # noqa: SIM110 - a loop is faster than any() on this hot path
            if key in index:
                return True
        return False

    return any_key


def _anchored_operand(node: And) -> Node | None:
    found = [(a[0], o) for o, a in ((o, _anchors(o)) for o in node.operands) if a is not None]
    return min(found, key=lambda pair: pair[0])[1] if found else None


def _weight(node: Node) -> int:
    """Cheap tests first: key lookups, then boolean groups, then positions and negations."""
    if isinstance(node, Term | Prefix | Field):
        return 0
    return 2 if isinstance(node, Near | Not | Phrase) else 1


def _compile_field(node: Field) -> _Test:
    if node.name == "url":
        value = node.value
        return lambda _index, document: any(
            url_body(url).startswith(value) for url in document.urls
        )
    key = _field_key(node)
    return lambda index, _document: key in index


def _compile_near(node: Near) -> _Test:
    lefts = [_compile_spans(pattern) for pattern in node.left]
    rights = [_compile_spans(pattern) for pattern in node.right]
    distance, ordered = node.distance, node.ordered

    def near(index: _Index, _document: PreparedDocument) -> bool:
        left = [span for spans in lefts for span in spans(index)]
        if not left:
            return False
        right = [span for spans in rights for span in spans(index)]
        if not right:
            return False
        # Sorted ends and binary search, not every (left, right) pair: a long message repeating two
        # words far apart would otherwise cost the square of its length (20,000 words: 45 s).
        # Ordered: a right span starts within `distance` after a left one ends.
        starts = sorted(first for first, _ in right)
        for _, left_last in left:
            after = bisect_right(starts, left_last)
            if after < len(starts) and starts[after] - left_last <= distance:
                return True
        if ordered:
            return False
        # Either order: or a right span ends within `distance` before a left one starts.
        ends = sorted(last for _, last in right)
        for left_first, _ in left:
            before = bisect_left(ends, left_first) - 1
            if before >= 0 and left_first - ends[before] <= distance:
                return True
        return False

    return near


class Matcher:
    """Match documents against many queries at once.

    ``queries`` maps an id to a query text or tree; a text that does not parse, or a tree that a
    message holding nothing could match, raises :class:`InvalidQueryError`. ``match`` returns the
    ids of the queries a document matches, sorted; it agrees with :func:`evaluate` on every query
    and document. ``ids`` holds the query ids in order, ``trees`` the parsed queries, and
    ``last_candidates`` how many queries the last ``match`` evaluated (for measurement).
    """

    def __init__(
        self,
        queries: Mapping[str, str | Node],
        *,
        frequencies: Mapping[str, float] | None = None,
    ) -> None:
        self.ids: tuple[str, ...] = tuple(sorted(queries))
        self.trees: dict[str, Node] = {}
        self._tests: list[_Test | None] = []
        # Every prefix of every query, by its first three characters (a prefix has at least three,
        # four with its sign): one lookup per document key finds the prefixes it may start with.
        self._heads: dict[str, list[str]] = {}
        for query_id in self.ids:
            query = queries[query_id]
            try:
                tree = parse(query) if isinstance(query, str) else query
                if not isinstance(query, str):
                    check_matchable(tree)
            except QuerySyntaxError as error:
                raise InvalidQueryError(query_id, error) from None
            self.trees[query_id] = tree
            self._tests.append(None if _exact(tree) else _compile(tree))
            for prefix in _prefixes_of(tree):
                heads = self._heads.setdefault(prefix[:3], [])
                if prefix not in heads:
                    heads.append(prefix)
        self._postings: dict[str, list[int]] = {}
        self._anchor(frequencies)
        self.last_candidates = 0

    def _anchor(self, frequencies: Mapping[str, float] | None) -> None:
        cost = _cost
        if frequencies is not None:
            # Measured frequencies decide; the fixed estimate only breaks ties between keys the
            # sample never saw.
            def cost(key: str) -> float:
                return frequencies.get(key, 0.0) + _cost(key) * 1e-9

        postings: dict[str, list[int]] = {}
        for number, query_id in enumerate(self.ids):
            anchors = _anchors(self.trees[query_id], cost)
            assert anchors is not None  # check_matchable guarantees one
            for key in anchors[1]:
                postings.setdefault(key, []).append(number)
        self._postings = postings

    def tune(self, documents: Iterable[Document | PreparedDocument]) -> dict[str, float]:
        """Choose anchors from the keys' frequencies in `documents` (a sample of recent traffic)
        rather than from the fixed estimate, and return those frequencies, which the constructor
        takes back as ``frequencies`` (to store them). Results never change; speed may."""
        counts: dict[str, int] = {}
        total = 0
        for document in documents:
            if isinstance(document, Document):
                document = prepare(document)
            for key in self.index(document):
                counts[key] = counts.get(key, 0) + 1
            total += 1
        frequencies = {key: count / total for key, count in counts.items()}
        self._anchor(frequencies)
        return frequencies

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, document: PreparedDocument) -> _Index:
        """The keys of a document this matcher looks up: words, signed hashtags and mentions,
        the query prefixes they start with, and field values."""
        index: _Index = {}
        for position, (url, sign, word) in enumerate(document.scanned):
            if url:
                continue
            positions = index.get(word)
            if positions is None:
                index[word] = [position]
            else:
                positions.append(position)
            if sign:
                signed = sign + word
                positions = index.get(signed)
                if positions is None:
                    index[signed] = [position]
                else:
                    positions.append(position)
        if self._heads:
            heads = self._heads
            found: _Index = {}
            for key, positions in index.items():
                prefixes = heads.get(key[:3])
                if prefixes is not None:
                    for prefix in prefixes:
                        if key.startswith(prefix):
                            found.setdefault("*" + prefix, []).extend(positions)
            index.update(found)
        for lang in document.langs:
            index["lang:" + lang] = []
        if document.source:
            index["source:" + document.source] = []
        if document.author:
            index["author:" + document.author] = []
        for host in document.hosts:
            parts = host.split(".")
            for start in range(len(parts)):
                index["site:" + ".".join(parts[start:])] = []
        if document.urls:
            index["url:"] = []
            for url in document.urls:
                index["urlhead:" + _url_head(url_body(url))[0]] = []
        return index

    def match(self, document: Document | PreparedDocument) -> list[str]:
        """The ids of the queries `document` matches, sorted."""
        if isinstance(document, Document):
            document = prepare(document)
        index = self.index(document)
        postings = self._postings
        candidates: set[int] = set()
        for key in index:
            numbers = postings.get(key)
            if numbers is not None:
                candidates.update(numbers)
        self.last_candidates = len(candidates)
        tests, matched = self._tests, []
        for number in candidates:
            test = tests[number]
            if test is None or test(index, document):
                matched.append(number)
        matched.sort()
        ids = self.ids
        return [ids[number] for number in matched]

    def match_many(self, documents: Iterable[Document | PreparedDocument]) -> list[list[str]]:
        """``match`` for each document, in order."""
        return [self.match(document) for document in documents]


def _prefixes_of(node: Node) -> Iterable[str]:
    if isinstance(node, Prefix):
        yield _key(node)[1:]
    elif isinstance(node, Phrase):
        for item in node.items:
            yield from _prefixes_of(item)
    elif isinstance(node, Near):
        for pattern in node.left + node.right:
            yield from _prefixes_of(pattern)
    elif isinstance(node, Not):
        yield from _prefixes_of(node.operand)
    elif isinstance(node, And | Or):
        for operand in node.operands:
            yield from _prefixes_of(operand)
