"""Text analysis: how words in records and in queries become the terms the index holds.

Both sides go through the same steps, so whatever a person types meets the words as written:
- words are runs of letters and digits; an apostrophe or ampersand inside a word joins it (``Parkinson’s``,
  ``A&E``), any hyphen or dash separates (``pressure-ulcer``, ``2019–2020``);
- each word is folded: compatibility forms and accents dropped (``café``, ``ﬁ``), case folded, the joining
  apostrophes and ampersands removed, so ``Parkinson’s``, ``Parkinson's`` and ``Parkinsons`` are one word;
- the folded word is stemmed by the Snowball English stemmer (falls, falling -> fall). It is the stemmer
  PostgreSQL's ``english`` configuration uses, so a database backend can store the same terms.

Stop words are kept in the index (a quoted phrase such as "did not attend" needs them) and dropped from
queries only (see ``parse.py``).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator, NamedTuple

import Stemmer

#: A word: letters or digits, possibly joined by apostrophes (straight or typographic) or ampersands.
WORD = re.compile(r"[^\W_]+(?:['’‘ʼ&][^\W_]+)*")
_JOINERS = str.maketrans("", "", "'’‘ʼ&")
_PLAIN_WORD = re.compile(r"[^\W_]+")
_STEMMER = Stemmer.Stemmer("english")
_STEMMER.maxCacheSize = 200_000          # distinct words seen; the stemmer keeps them so each is stemmed once

#: Words too common to pick anything out when searched alone; dropped from queries unless quoted.
STOP_WORDS = frozenset("""
a about after all also an and any are as at be been before being between both but by can could did do
does doing done during each for from had has have having he her here hers him his how i if in into is it
its just me more most my no nor not of off on once only or other our ours out over own same she should
so some such than that the their theirs them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your yours
""".split())


class Token(NamedTuple):
    """One word of a text: where it is (for snippets) and its folded form."""
    start: int
    end: int
    word: str


def fold(word: str) -> str:
    """A word as compared: no accents, case folded, no joining apostrophes or ampersands."""
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return word.casefold().translate(_JOINERS)


def tokens(text: str) -> Iterator[Token]:
    """Each word with where it is in ``text`` (snippets mark words where they were written)."""
    if text.isascii():                  # folding keeps every position: lower the whole text once
        lowered = text.lower()
        for match in WORD.finditer(text):
            start, end = match.span()
            word = lowered[start:end]
            yield Token(start, end, word.translate(_JOINERS) if "'" in word or "&" in word else word)
        return
    for match in WORD.finditer(text):
        folded = fold(match.group())
        if folded:
            yield Token(match.start(), match.end(), folded)


def words(text: str) -> list[str]:
    """The folded words of a text, in order. The whole text is folded at once (joining apostrophes and
    ampersands removed everywhere, which is what joining them inside words means), then split: indexing
    a repository spends most of its time here."""
    return _PLAIN_WORD.findall(fold(text))


def stem(word: str) -> str:
    """The index term of one folded word."""
    return _STEMMER.stemWord(word)


def stem_all(folded: list[str]) -> list[str]:
    """The index terms of folded words, in order."""
    return _STEMMER.stemWords(folded)


def stems(text: str) -> list[str]:
    """The index terms of a text, in order (stop words included)."""
    return _STEMMER.stemWords(words(text))
