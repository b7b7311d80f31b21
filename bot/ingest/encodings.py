"""Pages that are not UTF-8: Windows-1258, and the font encodings VNI and TCVN3 (ABC).

Windows-1258 is a real code page (with tone marks as combining characters, composed here
to NFC). VNI and TCVN3 are not: their pages are ordinary Windows-1252 text shown in a
special font (``VNI-Times``, ``.VnTime``), so "Việt" arrives as "Vieät" (VNI) or "ViÖt"
(TCVN3) and no declared charset says so. Which reading is right is decided by what reads
as Vietnamese: the share of words that are well-formed Vietnamese syllables.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass

from bot.ingest.model import IngestError

# --- What reads as Vietnamese -----------------------------------------------------------

_VOWEL_CLUSTERS = frozenset(
    re.findall(
        r"\S+",
        (
            "a ă â e ê i o ô ơ u ư y "
            "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ ue uê ui uô uơ uy ưa ưi "
            "ưu ươ yê iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyê uyu"
        ),
    )
)
_SYLLABLE_RE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"([aăâeêioôơuưy]{1,3})(ch|nh|ng|[cmnpt])?$"
)
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD_RE = re.compile(r"[^\W\d_]+")


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for c in decomposed if c in _TONES)
    if tones > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    match = _SYLLABLE_RE.match(bare)
    if match is None:
        return False
    onset, vowels = match.group(1) or "", match.group(2)
    if onset == "gi" and vowels not in _VOWEL_CLUSTERS:  # "giêng": gi + êng
        return ("i" + vowels) in _VOWEL_CLUSTERS
    return vowels in _VOWEL_CLUSTERS or (onset in ("gi", "qu") and len(vowels) <= 3)


@dataclass(frozen=True, slots=True)
class Reading:
    """How Vietnamese a text reads: words with non-ASCII letters, and how many of them are
    well-formed syllables (ASCII-only words say nothing about the encoding)."""

    marked: int
    valid: int

    @property
    def score(self) -> int:
        return self.valid - 2 * (self.marked - self.valid)

    @property
    def broken(self) -> bool:
        """More than a third of the accented words are not Vietnamese: mojibake."""
        return self.marked >= 5 and self.valid < 2 * self.marked / 3


def reading(text: str) -> Reading:
    marked = valid = 0
    for word in _WORD_RE.findall(unicodedata.normalize("NFC", text)):
        if word.isascii():
            continue
        marked += 1
        valid += _is_syllable(word)
    return Reading(marked, valid)


# --- VNI and TCVN3 ----------------------------------------------------------------------

_GRAVE, _ACUTE, _TILDE, _HOOK, _DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
# VNI writes a vowel's marks as a second character after it (lower and upper case alike).
_VNI_MARKS = {
    "ù": _ACUTE,
    "ø": _GRAVE,
    "û": _HOOK,
    "õ": _TILDE,
    "ï": _DOT,
    "â": _CIRCUMFLEX,
    "á": _CIRCUMFLEX + _ACUTE,
    "à": _CIRCUMFLEX + _GRAVE,
    "å": _CIRCUMFLEX + _HOOK,
    "ã": _CIRCUMFLEX + _TILDE,
    "ä": _CIRCUMFLEX + _DOT,
    "ê": _BREVE,
    "é": _BREVE + _ACUTE,
    "è": _BREVE + _GRAVE,
    "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
}
_VNI_MARKS.update({k.upper(): v for k, v in list(_VNI_MARKS.items())})
# ... and these letters as one character of their own.
_VNI_LETTERS = {
    "ô": "ơ",
    "ö": "ư",
    "ñ": "đ",
    "æ": "ỉ",
    "ó": "ĩ",
    "ò": "ị",
    "î": "ỵ",
    "Ô": "Ơ",
    "Ö": "Ư",
    "Ñ": "Đ",
    "Æ": "Ỉ",
    "Ó": "Ĩ",
    "Ò": "Ị",
    "Î": "Ỵ",
}
_VNI_BASES = "aeouyAEOUYôöÔÖ"
_VNI_RE = re.compile(f"([{_VNI_BASES}])([{''.join(_VNI_MARKS)}])|([{''.join(_VNI_LETTERS)}])")


def _vni_pair(match: re.Match[str]) -> str:
    if match.group(3):
        return _VNI_LETTERS[match.group(3)]
    base = _VNI_LETTERS.get(match.group(1), match.group(1))
    marks = _VNI_MARKS[match.group(2)]
    if base in "ơưƠƯ" and marks[0] in (_CIRCUMFLEX, _BREVE):
        return match.group(0)  # not a VNI pair
    return unicodedata.normalize("NFC", base + marks)


def from_vni(text: str) -> str:
    return _VNI_RE.sub(_vni_pair, text)


# TCVN3 (TCVN 5712:1993, "ABC"): one byte a letter, lower case; the upper-case forms of the
# toned letters live in separate fonts (.VnTimeH) and come out in lower case here.
_TCVN3 = dict(
    zip(
        "¸µ¶·¹¨¾»¼½Æ©ÊÇÈÉË®ÐÌÎÏÑªÕÒÓÔÖÝ×ØÜÞãßáâä«èåæçé¬íêëìîóïñòô\xadøõö÷ùýúûüþ¡¢§£¤¥¦",
        "áàảãạăắằẳẵặâấầẩẫậđéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵĂÂĐÊÔƠƯ",
        strict=True,
    )
)
_TCVN3_TABLE = str.maketrans(_TCVN3)


def from_tcvn3(text: str) -> str:
    return text.translate(_TCVN3_TABLE)


LEGACY_FONTS = {"vni": from_vni, "tcvn3": from_tcvn3}
_LEGACY_NAMES = {"vni": "VNI", "tcvn3": "TCVN3 (ABC)"}


def convert_legacy(text: str, legacy: str | None) -> str:
    return text if legacy is None else LEGACY_FONTS[legacy](text)


def legacy_note(legacy: str) -> str:
    return f"trang viết bằng bảng mã {_LEGACY_NAMES[legacy]}; đã chuyển sang Unicode"


def best_legacy_reading(text: str) -> str | None:
    """ "vni" or "tcvn3" when the text reads clearly better converted from it, else None."""
    plain = reading(text)
    best, best_score = None, plain.score
    for name, convert in LEGACY_FONTS.items():
        converted = reading(convert(text))
        # Clearly better: a few words at least, not one stray letter.
        if converted.score > best_score + max(2, plain.marked // 5):
            best, best_score = name, converted.score
    return best


# --- Decoding a page --------------------------------------------------------------------

_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_SCRIPT_STYLE_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")
# Labels that browsers read as Windows-1252 (the WHATWG encoding standard), which is also
# what a VNI or TCVN3 page declares, if anything.
_WESTERN = {"cp1252", "latin_1", "iso8859_1", "ascii", "iso8859_15"}


@dataclass(frozen=True, slots=True)
class DecodedPage:
    text: str  # Unicode (NFC), legacy font encodings converted
    note: str | None  # for the admin, when the page was not UTF-8


_LATIN1_ENTITY_RE = re.compile(r"&(?:#\d{2,3}|#x[0-9a-fA-F]{2}|[a-zA-Z]{2,8});")


def _latin1_entity(match: re.Match[str]) -> str:
    char = html.unescape(match.group(0))
    return char if len(char) == 1 and 0xA0 <= ord(char) <= 0xFF else match.group(0)


def _converted_page(markup: str, legacy: str) -> DecodedPage:
    """A VNI or TCVN3 page as Unicode. The conversion runs over the whole page, before the
    article is extracted (which would drop TCVN3's "ư", a soft hyphen); the markup is ASCII
    and unchanged by it. Entities of the letters ("&ecirc;&auml;" for VNI "ệ") are letters
    first, as an editor of the time wrote them."""
    text = _LATIN1_ENTITY_RE.sub(_latin1_entity, markup)
    return DecodedPage(
        unicodedata.normalize("NFC", LEGACY_FONTS[legacy](text)), legacy_note(legacy)
    )


def declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET_RE.search(data[:8192])
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().lower()).name.replace("-", "_")
    except LookupError:
        return None


def visible_text(markup: str) -> str:
    return html.unescape(_TAG_RE.sub(" ", _SCRIPT_STYLE_RE.sub(" ", markup)))


def _undecodable() -> IngestError:
    return IngestError(
        "không đọc được chữ tiếng Việt của trang: bảng mã không phải UTF-8, Windows-1258, "
        "VNI hay TCVN3"
    )


def decode_page(data: bytes, charset: str | None = None) -> DecodedPage:
    """The page's text, from the charset the server declared or the page's own <meta>;
    when those are missing, wrong, or a Western code page (what VNI and TCVN3 pages
    declare), from the reading that is most Vietnamese. IngestError when none is."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _as_declared(data.decode(name))
            except UnicodeDecodeError:
                raise _undecodable() from None
    declared = _codec(charset) or _codec(declared_charset(data))
    trusted = declared if declared not in _WESTERN and declared != "cp1258" else None
    if trusted is not None or declared is None:
        try:
            return _as_declared(data.decode(trusted or "utf-8"))
        except UnicodeDecodeError:
            pass  # wrongly declared or undeclared: often a Windows-1258 page
    as_1258 = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    as_1252 = data.decode("cp1252", errors="replace")
    candidates = [  # the declared reading first: it wins a tie
        ("cp1258", as_1258, None),
        ("cp1252", as_1252, None),
        ("vni", as_1252, "vni"),
        ("tcvn3", as_1252, "tcvn3"),
    ]
    if declared != "cp1258":
        candidates.insert(0, candidates.pop(1))

    def score(candidate: tuple[str, str, str | None]) -> int:
        _, text, legacy = candidate
        return reading(convert_legacy(visible_text(text), legacy)).score - text.count("\ufffd")

    name, text, legacy = max(candidates, key=score)  # max keeps the first of equals
    if reading(convert_legacy(visible_text(text), legacy)).broken:
        raise _undecodable()
    if legacy is not None:
        return _converted_page(text, legacy)
    note = "trang mã hóa Windows-1258; đã chuyển sang Unicode" if name == "cp1258" else None
    return DecodedPage(text, note)


def _as_declared(text: str) -> DecodedPage:
    """A page that decoded as declared may still be VNI or TCVN3 text in disguise."""
    legacy = best_legacy_reading(visible_text(text))
    if legacy is not None:
        return _converted_page(text, legacy)
    return DecodedPage(unicodedata.normalize("NFC", text), None)
