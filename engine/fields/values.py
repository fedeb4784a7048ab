"""Small value helpers shared by several field types: the control characters no stored text keeps, blank and
multi-valued cells, numbers and yes/no as people type them, ranges (``a..b``), whole-value patterns, quoting
in messages and escaped HTML lists."""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from markupsafe import Markup

#: Multi-valued cells are written "a; b" and read back on semicolons.
CELL_SEPARATOR = "; "
_SEMICOLONS = re.compile(r"\s*;\s*")

#: C0 controls other than tab, line feed and carriage return; DEL; the C1 controls (U+0080 to U+009F). No
#: browser shows them, a worksheet may not hold them (openpyxl refuses the C0 ones) and a terminal acts on
#: them when an export is printed. And lone surrogates (U+D800 to U+DFFF, which JSON can send as ``\ud800``):
#: half of a character, which no page, export or database can encode (PostgreSQL refuses them). Every other
#: character is text, emoji and joiners included.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def without_controls(value: Any) -> Any:
    """``value`` with ``CONTROL_CHARACTERS`` dropped from its text: a text, a list of texts, or an object of
    those by name (a record's values); numbers, booleans and None as they are. The one rule for text, however
    it arrives (``Records`` applies it to every write; the forms to what is posted, so a number or a date
    reads the same) and however it leaves (an export's cells, for records stored before the rule).

    Deeper nesting is no field's value and is left for the validator to refuse: walking it would let a body
    of a thousand nested lists exhaust the stack here rather than be refused by the field's name."""
    if isinstance(value, dict):
        return {key: _field_value(item) for key, item in value.items()}
    return _field_value(value)


def _field_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_text(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_text(item) for item in value)
    return _text(value)


def _text(item: Any) -> Any:
    return CONTROL_CHARACTERS.sub("", item) if isinstance(item, str) else item


def is_blank(cell: Any) -> bool:
    """An empty spreadsheet cell or form value."""
    return cell is None or (isinstance(cell, str) and not cell.strip()) or cell == []


def cell_text(cell: Any) -> str:
    """A cell as text: spreadsheets hand whole numbers over as floats (12.0), shown as typed (12)."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def split_cell(cell: Any, pattern: re.Pattern[str] = _SEMICOLONS) -> list[str]:
    """The items of a multi-valued cell (or a list already split), blanks dropped."""
    if is_blank(cell):
        return []
    items = cell if isinstance(cell, (list, tuple)) else pattern.split(cell_text(cell))
    return [cell_text(item) for item in items if not is_blank(item)]


def join_cell(items: Iterable[str]) -> str | None:
    joined = CELL_SEPARATOR.join(items)
    return joined or None


def unique(items: Iterable[str], key: Callable[[str], str] = str.casefold) -> list[str]:
    """Items in their first-seen order without repeats (case-insensitive by default)."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            kept.append(item)
    return kept


def as_list(value: Any) -> list[Any]:
    """A stored value as a list: lists as they are, a single value as one item, empty as none."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def quoted(raw: Any) -> str:
    """A user's input quoted back in a message: '31/02/2025'."""
    return f"'{cell_text(raw)}'"


def html_list(items: Iterable[str], css: str = "nhsuk-list nhsuk-list--bullet") -> Markup:
    """An escaped ``<ul>`` of the items; empty Markup when there are none."""
    rows = [Markup("<li>{}</li>").format(item) for item in items]
    if not rows:
        return Markup("")
    return Markup('<ul class="{}">{}</ul>').format(css, Markup("").join(rows))


def lower_first(label: str) -> str:
    """'Project title' -> 'project title' for messages that put the label mid-sentence; 'NHS number' stays."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


#: Words starting with a vowel letter said with a consonant ("a unit", "a one-off"), and with a silent h.
_SAID_WITH_CONSONANT = re.compile(r"^(?:uni|use|usu|ura|uro|eu|ewe|one|once)", re.IGNORECASE)
_SILENT_H = re.compile(r"^(?:hour|honest|honou?r|heir)", re.IGNORECASE)
#: Letters whose names start with a vowel sound, for abbreviations read letter by letter ("an NHS trust").
_VOWEL_NAMED = frozenset("AEFHILMNORSX")


def with_article(noun: str) -> str:
    """'improvement project' -> 'an improvement project', 'clinical audit' -> 'a clinical audit', 'NHS
    number' -> 'an NHS number': "a" or "an" by how the first word is said, an abbreviation by its letters."""
    first = noun.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        vowel = first[0] in _VOWEL_NAMED
    else:
        vowel = (first[:1].lower() in "aeiou" and not _SAID_WITH_CONSONANT.match(first)) \
            or bool(_SILENT_H.match(first))
    return f"{'an' if vowel else 'a'} {noun}"


_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?")


def parse_number(text: str, *, integer: bool = False) -> int | float:
    """'1,234' -> 1234, '2.5' -> 2.5; commas only as thousands separators. ``ValueError('whole')`` when an
    integer is wanted and the number has a fraction; ``ValueError('number')`` when it is not a number."""
    raw = text.strip()
    if not raw or not _NUMBER.fullmatch(raw) or not any(c.isdigit() for c in raw):
        raise ValueError("number")
    number = float(raw.replace(",", ""))
    if number.is_integer() and "." not in raw:
        return int(raw.replace(",", ""))
    if integer:
        if not number.is_integer():
            raise ValueError("whole")
        return int(number)
    return number


def split_range(raw: str) -> tuple[str, str] | None:
    """'10..20' -> ('10', '20'), '10..' -> ('10', ''); None when the text is not a range."""
    if ".." not in raw:
        return None
    low, high = raw.split("..", 1)
    return low.strip(), high.strip()


_YES = {"yes", "y", "true", "t", "1", "on"}
_NO = {"no", "n", "false", "f", "0", "off"}


def parse_yes_no(cell: Any) -> bool:
    """Yes/No, Y/N, true/false, 1/0 in any case; ``ValueError`` otherwise."""
    if isinstance(cell, bool):
        return cell
    text = cell_text(cell).casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(text)


def plural(count: int, noun: str) -> str:
    """'1 option', '3 options'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def whole(pattern: str) -> str:
    """A JSON Schema pattern matching the entire value. jsonschema runs Python's ``re.search``, where ``$`` also
    matches before a final newline; ``(?!\\n)`` shuts that door and means nothing to ECMA-262 engines."""
    return f"^(?:{pattern})$(?!\\n)"
