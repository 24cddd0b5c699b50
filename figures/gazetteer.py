r"""Places and parties: Arabic spellings and variants mapped to canonical ids
with English and Arabic names.

The data is `figures/data/gazetteer.toml` (its header says what a variant may
look like and how ambiguous names are read); it is loaded on first use (an
import costs nothing: `raqib --help` never reads it) into two matchers, one for
places and one for parties.  A matcher is a trie of every folded variant,
walked character by character from the start of a word (no regular expression
to compile: a regex of every name took seconds to build), so that the longest
name at the leftmost position wins, framed by word boundaries that let the
Arabic proclitics و ف ب ك ل stand before a name and never let a name match
inside a longer word.  It reads exactly as the regular expression
`(?<!\w)(?:[وف]?[بكل]?(?P<n>NAMES)|[وف]?ل(?P<l>NAMES-AFTER-ال))(?!\w)` would,
NAMES a trie-shaped alternation with deeper branches tried first (see `_walk`).

- The bare name of a governorate and its capital (دير الزور، الرقة) is the
  governorate; `مدينة X` is the city, id `X-city`.
- Bare `التنظيم` ("the organisation") is IS only in a text that names IS (or
  al-Qaeda, the other candidate) unambiguously; otherwise it is not reported.
- Every party name blocks the places inside it: `قوات سوريا الديمقراطية` is a
  party and no mention of Syria.
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Final, NamedTuple

from figures.text import fold

log = logging.getLogger(__name__)

PLACE_KINDS = frozenset(
    {"governorate", "city", "town", "district", "camp", "field", "country", "region"}
)
"""The kinds a place may have."""

PARTY_KIND = "party"
"""The kind of every party."""


class GazetteerError(ValueError):
    """The gazetteer data contradicts itself (duplicate id, unknown parent…)."""


class Mention(NamedTuple):
    """A place or party named in normalised text (a named tuple: an article
    yields dozens, and a tuple is built several times faster than a frozen
    dataclass)."""

    start: int
    """Offset in the normalised text."""
    end: int
    """Offset just past the mention in the normalised text."""
    id: str
    """Canonical id (`deir-ez-zor`, `is`, `sdf`…)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One canonical place or party."""

    id: str
    """Canonical id: lowercase ASCII with hyphens."""
    name_en: str
    """English name."""
    name_ar: str
    """Arabic name as usually written."""
    kind: str
    """governorate, city, town, district, camp, field, country, region; or party."""
    parent: str | None = None
    """Id of the enclosing place (a town's governorate), if any; for a party,
    the country it fights for (used only to read ambiguous names)."""
    iso: str | None = None
    """ISO code of a place that has one: 3166-1 alpha-2 for a country (`SY`),
    3166-2 for a first-level division or a town that is one (`SY-DY`)."""


@dataclass(frozen=True, slots=True)
class _Target:
    """What a matched name stands for."""

    ids: tuple[str, ...]
    """Candidates: one for a plain name, several for an ambiguous one, none for
    a phrase that only blocks the names inside it."""
    default: str | None
    """The id when the text does not decide (a plain name's only id)."""
    person: str | None = None
    """For a person's full name: the key of the family name it turns into a person."""
    only: str | None = field(init=False, compare=False)
    """The id of a plain name (exactly one candidate), else None."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "only", self.ids[0] if len(self.ids) == 1 else None)


_Decoded = tuple[int, int, str, _Target]
"""What a matched string says: its name's start and end within the match, the
name's key and its target."""


class _Node:
    """A node of a matcher's trie while it is built (`_flat` lays the trie out
    in tables of plain ints, which the garbage collector need not walk): the
    steps out of it for each next character (see `_walk`), and whether a name
    ends here."""

    def __init__(self) -> None:
        self.steps: dict[str, tuple[tuple[int, _Node], ...]] = {}
        """Next character to the steps it allows, in the order they are tried:
        (kind, child) with kind `_LETTER` (the character is the child's letter,
        or a word-final ة/ه), `_GAP` (white space or `_` between words, maybe
        none) or `_DIRECTION` (a trailing direction, the matcher's `direction`)."""
        self.space: tuple[tuple[int, _Node], ...] = ()
        """The steps when the next character is white space or `_`."""
        self.other: tuple[tuple[int, _Node], ...] = ()
        """The steps before any other character or the end: an empty gap."""
        self.end = False
        """A name ends here."""
        self.depth = 0
        """The longest run of atoms below (the regex tried deeper branches first)."""


@dataclass(frozen=True, slots=True, eq=False)
class _Matcher:
    """One category's names, as tries."""

    steps: dict[int, tuple[int, ...]]
    """The trie of every name, atom by atom (a letter, `[ةه]` word-finally, a
    gap, a direction), its nodes numbered: `node << 21 | ord(char)` to the
    steps out of the node when the next character is `char`, in the order they
    are tried, each `child << 2 | kind` (`_LETTER`, `_GAP`, `_DIRECTION`)."""
    space: dict[int, tuple[int, ...]]
    """Node to its steps when the next character is white space or `_`."""
    other: dict[int, tuple[int, ...]]
    """Node to its steps before any other character or the end (an empty gap)."""
    ends: bytes
    """1 at each node where a name ends."""
    exits: bytes
    """1 at each node with a step out of it."""
    names: int
    """The root of every name."""
    after_lam: int
    """The root of the names that begin with ال, less their alef (read after
    the proclitic ل: للرقة)."""
    direction: re.Pattern[str]
    """A direction after a countryside name (ريف حلب الشمالي), word-bounded."""
    heads: frozenset[str]
    """The letter runs that may begin one of its names (see `Gazetteer.heads`)."""
    spellings: frozenset[str]
    """Every name as listed (the tries' source; tests rebuild the old regex from it)."""
    suffixed: frozenset[str]
    """The names that may be followed by a direction."""
    targets: Mapping[str, _Target]
    """Folded key of every name (see `_key`) to what it stands for."""
    suffix: re.Pattern[str]
    """A direction at the end of a match (ريف حلب الشمالي), dropped before the lookup."""
    decoded: dict[str, _Decoded] = field(default_factory=dict)
    """What each matched string says (see `_decode`), filled as texts are read."""
    opens: dict[str, bool] = field(default_factory=dict)
    """Whether a match may begin at each word read (see `_opens`)."""
    words: dict[str, tuple[int, int, bool] | None] = field(default_factory=dict)
    """What `_match` says of each window of text read alone (see `_match_at`)."""


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """The loaded data: entries, matchers and the tables behind the lookups."""

    places: Mapping[str, Entry]
    """Places by id, in data order."""
    parties: Mapping[str, Entry]
    """Parties by id, in data order."""
    place_matcher: _Matcher
    """Finds places (party names are blockers here)."""
    party_matcher: _Matcher
    """Finds parties."""
    place_names: Mapping[str, str]
    """English key (see `_en_key`) of every place id, name and alias, and Arabic
    key of every strict name (a user may type الباب alone), to its id."""
    party_names: Mapping[str, str]
    """The same for parties."""
    families: Mapping[str, tuple[str, ...]]
    """Every id to itself and its parents, innermost first."""
    demonyms: frozenset[str]
    """Key (see `_key`) of every nationality adjective (`السوريين`, `العراقية`):
    such a mention names a country through a noun it qualifies."""
    heads: frozenset[str]
    """The first word, the first two words run together, … of every name
    (folded, ه as ة), and the same of a name after ال less its alef
    (`للرقة`): the letter run that begins a name in text, behind its
    proclitics, is one of these, as the name's words are separated by
    nothing but white space or `_` (see `may_start_name`)."""


# ---------------------------------------------------------------- keys and regexes

_SEP = r"[\s_]*"
_TEH = "[ةه]"
_SPLIT = re.compile(r"[\s_]+")
_EN_ARTICLES = frozenset(
    {"al", "el", "ad", "adh", "an", "ar", "as", "ash", "at", "ath", "az", "ez"}
)


def _key(name: str) -> str:
    """The form two spellings of one name share: folded, no separators, ه as ة."""
    return _SPLIT.sub("", fold(name)).replace("ه", "ة")


def _en_key(name: str) -> str:
    """The form two English spellings share: ASCII letters and digits only, no `al-`."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("'", "")
    tokens = re.findall(r"[a-z0-9]+", text.replace("\u2019", ""))
    kept = [t for t in tokens if t not in _EN_ARTICLES] if len(tokens) > 1 else tokens
    return "".join(kept)


def _symbols(name: str) -> tuple[str, ...]:
    """A folded name as regex atoms: one per letter, `[ةه]` word-finally, a separator."""
    atoms: list[str] = []
    for i, word in enumerate(fold(name).split()):
        if i:
            atoms.append(_SEP)
        last = len(word) - 1
        atoms.extend(
            _TEH if (j == last and c in "ةه") else re.escape(c) for j, c in enumerate(word)
        )
    return tuple(atoms)


_LETTER: Final = 0
_GAP: Final = 1
_DIRECTION: Final = 2
_GAP_ATOM = "\x00gap"
_TEH_ATOM = "\x00teh"
_DIRECTION_ATOM = "\x00direction"


def _atoms(name: str) -> tuple[str, ...]:
    """A folded name as trie atoms: a letter, `_TEH_ATOM` for a word-final ة or ه,
    `_GAP_ATOM` between words (as `_symbols`, without the regex)."""
    atoms: list[str] = []
    for i, word in enumerate(fold(name).split()):
        if i:
            atoms.append(_GAP_ATOM)
        last = len(word) - 1
        atoms.extend(_TEH_ATOM if (j == last and c in "ةه") else c for j, c in enumerate(word))
    return tuple(atoms)


def _trie(seqs: Iterable[tuple[str, ...]]) -> _Node:
    """The trie of `seqs`, each node's steps in the regex's order: deeper first,
    ties in the order the atoms were first seen, a name's end last."""
    root = _Node()
    kids: dict[int, dict[str, _Node]] = {}
    nodes: list[_Node] = [root]
    for atoms in seqs:
        node = root
        for atom in atoms:
            below = kids.get(id(node))
            if below is None:
                below = kids[id(node)] = {}
            child = below.get(atom)
            if child is None:
                child = below[atom] = _Node()
                nodes.append(child)
            node = child
        node.end = True
    for node in reversed(nodes):  # every node after its children
        below = kids.get(id(node))
        if below is not None:
            _finish(node, below)
    return root


def _finish(node: _Node, below: dict[str, _Node]) -> None:
    """Set the depth and steps of `node`, its children `below` finished."""
    if len(below) == 1:  # most nodes: one way on
        atom, child = next(iter(below.items()))
        node.depth = 1 + child.depth
        if atom == _GAP_ATOM:
            node.other = node.space = ((_GAP, child),)
        elif atom == _DIRECTION_ATOM:
            node.space = ((_DIRECTION, child),)
        elif atom == _TEH_ATOM:
            node.steps = {"ة": ((_LETTER, child),), "ه": ((_LETTER, child),)}
        else:
            node.steps = {atom: ((_LETTER, child),)}
        return
    ranked = sorted(below.items(), key=lambda kid: -kid[1].depth)
    node.depth = 1 + ranked[0][1].depth
    node.other = tuple((_GAP, k) for a, k in ranked if a == _GAP_ATOM)
    node.space = tuple(
        (_GAP if a == _GAP_ATOM else _DIRECTION, k)
        for a, k in ranked
        if a in (_GAP_ATOM, _DIRECTION_ATOM)
    )
    letters = {a for a in below if len(a) == 1} | ({"ة", "ه"} if _TEH_ATOM in below else set())
    node.steps = {
        c: tuple(
            (_GAP if a == _GAP_ATOM else _LETTER, k)
            for a, k in ranked
            if a in (c, _GAP_ATOM) or (a == _TEH_ATOM and c in "ةه")
        )
        for c in letters
    }


def _after_lam(root: _Node, seqs: list[tuple[str, ...]]) -> _Node:
    """The trie of the names in `root` (built from `seqs`) that begin with ال,
    less their alef: the branch of `root` below ا, which it shares."""
    alef = root.steps.get("ا", ())
    lam = [k for kind, k in alef if kind == _LETTER]
    lams = [k for kind, k in lam[0].steps.get("ل", ()) if kind == _LETTER] if lam else []
    out = _Node()
    if not lams:
        return out
    if lams[0].end:  # the name ال itself: not a name after ل; build apart
        return _trie(atoms[1:] for atoms in seqs if atoms[:2] == ("ا", "ل") and len(atoms) > 2)
    out.steps = {"ل": ((_LETTER, lams[0]),)}
    out.depth = 1 + lams[0].depth
    return out


_Flat = tuple[
    dict[int, tuple[int, ...]], dict[int, tuple[int, ...]], dict[int, tuple[int, ...]], bytes, bytes
]


def _flat(roots: list[_Node]) -> tuple[_Flat, list[int]]:
    """The tries below `roots` as tables (see `_Matcher.steps`), and the roots' numbers."""
    number: dict[int, int] = {}
    order: list[_Node] = []
    todo = list(roots)
    while todo:
        node = todo.pop()
        if id(node) in number:
            continue
        number[id(node)] = len(order)
        order.append(node)
        for opts in (*node.steps.values(), node.space, node.other):
            todo.extend(child for _, child in opts)

    def encode(opts: tuple[tuple[int, _Node], ...]) -> tuple[int, ...]:
        return tuple(number[id(child)] << 2 | kind for kind, child in opts)

    steps: dict[int, tuple[int, ...]] = {}
    space: dict[int, tuple[int, ...]] = {}
    other: dict[int, tuple[int, ...]] = {}
    for k, node in enumerate(order):
        for ch, opts in node.steps.items():
            steps[k << 21 | ord(ch)] = encode(opts)
        if node.space:
            space[k] = encode(node.space)
        if node.other:
            other[k] = encode(node.other)
    ends = bytes(1 if node.end else 0 for node in order)
    exits = bytes(1 if node.steps or node.space or node.other else 0 for node in order)
    return (steps, space, other, ends, exits), [number[id(root)] for root in roots]


def _heads(names: Iterable[str]) -> frozenset[str]:
    """See `Gazetteer.heads`."""
    out: set[str] = set()
    for name in names:
        words = fold(name).replace("ه", "ة").split()
        for k in range(1, len(words) + 1):
            head = "".join(words[:k])
            out.add(head)
            if head.startswith("ال"):
                out.add(head[1:])
    return frozenset(out)


def _alternation(words: Iterable[str]) -> str:
    """Words as one regex alternation, longest first."""
    ordered = sorted({"".join(_symbols(w)) for w in words}, key=len, reverse=True)
    return "(?:" + "|".join(ordered) + ")" if ordered else "(?!)"


def _compile(
    names: Iterable[str], suffixed: Iterable[str], directions: str, targets: Mapping[str, _Target]
) -> _Matcher:
    """The matcher of `names`; a name in `suffixed` may be followed by a direction."""
    spellings = frozenset(names)
    after = frozenset(suffixed)
    seqs = sorted({_atoms(n) for n in spellings} | {(*_atoms(n), _DIRECTION_ATOM) for n in after})
    root = _trie(seqs)
    (steps, space, other, ends, exits), (names_root, lam_root) = _flat(
        [root, _after_lam(root, seqs)]
    )
    return _Matcher(
        steps,
        space,
        other,
        ends,
        exits,
        names_root,
        lam_root,
        re.compile(f"[\\s_]+{directions}(?!\\w)"),
        _heads(spellings),
        spellings,
        after,
        targets,
        re.compile(f"[\\s_]+{directions}$"),
    )


# ---------------------------------------------------------------- building from data

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _entries(rows: list[dict[str, Any]], party: bool) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for row in rows:
        ident = str(row["id"])
        if not _ID.fullmatch(ident):
            raise GazetteerError(f"id {ident!r} is not lowercase ASCII with hyphens")
        if ident in out:
            raise GazetteerError(f"id {ident!r} appears twice")
        kind = PARTY_KIND if party else str(row["kind"])
        if not party and kind not in PLACE_KINDS:
            raise GazetteerError(f"place {ident!r} has unknown kind {kind!r}")
        parent = row.get("parent")
        iso = row.get("iso")
        if iso is not None and not _ISO.fullmatch(str(iso)):
            raise GazetteerError(f"{ident!r} has malformed ISO code {iso!r}")
        out[ident] = Entry(ident, str(row["en"]), str(row["ar"]), kind, parent, iso)
    return out


_ISO = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")

_DEMONYM_FORMS = ("", "ة", "ون", "ين", "ات")
"""Endings of a nationality adjective (سوري، سورية، سوريون، سوريين، سوريات),
each also with the article."""


def demonym_forms(base: str) -> list[str]:
    """The forms of a nationality adjective written as its masculine singular."""
    return [f"{art}{base}{end}" for end in _DEMONYM_FORMS for art in ("", "ال")]


class _Names:
    """Collects key → target for one category, refusing contradictions."""

    def __init__(self) -> None:
        self.targets: dict[str, _Target] = {}
        self.spellings: dict[str, set[str]] = {}
        self.suffixed: set[str] = set()

    def add(self, name: str, target: _Target, *, weak: bool = False, suffix: bool = False) -> None:
        """Add `name`; a weak (generated) name yields to any earlier name of the
        same key; a name with `suffix` may be followed by a direction, whichever
        entry it turns out to name."""
        key = _key(name)
        if suffix:
            self.suffixed.add(name)
        if not key:
            raise GazetteerError(f"empty name for {target.ids}")
        old = self.targets.get(key)
        if old is not None and old != target:
            if weak:
                return
            raise GazetteerError(
                f"{name!r} names both {old.ids or 'a blocker'} and {target.ids or 'a blocker'}"
            )
        self.targets.setdefault(key, target)
        self.spellings.setdefault(key, set()).add(name)


MAX_DEPTH = 16
"""Most places one walk up the hierarchy visits (the data's deepest chain is far less)."""


def walk_up(start: str, parent_of: Callable[[str], str | None]) -> tuple[str, ...]:
    """`start` and each place enclosing it, innermost first, as `parent_of` tells: the
    one walk up the place hierarchy (the gazetteer's `ancestors`, a subscription's
    places, a key's governorate).  It stops at the top, before an id it has already
    visited (a loop in the data) and after `MAX_DEPTH` places."""
    out = [start]
    up = parent_of(start)
    while up is not None and up not in out and len(out) < MAX_DEPTH:
        out.append(up)
        up = parent_of(up)
    return tuple(out)


def _chain(places: Mapping[str, Entry], entry: Entry) -> tuple[str, ...]:
    """The entry's id, its parent's, and so on up."""

    def parent_of(ident: str) -> str | None:
        found = entry if ident == entry.id else places.get(ident)
        return found.parent if found is not None else None

    chain = walk_up(entry.id, parent_of)
    beyond = parent_of(chain[-1])
    if beyond in chain:
        raise GazetteerError(f"parents of {entry.id!r} loop through {beyond!r}")
    if beyond is not None:
        raise GazetteerError(f"{entry.id!r} lies more than {MAX_DEPTH} places deep")
    return chain


def build(data: Mapping[str, Any]) -> Gazetteer:
    """A gazetteer from parsed TOML data; GazetteerError names any contradiction."""
    places = _entries(list(data.get("places", [])), party=False)
    parties = _entries(list(data.get("parties", [])), party=True)
    for ident in places.keys() & parties.keys():
        raise GazetteerError(f"id {ident!r} is both a place and a party")
    for entry in (*places.values(), *parties.values()):
        if entry.parent is not None and entry.parent not in places:
            raise GazetteerError(f"{entry.id!r} has unknown parent {entry.parent!r}")
        _chain(places, entry)

    rules = data.get("rules", {})
    ignore = data.get("ignore", {})
    rows = {"place": list(data.get("places", [])), "party": list(data.get("parties", []))}
    names = {"place": _Names(), "party": _Names()}
    for category, table in rows.items():
        for row in table:
            target = _Target((row["id"],), row["id"])
            strict = list(row.get("strict", []))
            for name in [row["ar"], *row.get("variants", [])]:
                if name not in strict:
                    names[category].add(name, target)
            for name in strict:
                for word in rules.get("context", []):
                    names[category].add(f"{word} {name}", target, weak=True)
    demonyms: set[str] = set()
    for row in rows["place"]:
        target = _Target((row["id"],), row["id"])
        forms = [f for base in row.get("demonyms", []) for f in demonym_forms(base)]
        for form in [*forms, *row.get("demonym_variants", [])]:
            if _key(form) in names["place"].targets:
                continue  # a name in its own right (سورية is Syria)
            names["place"].add(form, target, weak=True)
            demonyms.add(_key(form))
    for row in rows["place"]:
        if row["kind"] != "governorate":
            continue
        target = _Target((row["id"],), row["id"])
        for base in [row["ar"], *row.get("variants", [])]:
            for prefix in rules.get("governorate_prefixes", []):
                names["place"].add(f"{prefix} {base}", target, weak=True)
            for prefix in rules.get("countryside", []):
                names["place"].add(f"{prefix} {base}", target, weak=True, suffix=True)
    for amb in data.get("ambiguous", []):
        category = str(amb["category"])
        pool = places if category == "place" else parties
        ids = tuple(str(i) for i in amb["ids"])
        default = amb.get("default")
        for ident in (*ids, *([default] if default else [])):
            if ident not in pool:
                raise GazetteerError(f"ambiguous {amb['variant']!r}: unknown {category} {ident!r}")
        names[category].add(str(amb["variant"]), _Target(ids, default))
    blocker = _Target((), None)
    for category, key in (("place", "places"), ("party", "parties")):
        for phrase in ignore.get(key, []):
            names[category].add(phrase, blocker)
    for person in ignore.get("persons", []):
        target = _Target((), None, _key(person.split()[-1]))
        for category in names:
            names[category].add(person, target)
    for key, target in names["party"].targets.items():
        for spelling in names["party"].spellings[key] if target.ids else ():
            names["place"].add(spelling, blocker, weak=True)

    directions = _alternation(rules.get("directions", []))
    matchers = {
        category: _compile(set().union(*n.spellings.values()), n.suffixed, directions, n.targets)
        for category, n in names.items()
    }
    english: dict[str, dict[str, str]] = {"place": {}, "party": {}}
    for category, table in rows.items():
        for row in table:
            typed = [(n, _en_key(n)) for n in (row["id"], row["en"], *row.get("aliases", []))]
            typed += [(n, _key(n)) for n in row.get("strict", [])]
            for name, key in typed:
                old = english[category].setdefault(key, row["id"])
                if old != row["id"]:
                    raise GazetteerError(f"{name!r} names both {old!r} and {row['id']!r}")
    return Gazetteer(
        places,
        parties,
        matchers["place"],
        matchers["party"],
        english["place"],
        english["party"],
        {e.id: _chain(places, e) for e in (*places.values(), *parties.values())},
        frozenset(demonyms),
        _heads(name for n in names.values() for ns in n.spellings.values() for name in ns),
    )


def _load() -> Gazetteer:
    text = resources.files("figures").joinpath("data/gazetteer.toml").read_text("utf-8")
    return build(tomllib.loads(text))


_G: Gazetteer | None = None
"""The gazetteer, once loaded (see `_gaz`)."""


def _gaz() -> Gazetteer:
    """The gazetteer, loaded on first use."""
    global _G
    if _G is None:
        _G = _load()
    return _G


# ---------------------------------------------------------------- matching


_Hit = tuple[int, int, str, _Target, int, int]
"""One matched name, a plain tuple (texts yield thousands): the name's start
and end, its key and target, and the whole match's start and end (its
proclitics included)."""

_DECODED_MAX: Final = 1 << 14
"""Bound on each matcher's table of decoded matches (emptied when full)."""


def _target(matcher: _Matcher, name: str) -> tuple[str, _Target | None]:
    """The key and target of a matched name (a trailing direction dropped if need be)."""
    key = _key(name)
    target = matcher.targets.get(key)
    if target is None:
        key = _key(matcher.suffix.sub("", name))
        target = matcher.targets.get(key)
    return key, target


def _is_gap(ch: str) -> bool:
    """A character of `[\\s_]` (as `re` reads it for str)."""
    return ch.isspace() or ch == "_"


def _walk(m: _Matcher, node: int, text: str, i: int, end: int, word: bool = False) -> int:
    """Where the first name below `node` that fits text[i:end] ends, -1 if
    none: the steps in order, each followed as deep as it goes, and a name's
    end only once no step leads further, and only before a non-word character
    (or `end`), as the regex's backtracking tries them.  With `word` (text is
    a window of text read alone, which a non-word character or the end
    follows), -2 when the answer may depend on what follows the window: a
    step out of a node at its end, or a direction."""
    table = m.steps
    ends = m.ends
    while True:  # along a run of single letters (most of a trie), no recursion
        if word and i >= end and m.exits[node]:
            return -2
        if i < end:
            ch = text[i]
            steps = table.get(node << 21 | ord(ch))
            if steps is None:
                steps = (m.space if ch.isspace() or ch == "_" else m.other).get(node, ())
        else:
            steps = m.other.get(node, ())
        if len(steps) != 1 or ends[node] or steps[0] & 3 != _LETTER:
            break
        node = steps[0] >> 2
        i += 1
    for step in steps:
        kind = step & 3
        if kind == _LETTER:
            found = _walk(m, step >> 2, text, i + 1, end, word)
        elif kind == _GAP:
            j = i
            while j < end and _is_gap(text[j]):
                j += 1
            found = _walk(m, step >> 2, text, j, end, word)
        elif word:
            return -2
        else:  # a direction ends the name and checks the word boundary itself
            d = m.direction.match(text, i, end)
            found = -1 if d is None else d.end()
        if found != -1:
            return found
    if ends[node] and (i >= end or not _is_word(text[i])):
        return i
    return -1


_CONTEXT: Final = (-2, -2, False)
"""What `_match` says of a word read alone whose match depends on what follows it."""
_UNSEEN: Final[tuple[int, int, bool] | None] = (-3, -3, False)


def _match(
    matcher: _Matcher, text: str, pos: int, end: int, word: bool = False
) -> tuple[int, int, bool] | None:
    """The match at `pos` in text[:end] as the regex of the module docstring
    would find it: the name's start and end, and whether it came after لل
    (its alef elided; group `l`).  With `word` (see `_walk`), `_CONTEXT` when
    that depends on what follows."""
    if pos >= end or (pos > 0 and _is_word(text[pos - 1])):
        return None
    clitics = (pos + 1, pos) if text[pos] in "وف" else (pos,)
    for a in clitics:
        for b in (a + 1, a) if a < end and text[a] in "بكل" else (a,):
            found = _walk(matcher, matcher.names, text, b, end, word)
            if found == -2:
                return _CONTEXT
            if found >= 0:
                return b, found, False
    for a in clitics:
        if a < end and text[a] == "ل":
            found = _walk(matcher, matcher.after_lam, text, a + 1, end, word)
            if found == -2:
                return _CONTEXT
            if found >= 0:
                return a + 1, found, True
    return None


_WINDOW_RUNS: Final = 3
"""How many runs of `\\w` `_match_at` reads alone before it reads the text."""


def _match_at(
    matcher: _Matcher, text: str, pos: int, end: int, head: str = ""
) -> tuple[int, int, bool] | None:
    """`_match(matcher, text, pos, end)`, `pos` the start of a run of `\\w`:
    read from what the text from `pos` to the end of that run says alone, or
    failing that (it depends on what follows) to the end of the next run, and
    so on; each such window's answer remembered (names and their first words
    repeat from text to text).  `head`, if given, is the letter run of the
    text at `pos` (a caller's token): when the run of `\\w` ends with it, it is
    the first window as it stands (no search for its end, no slice)."""
    if pos > 0:
        before = text[pos - 1]
        if before.isalnum() or before == "_":
            return None
    known = matcher.words
    stop = pos
    after = pos + len(head)
    whole = bool(head) and (after == end or (after < end and not _is_word(text[after])))
    for k in range(_WINDOW_RUNS):
        if k == 0 and whole:  # the run of word characters is the head: the first window
            stop = after
            window = head
        else:
            stop = _run_end(text, stop, end)
            if stop < 0:
                break
            window = text[pos:stop]
        alone = known.get(window, _UNSEEN)
        if alone is _UNSEEN:  # no stored answer is this object (typed so that it is never rebuilt)
            alone = _match(matcher, window, 0, len(window), True)
            if len(known) >= _DECODED_MAX:
                known.clear()
            known[window] = alone
        if alone is None:
            return None
        if alone[0] != _CONTEXT[0]:
            return pos + alone[0], pos + alone[1], alone[2]
    return _match(matcher, text, pos, end)


def _decode(
    matcher: _Matcher, text: str, pos: int, found: tuple[int, int, bool]
) -> _Decoded | None:
    """What the match `found` at `pos` says, worked out once per distinct
    matched string: the same string (proclitics and name) matches the same way
    wherever it stands, as only its first and last characters' neighbours are
    looked at."""
    start, end, after_lam = found
    name = ("ا" if after_lam else "") + text[start:end]
    key, target = _target(matcher, name)
    if target is None:  # cannot happen: the tries are built from these keys
        log.warning("gazetteer matched %r with no entry", name)
        return None
    decoded = matcher.decoded
    if len(decoded) >= _DECODED_MAX:
        decoded.clear()
    out = decoded[text[pos:end]] = (start - pos, end - pos, key, target)
    return out


_WORD_RUN = re.compile(r"\w+")


def _run_end(text: str, i: int, end: int) -> int:
    """The end of `_WORD_RUN.search(text, i, end)`, -1 if none: in the common
    case (the run at `i`, or after one space, ends at a space or at `end`) a
    `find` and an `isalnum` (the characters `\\w` holds but `_`); when the run
    ends at another character (`غزة،`), a walk to it; else (no word character
    at `i`) the search."""
    if i < end and text[i] == " ":
        i += 1
    j = text.find(" ", i, end)
    if j < 0:
        j = end
    if j > i and text[i:j].isalnum():
        return j
    k = i
    while k < j and _is_word(text[k]):
        k += 1
    if k > i:
        return k  # the run at i ends at the first character that is not `\\w`
    run = _WORD_RUN.search(text, i, end)
    return -1 if run is None else run.end()


_LETTERS = re.compile(r"[^\W\d_]+")


def _opens(matcher: _Matcher, word: str) -> bool:
    """Whether a match may begin at the start of `word`, a run of `\\w`: it
    begins with a letter run that may begin one of the names (`_may_start`).
    Remembered per distinct word."""
    opens = matcher.opens
    known = opens.get(word)
    if known is None:
        letters = _LETTERS.match(word)
        known = letters is not None and _may_start(matcher.heads, letters.group())
        if len(opens) >= _DECODED_MAX:
            opens.clear()
        opens[word] = known
    return known


def _scan(matcher: _Matcher, text: str) -> list[_Hit]:
    """Every match in `text`, leftmost first and not overlapping: a match
    starts a run of `\\w` (as it is framed by `(?<!\\w)`) that `_opens`, so
    only those are tried (by `_scan_at`, over the whole text)."""
    starts = [run.start() for run in _WORD_RUN.finditer(text) if _opens(matcher, run.group())]
    return _scan_at(matcher, text, starts, 0, len(text))


def _scan_at(
    matcher: _Matcher,
    text: str,
    starts: list[int],
    lo: int,
    hi: int,
    heads: list[str] | None = None,
) -> list[_Hit]:
    """`_scan(matcher, text[lo:hi])` with offsets into `text`, a match tried
    only where a name may start: `starts` holds (at least) every letter run of
    the text in [lo, hi) that `may_start_name`, and neither edge cuts a word,
    so a match at such a run with `hi` as the end reads as in the slice.  The
    same leftmost, non-overlapping matches as `_scan`.  `heads`, if given:
    the letter run at each start (`_match_at`)."""
    hits: list[_Hit] = []
    done = lo
    for i in range(bisect_left(starts, lo), bisect_left(starts, hi)):
        pos = starts[i]
        if pos < done:
            continue
        hit = _hit_at(matcher, text, pos, hi, heads[i] if heads is not None else "")
        if hit is not None:
            done = hit[5]
            hits.append(hit)
    return hits


def _hit_at(matcher: _Matcher, text: str, pos: int, end: int, head: str = "") -> _Hit | None:
    """The name that starts at `pos` and ends by `end`, decoded, if any (both
    scans' step; `head` as for `_match_at`)."""
    found = _match_at(matcher, text, pos, end, head)
    if found is None:
        return None
    stop = found[1]
    matched = head if head and stop == pos + len(head) else text[pos:stop]
    d = matcher.decoded.get(matched) or _decode(matcher, text, pos, found)
    if d is None:
        return None
    return (pos + d[0], pos + d[1], d[2], d[3], pos, stop)


def merged_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans with those that overlap or touch merged, in order."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


def _inside(hits: list[_Hit], starts: list[int], lo: int, hi: int) -> list[_Hit] | None:
    """The hits of a scan (`starts`: where each begins) that lie in [lo, hi),
    or None when a hit crosses either edge."""
    first, last = bisect_left(starts, lo), bisect_left(starts, hi)
    if first > 0 and hits[first - 1][5] > lo:
        return None
    if last > first and hits[last - 1][5] > hi:
        return None
    return hits[first:last]


def _without_persons(hits: list[_Hit]) -> list[_Hit]:
    """Drop blockers, and family names of people named in full in the same text."""
    surnames = {h[3].person for h in hits if h[3].person}
    return [h for h in hits if h[3].ids and h[2] not in surnames]


def _named(hits: list[_Hit]) -> set[str]:
    """Every id named unambiguously by `hits`, with its parents."""
    out: set[str] = set()
    families = _gaz().families
    for hit in hits:
        if len(hit[3].ids) == 1:
            out.update(families[hit[3].ids[0]])
    return out


def _find(matcher: _Matcher, other: _Matcher, text: str) -> list[Mention]:
    """Mentions of `matcher`'s names in `text`."""
    return _resolve(_scan(matcher, text), lambda: _scan(other, text))


def _resolve(found: list[_Hit], other: Callable[[], list[_Hit]]) -> list[Mention]:
    """Mentions from one matcher's hits.  An ambiguous name is the one candidate
    that the text names unambiguously; failing that, the one candidate whose
    family (parent, grandparent…) the text names, as a place or a party (the
    other matcher's hits, asked for only then); failing that, its default."""
    out: list[Mention] = []
    for start, end, _, target, _, _ in found:
        if target.only is not None:
            out.append(Mention(start, end, target.only))
        elif target.ids or target.person is not None:
            return _resolve_all(found, other)  # ambiguous, or a person's name
        # else a blocker: nothing, and no bearing on the other hits
    return out


def _resolve_all(found: list[_Hit], other: Callable[[], list[_Hit]]) -> list[Mention]:
    """`_resolve` when a hit is ambiguous or a person's name."""
    hits = _without_persons(found)
    own = {hit[3].only for hit in hits if hit[3].only is not None}
    family: set[str] | None = None
    chosen: dict[str, str | None] = {}
    # each ambiguous key reads the same wherever it stands in the text
    out: list[Mention] = []
    for start, end, key, target, _, _ in hits:
        ident = target.only
        if ident is None:
            if key in chosen:
                ident = chosen[key]
            else:
                named = [i for i in target.ids if i in own]
                if len(named) != 1:
                    if family is None:
                        family = _named(hits) | _named(_without_persons(other()))
                    named = [i for i in target.ids if family.intersection(_gaz().families[i])]
                ident = chosen[key] = named[0] if len(named) == 1 else target.default
        if ident is not None:
            out.append(Mention(start, end, ident))
    return out


class Scanner:
    """Places and parties of one normalised text and of slices of it.

    `places(lo, hi)` is `find_places(text[lo:hi])` with offsets into `text`:
    only the slice is scanned (an extractor asks for a few sentences of a long
    article), and the whole text's matches are kept once asked for.  With
    `regions` (slices the caller will ask about, such as adjacent sentences),
    each merged region is scanned once and a slice inside it reads its hits
    (a slice whose edge a hit crosses, or that cuts a word, is scanned alone).
    With `starts` (ascending offsets of the text's letter runs, at least those
    that `may_start_name`: a caller that has split the text into words), the
    whole text and any region whose edges cut no word are scanned only there,
    not character by character; with `party_starts` as well (at least those
    that `may_start_party`), the parties are scanned only there.  With
    `heads` (and `party_heads`), the letter run at each of `starts` (and
    `party_starts`): a match there reads that word as it stands."""

    def __init__(
        self,
        text: str,
        regions: Iterable[tuple[int, int]] = (),
        starts: list[int] | None = None,
        party_starts: list[int] | None = None,
        heads: list[str] | None = None,
        party_heads: list[str] | None = None,
    ) -> None:
        self.text = text
        self._starts = starts
        self._party_starts = starts if party_starts is None else party_starts
        self._heads = heads
        """The letter run at each of `starts`, if the caller has them (`_match_at`)."""
        self._party_heads = heads if party_starts is None else party_heads
        self._hits: dict[bool, list[_Hit]] = {}
        merged = merged_spans(regions)
        self._regions = merged
        self._region_starts = [lo for lo, _ in merged]
        self._region_hits: dict[tuple[bool, int], list[_Hit]] = {}
        self._region_hit_starts: dict[tuple[bool, int], list[int]] = {}
        self._hit_starts: dict[bool, list[int]] = {}

    def read_whole(self, party: bool) -> None:
        """Scan the whole text for places (or parties) now: every slice asked
        for later is read from those hits (unless a hit crosses its edge or
        it cuts a word), not scanned (a caller that will ask for the whole
        text anyway, or for most of it, saves the region scans)."""
        if party not in self._hits:
            self._hits[party] = self._scan(party, 0, len(self.text))

    def places(self, lo: int = 0, hi: int | None = None) -> list[Mention]:
        """Every place named in text[lo:hi], offsets into the text."""
        return self._find(False, lo, len(self.text) if hi is None else hi)

    def parties(self, lo: int = 0, hi: int | None = None) -> list[Mention]:
        """Every party named in text[lo:hi], offsets into the text."""
        return self._find(True, lo, len(self.text) if hi is None else hi)

    def _find(self, party: bool, lo: int, hi: int) -> list[Mention]:
        return _resolve(self._slice(party, lo, hi), lambda: self._slice(not party, lo, hi))

    def _slice(self, party: bool, lo: int, hi: int) -> list[_Hit]:
        if lo == 0 and hi == len(self.text):
            hits = self._hits.get(party)
            if hits is None:
                hits = self._hits[party] = self._scan(party, 0, len(self.text))
            return hits
        if party in self._hits:
            whole = self._from_whole(party, lo, hi)
            if whole is not None:
                return whole
        inside = self._from_region(party, lo, hi)
        if inside is not None:
            return inside
        return [_shift(h, lo) for h in _scan(_matcher(party), self.text[lo:hi])]

    def _from_region(self, party: bool, lo: int, hi: int) -> list[_Hit] | None:
        """The hits of text[lo:hi] read from its region's scan, or None when
        the slice is in no region, cuts a word, or a hit crosses its edge."""
        r = bisect_right(self._region_starts, lo) - 1
        if r < 0:
            return None
        a, b = self._regions[r]
        if b < hi or not self._clean_edges(lo, hi):
            return None
        hits = self._region_hits.get((party, r))
        if hits is None:
            whole = a == lo and b == hi  # its edges are known to be clean
            hits = self._region_hits[(party, r)] = self._scan(party, a, b, whole)
        if a == lo and b == hi:
            return hits
        starts = self._region_hit_starts.get((party, r))
        if starts is None:
            starts = self._region_hit_starts[(party, r)] = [h[4] for h in hits]
        return _inside(hits, starts, lo, hi)

    def _from_whole(self, party: bool, lo: int, hi: int) -> list[_Hit] | None:
        """The hits of text[lo:hi] read from the whole text's scan, or None
        when the slice cuts a word or a hit crosses its edge (`_from_region`
        with the whole text as the region)."""
        if not self._clean_edges(lo, hi):
            return None
        hits = self._hits[party]
        starts = self._hit_starts.get(party)
        if starts is None:
            starts = self._hit_starts[party] = [h[4] for h in hits]
        return _inside(hits, starts, lo, hi)

    def _scan(self, party: bool, lo: int, hi: int, clean: bool = False) -> list[_Hit]:
        """The hits of text[lo:hi] alone, offsets into the text (`clean`: its
        edges are known to cut no word)."""
        starts = self._party_starts if party else self._starts
        if starts is not None and (clean or self._clean_edges(lo, hi)):
            heads = self._party_heads if party else self._heads
            return _scan_at(_matcher(party), self.text, starts, lo, hi, heads)
        if lo == 0 and hi == len(self.text):
            return _scan(_matcher(party), self.text)
        return [_shift(h, lo) for h in _scan(_matcher(party), self.text[lo:hi])]

    def _clean_edges(self, lo: int, hi: int) -> bool:
        """Whether text[lo:hi] reads alike alone and in its context: no word
        runs across either edge (so the lookarounds of a name see the same)."""
        t = self.text
        n = len(t)
        if 0 < lo < n and _is_word(t[lo - 1]) and _is_word(t[lo]):
            return False
        return hi >= n or not _is_word(t[hi])


def _is_word(ch: str) -> bool:
    """A character of `\\w` (as `re` reads it for str)."""
    return ch.isalnum() or ch == "_"


def _matcher(party: bool) -> _Matcher:
    g = _gaz()
    return g.party_matcher if party else g.place_matcher


def _shift(hit: _Hit, by: int) -> _Hit:
    start, end, key, target, match_start, match_end = hit
    return (start + by, end + by, key, target, match_start + by, match_end + by)


def may_start_name(word: str) -> bool:
    """Whether a letter run of normalised text (a whole word) may begin a place
    or party name, with its proclitics (`وبحلب`, `للرقة`): a filter, the
    matcher decides."""
    return _may_start(_gaz().heads, word)


def may_start_party(word: str) -> bool:
    """`may_start_name` for the party names only (the party matcher's heads, a
    subset): a party scan need only try these words."""
    return _may_start(_gaz().party_matcher.heads, word)


def _may_start(heads: frozenset[str], word: str) -> bool:
    """`may_start_name` against the heads `heads` (see `Gazetteer.heads`)."""
    word = word.replace("ه", "ة")
    rests = [word, word[1:]] if word[:1] in "وف" else [word]
    rests += [r[1:] for r in rests if r[:1] in "بكل"]
    return any(r in heads for r in rests)


def find_places(text: str) -> list[Mention]:
    """Every place named in normalised `text`, left to right, longest match."""
    g = _gaz()
    return _find(g.place_matcher, g.party_matcher, text)


def find_parties(text: str) -> list[Mention]:
    """Every party named in normalised `text`, left to right, longest match."""
    g = _gaz()
    return _find(g.party_matcher, g.place_matcher, text)


# ---------------------------------------------------------------- lookups


def place(id: str) -> Entry | None:
    """The place with this id."""
    return _gaz().places.get(id)


def party(id: str) -> Entry | None:
    """The party with this id."""
    return _gaz().parties.get(id)


def all_places() -> list[Entry]:
    """Every place, in data order."""
    return list(_gaz().places.values())


def all_parties() -> list[Entry]:
    """Every party, in data order."""
    return list(_gaz().parties.values())


def ancestors(id: str) -> tuple[str, ...]:
    """`id` and the ids of the places that enclose it, innermost first
    (`baghuz` → `baghuz`, `deir-ez-zor`, `syria`); empty for an unknown id."""
    return _gaz().families.get(id, ())


def _lookup(query: str, matcher: _Matcher, english: Mapping[str, str]) -> str | None:
    text = query.strip()
    if not text:
        return None
    target = _target(matcher, text)[1]
    if target is not None:
        return target.default
    return english.get(_key(text)) or english.get(_en_key(text) or "-")


def codes(id: str | None) -> tuple[str | None, str | None]:
    """The ISO country and first-level division codes of a place: its own code
    or its nearest enclosing place's; no division for a country, a region
    without a code (Gaza Strip, Darfur) or what encloses one."""
    if id is None:
        return None, None
    return _codes(id)


@lru_cache(maxsize=1 << 12)
def _codes(id: str) -> tuple[str | None, str | None]:
    country: str | None = None
    admin1: str | None = None
    g = _gaz()
    for ident in g.families.get(id, ()):
        entry = g.places.get(ident)
        if entry is None or entry.iso is None:
            continue
        if "-" in entry.iso:
            if admin1 is None and country is None:
                admin1 = entry.iso
        elif country is None:
            country = entry.iso
    if country is None and admin1 is not None:
        country = admin1.split("-")[0]
    return country, admin1


@lru_cache(maxsize=1 << 12)
def is_demonym(name: str) -> bool:
    """Whether `name` (a mention's text) is a nationality adjective, not a proper
    name (cached: a text's names repeat, and so do the texts')."""
    return _key(name) in _gaz().demonyms


def lookup_place(query: str) -> str | None:
    """The id of a place a user typed (`deir-ez-zor`, `Deir ez-Zor`, `دير الزور`)."""
    g = _gaz()
    return _lookup(query, g.place_matcher, g.place_names)


def lookup_party(query: str) -> str | None:
    """The id of a party a user typed (`is`, `ISIS`, `داعش`)."""
    g = _gaz()
    return _lookup(query, g.party_matcher, g.party_names)
