"""What a person typed in a search box, read once into a ``SearchQuery``: plain data every backend answers.

The syntax is what people already know from web search engines:
- words: a record need not hold them all; records holding more of them, and rarer ones, rank higher;
- ``"a phrase"`` in double quotes (straight or typographic): those words together, in that order;
- ``OR`` between two words or phrases: either will do (they count as one);
- ``-word`` or ``-"a phrase"``: leave out records holding it;
- the last word, still being typed, also matches longer words it begins (``physio`` -> physiotherapy);
- a record's reference (``QI-0042``, ``qi-42``) finds that record, first.

Words are analysed as the index analyses text (``analysis.py``). Outside quotes, each run of words is looked
up in the thesaurus, longest term first, so ``bed sores`` also looks for "pressure ulcer"; words too
common to pick anything out (``STOP_WORDS``) and single letters are dropped unless nothing else is left.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.search.analysis import STOP_WORDS, stem, words
from engine.search.thesaurus import EMPTY, Thesaurus

#: How much a match on an equivalent from the thesaurus counts against a match on the words typed.
EQUIVALENT_WEIGHT = 0.9
#: The shortest last word that is also looked for as the beginning of longer words.
PREFIX_MIN = 3
_PIECE = re.compile(r'(-?)(?:["“”„]([^"“”„]*)["“”„]?|(\S+))')
REFERENCE = re.compile(r"([A-Za-z]{1,10})-0*(\d{1,9})")


@dataclass(frozen=True)
class Term:
    """One way to match a clause: a word (one term) or a phrase (several, in order), as analysed."""
    terms: tuple[str, ...]
    text: str                       # as typed, or as the thesaurus writes it
    weight: float = 1.0

    @property
    def is_phrase(self) -> bool:
        return len(self.terms) > 1


@dataclass(frozen=True)
class Clause:
    """One thing asked for: a record matches it when it matches any of its terms (the best one counts).
    ``prefix`` is the folded last word when longer words beginning with it should match too."""
    alternatives: tuple[Term, ...]
    text: str
    prefix: str | None = None


@dataclass(frozen=True)
class SearchQuery:
    clauses: tuple[Clause, ...]
    excluded: tuple[Term, ...] = ()
    text: str = ""
    #: Records must match at least this many clauses (see ``minimum_match``).
    at_least: int = 1
    #: References typed, as (prefix folded, number): ('qi', 42).
    references: tuple[tuple[str, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.clauses or self.excluded or self.references)

    @property
    def words(self) -> tuple[str, ...]:
        """Every analysed term the query looks for (snippets mark them)."""
        return tuple(dict.fromkeys(t for c in self.clauses for a in c.alternatives for t in a.terms))


def minimum_match(clauses: int) -> int:
    """Up to three things asked for, any one will do; beyond, at least half of them, so that a long question
    in a person's own words is not answered with every record sharing one of its words."""
    return 1 if clauses <= 3 else clauses // 2


def parse(text: str, thesaurus: Thesaurus = EMPTY) -> SearchQuery:
    clauses: list[Clause] = []
    excluded: list[Term] = []
    references: list[tuple[str, int]] = []
    run: list[str] = []             # plain words waiting to be read together (thesaurus terms span words)
    join_next = False               # the previous piece was OR
    for match in _PIECE.finditer(text):
        minus, phrase, word = match.groups()
        reference = REFERENCE.fullmatch(word) if word and not minus else None
        if reference:
            references.append((reference.group(1).casefold(), int(reference.group(2))))
            continue
        if word == "OR" and not minus and (clauses or run):
            clauses.extend(_plain(run, thesaurus))
            run, join_next = [], True
            continue
        if minus or phrase is not None:
            clauses.extend(_plain(run, thesaurus))
            run = []
            term = _term(phrase if phrase is not None else word)
            if term is None:
                continue
            if minus:
                excluded.append(term)
                continue
            clauses.append(Clause((term,), term.text))
        else:
            run.append(word)
            if not join_next:
                continue
            clauses.extend(_plain(run, thesaurus))
            run = []
        if join_next and len(clauses) >= 2:
            clauses[-2:] = [_either(clauses[-2], clauses[-1])]
        join_next = False
    clauses.extend(_plain(run, thesaurus, last=not text.endswith((" ", '"'))))
    kept = _without_stop_words(clauses)
    return SearchQuery(tuple(kept), tuple(excluded), text.strip(), minimum_match(len(kept)), tuple(references))


def _term(text: str) -> Term | None:
    analysed = tuple(stem(word) for word in words(text))
    return Term(analysed, text.strip()) if analysed else None


def _plain(run: list[str], thesaurus: Thesaurus, last: bool = False) -> list[Clause]:
    """Clauses for a run of plain words: thesaurus terms (longest first) as one clause with their
    equivalents, other words one clause each; the very last word may also be a prefix."""
    folded = words(" ".join(run))
    analysed = [stem(word) for word in folded]
    clauses: list[Clause] = []
    start = 0
    while start < len(folded):
        length = thesaurus.match(analysed, start) or 1
        terms, text = tuple(analysed[start:start + length]), " ".join(folded[start:start + length])
        alternatives = [Term(terms, text)] + [Term(entry.terms, entry.text, EQUIVALENT_WEIGHT)
                                             for entry in thesaurus.equivalents(terms)]
        ends = start + length == len(folded)
        prefix = folded[start] if last and ends and length == 1 and len(folded[start]) >= PREFIX_MIN else None
        clauses.append(Clause(tuple(alternatives), text, prefix))
        start += length
    return clauses


def _either(first: Clause, second: Clause) -> Clause:
    return Clause(first.alternatives + second.alternatives, f"{first.text} OR {second.text}", second.prefix)


def _without_stop_words(clauses: list[Clause]) -> list[Clause]:
    """Clauses of a single stop word or letter pick out nothing; keep them only if nothing else is asked."""
    def weak(clause: Clause) -> bool:
        return all(len(term.terms) == 1 and (term.text in STOP_WORDS or len(term.text) < 2)
                   for term in clause.alternatives)
    strong = [clause for clause in clauses if not weak(clause)]
    return strong or clauses


#: How many of a description's words "more like this" looks for.
SIMILAR_WORDS = 40


def similar_to(title: str, text: str = "", thesaurus: Thesaurus = EMPTY) -> SearchQuery:
    """A search for records like one with this title and description: its words (the title's first, the
    description's first ``SIMILAR_WORDS``), each once, with the thesaurus, none of them required; records
    sharing two of them or more when there are several."""
    folded = list(dict.fromkeys(words(title) + words(text)[:SIMILAR_WORDS]))
    query = parse(" ".join(folded), thesaurus)
    clauses = tuple({clause.alternatives: clause for clause in query.clauses}.values())
    plain = tuple(Clause(clause.alternatives, clause.text) for clause in clauses)     # no prefixes
    return SearchQuery(plain, text=" ".join(folded), at_least=1 if len(plain) <= 3 else 2)
