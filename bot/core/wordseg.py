"""underthesea's word segmentation: the same tokens, at a fraction of the cost.

``underthesea.word_tokenize`` (9.5.0) does four things per call. It normalises the text (NFC
and two letters) and splits it with one big regular expression. A Rust featurizer then
spells out 43 feature strings per token (about 50 µs per token, most of its time), and a CRF
(Rust too) reads the strings back, sums the weights of those it knows and runs Viterbi.
This module runs the same steps with the same model files, computed more cheaply:

- the regular expression's match *is* the token (each alternative is one named group that
  spans it), so no dict of 14 groups per match; a token's normalisation depends on the
  token alone, so it is remembered;
- no feature string is spelled out for a token: what a feature needs of a token (the token,
  its lower case, whether it parses as an i32, whether it is title case, whether it is in the
  dictionary) is worked out once per distinct token, and each feature's value is looked up
  in a table from the feature's value to the model's attribute;
- the CRF's scores are summed with numpy in the featurizer's order of features (a
  cumulative sum, which adds in order, as the Rust tagger does), and Viterbi runs on the two
  labels as the Rust tagger runs it (the first label wins a tie). So the sums are the same
  floating-point numbers, and the tags the same.

What the features mean follows underthesea_core's featurizer exactly: ``T[i]`` / ``T[i,j]``
is the token (or tokens i..j joined by a space), ``BOS`` before the text and ``EOS`` past
it; ``lower`` is the lower case, ``isdigit`` whether it parses as an i32 (ASCII digits with an
optional sign, in range), ``istitle`` whether each token's first character is its own upper
case, ``is_in_dict`` whether the lower case is in the model's dictionary. Python's and Rust's
case mappings agree on characters whose mappings Unicode has not changed in decades; a text
with a token holding any other character is tagged by underthesea's own featurizer and
tagger. On load, the tags and Viterbi scores of a few texts are checked against
underthesea's: on any difference (another model, another version), every call goes to
``underthesea.word_tokenize`` itself.
"""

from __future__ import annotations

import os
import pickle
import re
import struct
import unicodedata
from collections.abc import Callable
from typing import Any, cast

import numpy as np

_MODEL = "ws_crf_vlsp2013_20230727"  # the folder underthesea 9.5.0 loads its model from
_TEMPLATE_RE = re.compile(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\.(lower|isdigit|istitle|is_in_dict))?")
_I32_RE = re.compile(r"[+-]?[0-9]+")
_REMEMBERED = 100_000  # distinct tokens whose values are kept (bounded: a bot runs for long)
_REMEMBERED_GRAMS = 100_000  # runs of two or three tokens whose attributes are kept
_PAD = 4  # rows of BOS before and EOS after the grams: more than any feature's offset

# Characters whose Python and Rust case mappings agree (unchanged since Unicode's early
# versions): Basic Latin to Latin Extended-B, Latin Extended Additional (Vietnamese),
# general punctuation, currency symbols.
_SAFE_RANGES = ((0x0000, 0x0250), (0x1E00, 0x1F00), (0x2000, 0x2070), (0x20A0, 0x20C0))
_SAFE_CHARS = frozenset(chr(c) for first, last in _SAFE_RANGES for c in range(first, last))

_SELF_CHECK = (
    "Bác sĩ bây giờ có thể thản nhiên báo tin bệnh nhân bị ung thư.",
    "Ngày 25/2, TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy (SN 1994) 12 năm tù, +5 -3 2147483648.",
    "UBND tỉnh Quảng Ninh: 3,2 tỷ đồng; 60.542.000 đ… “Hà Nội” - e-mail a@b.vn H'Mông BOS EOS",
    "Ủy ban nhân dân thành phố Hồ Chí Minh ĐẠI HỘI Đảng bộ lần thứ XI tại Hà Nội",
    "Theo Bộ Y tế, Việt Nam đã tiêm hơn 1,2 triệu liều vắc xin phòng COVID-19 cho trẻ em.",
    "a",
)


def load_underthesea_model() -> bool:
    """Put underthesea's word segmentation model in place in underthesea itself, read with
    the standard unpickler.

    underthesea (9.5.0) loads it on its first call, reading its two pickles (the feature
    templates and a dictionary of about 80,000 words) through joblib, whose unpickler is
    written in Python: half a second holding the interpreter lock, while a start loads the
    index beside it. The same files read by ``pickle`` give the same objects, and the tagger
    is built as underthesea builds it. True when the model is in place; False (nothing
    changed) when underthesea is not laid out as expected: its own first call loads it then.
    """
    try:
        from underthesea.models.fast_crf_sequence_tagger import FastCRFSequenceTagger
        from underthesea.pipeline import word_tokenize as package
        from underthesea_core import CRFFeaturizer, CRFTagger
    except ImportError:
        return False
    if package.word_tokenize_model is not None:
        return True
    folder = os.path.join(os.path.dirname(package.__file__), "models", _MODEL)
    try:
        tagger = FastCRFSequenceTagger()
        estimator = CRFTagger()
        estimator.load(os.path.join(folder, tagger.path_model))
        with open(os.path.join(folder, tagger.path_features), "rb") as f:
            features = pickle.load(f)
        with open(os.path.join(folder, tagger.path_dictionary), "rb") as f:
            dictionary = pickle.load(f)
        tagger.featurizer = CRFFeaturizer(features, dictionary)
        tagger.estimator = estimator
    except Exception:  # any failure: underthesea loads it its own way
        return False
    package.word_tokenize_model = tagger
    return True


_UNSEEN = object()
_Values = tuple[str, str, bool, str]  # lower case, "True"/"False" as i32, title case, in dict
_Template = tuple[str, int, int, str | None]  # syntax, first offset, tokens, function


def _i32(text: str) -> bool:
    """Whether Rust's ``str::parse::<i32>`` accepts the text."""
    return _I32_RE.fullmatch(text) is not None and -(2**31) <= int(text) < 2**31


def _template(config: str) -> _Template:
    """(syntax, first offset, number of tokens, function) of a feature like T[-1,0].lower."""
    match = _TEMPLATE_RE.fullmatch(config)
    if match is None:
        raise ValueError(f"unknown feature template {config!r}")
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    if not 0 <= last - first < 3 or max(abs(first), abs(last)) >= _PAD:
        raise ValueError(f"unsupported feature template {config!r}")
    return config, first, last - first + 1, match.group(3)


def read_crfsuite(path: str) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Labels, attributes, state weights (attribute x label, one more row of zeros) and
    transition weights (label x label) of a CRFsuite model file (``lCRF`` / ``FOMC``)."""
    with open(path, "rb") as f:
        data = f.read()
    magic, _, kind, _, _, labels_n, attrs_n, at_features, at_labels, at_attrs = struct.unpack_from(
        "<4sI4sIIIIIII", data, 0
    )
    if magic != b"lCRF" or kind != b"FOMC":
        raise ValueError("not a CRFsuite model")
    chunk, _, count = struct.unpack_from("<4sII", data, at_features)
    if chunk != b"FEAT":
        raise ValueError("no feature chunk")
    features = np.frombuffer(
        data,
        dtype=np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")]),
        count=count,
        offset=at_features + 12,
    )

    def strings(at: int, expected: int) -> list[str]:  # a CQDB chunk, read by id
        chunk, _, _, _, size, at_ids = struct.unpack_from("<4sIIIII", data, at)
        if chunk != b"CQDB" or size != expected:
            raise ValueError("unexpected string table")
        out = []
        for i, offset in enumerate(np.frombuffer(data, "<u4", size, at + at_ids).tolist()):
            found, length = struct.unpack_from("<iI", data, at + offset)
            if found != i or length < 1:
                raise ValueError("unexpected string table")
            start = at + offset + 8
            out.append(data[start : start + length - 1].decode("utf-8"))
        return out

    labels = strings(at_labels, labels_n)
    attributes = strings(at_attrs, attrs_n)
    state = np.zeros((len(attributes) + 1, len(labels)), dtype=np.float64)
    transition = np.zeros((len(labels), len(labels)), dtype=np.float64)
    kinds, sources, targets = features["type"], features["src"], features["dst"]
    weights = features["weight"]
    is_state = kinds == 0
    state[sources[is_state], targets[is_state]] = weights[is_state]
    is_transition = kinds == 1
    transition[sources[is_transition], targets[is_transition]] = weights[is_transition]
    if not np.all(is_state | is_transition):
        raise ValueError("unknown feature type")
    return labels, attributes, state, transition


class Segmenter:
    """``underthesea.word_tokenize(text)``: the same list, computed as the module says.

    Callable from several threads: its caches are dicts, each read or written in one
    operation (and cleared when full), never iterated."""

    def __init__(self) -> None:
        from underthesea import word_tokenize  # heavy import: load once, lazily
        from underthesea.pipeline import word_tokenize as package
        from underthesea.pipeline.text_normalize import token_normalize
        from underthesea.pipeline.text_normalize.text_normalizer import character_map
        from underthesea.pipeline.word_tokenize import regex_tokenize

        load_underthesea_model()
        word_tokenize("Hội nghị.")  # loads the model if not yet (underthesea keeps it)
        self._reference: Callable[[str], list[str]] = word_tokenize
        self._model: Any = package.word_tokenize_model
        self._regex: Any = regex_tokenize
        self._token_normalize: Callable[[str], str] = token_normalize
        self._characters: list[tuple[str, str]] = list(character_map.items())
        self._normalized: dict[str, str] = {}
        self._pattern: Any = regex_tokenize.patterns
        self._chunks: dict[str, tuple[str, ...]] = {}
        self._values: dict[str, _Values | None] = {}
        self._unigrams: dict[str, tuple[int, ...]] = {}
        self._grams: dict[int, dict[tuple[str, ...], tuple[int, ...]]] = {}
        self.fast = False
        folder = os.path.join(os.path.dirname(package.__file__), "models", _MODEL)
        try:
            self._load(folder)
            self.fast = all(self._agrees(text) for text in _SELF_CHECK)
        except (OSError, ValueError, KeyError, IndexError, struct.error, pickle.UnpicklingError):
            self.fast = False

    def _load(self, folder: str) -> None:
        with open(os.path.join(folder, "features.bin"), "rb") as f:
            configs: list[str] = pickle.load(f)
        with open(os.path.join(folder, "dictionary.bin"), "rb") as f:
            self._dictionary: frozenset[str] = frozenset(pickle.load(f))
        labels, attributes, self._state, transition = read_crfsuite(
            os.path.join(folder, "models.bin")
        )
        if len(labels) != 2:
            raise ValueError("a word segmentation model has two labels")
        self._labels = labels
        self._transition = [[float(w) for w in row] for row in transition.tolist()]
        templates = [_template(config) for config in configs]
        missing = len(attributes)  # the row of zeros: a feature value the model never saw
        by_syntax: dict[str, dict[str, int]] = {}
        for number, attribute in enumerate(attributes):
            syntax, _, value = attribute.partition("=")
            by_syntax.setdefault(syntax, {})[value] = number
        # Features grouped by their number of tokens, then function: one table per group maps
        # a value to the attributes of the group's features (one per offset).
        order = sorted(range(len(templates)), key=lambda j: (templates[j][2], str(templates[j][3])))
        self._groups: dict[tuple[int, str | None], list[int]] = {}
        for j in order:
            self._groups.setdefault((templates[j][2], templates[j][3]), []).append(j)
        self._tables: dict[tuple[int, str | None], dict[str, tuple[int, ...]]] = {}
        for key, members in self._groups.items():
            table: dict[str, list[int]] = {}
            for slot, j in enumerate(members):
                for value, number in by_syntax.get(templates[j][0], {}).items():
                    table.setdefault(value, [missing] * len(members))[slot] = number
            self._tables[key] = {value: tuple(ids) for value, ids in table.items()}
        self._missing = {key: (missing,) * len(js) for key, js in self._groups.items()}
        widths = sorted({t[2] for t in templates})
        self._widths = widths
        # Per width, its groups in order, and for each feature (in the featurizer's order)
        # the column of the matrix of all groups' attributes, and its row offset.
        columns: dict[int, int] = {}
        at = 0
        for width in widths:
            for key, members in self._groups.items():
                if key[0] == width:
                    for j in members:
                        columns[j] = at
                        at += 1
        self._columns = np.array([columns[j] for j in range(len(templates))], dtype=np.intp)
        self._offsets = np.array([t[1] + _PAD for t in templates], dtype=np.intp)
        self._ends: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        for width in widths:
            members = [j for key, js in self._groups.items() if key[0] == width for j in js]
            bos = tuple(by_syntax.get(templates[j][0], {}).get("BOS", missing) for j in members)
            eos = tuple(by_syntax.get(templates[j][0], {}).get("EOS", missing) for j in members)
            self._ends[width] = (bos, eos)
        self._templates = templates

    # --- The steps ----------------------------------------------------------------------

    def tokens(self, text: str) -> list[str]:
        """underthesea's ``regex_tokenize.tokenize(text)``."""
        text = unicodedata.normalize("NFC", text)
        for odd, standard in self._characters:
            text = text.replace(odd, standard)
        if self._regex.patterns is not self._pattern:  # underthesea recompiled it: no shortcut
            return [self._normalize(m.group()) for m in self._regex.patterns.finditer(text)]
        # No match of the pattern holds white space, and what it looks at around a match is
        # one character (white space, or the end), or whether the end of the text is near
        # (``$``). So the text's tokens are those of its chunks between white space, each
        # followed by " x" (more text follows: its " x" token dropped) or, for the last one,
        # by the text's own trailing white space. They are remembered per chunk.
        chunks = text.split()
        if not chunks:
            return []
        remembered = self._chunks
        if len(remembered) > _REMEMBERED:
            remembered.clear()
        out: list[str] = []
        for chunk in chunks[:-1]:
            found = remembered.get(chunk)
            if found is None:
                found = remembered[chunk] = self._chunk_tokens(chunk + " x")[:-1]
            out.extend(found)
        out.extend(self._chunk_tokens(chunks[-1] + text[len(text.rstrip()) :]))
        return out

    def _chunk_tokens(self, text: str) -> tuple[str, ...]:
        # Every alternative of the pattern is one named group spanning the whole match, so
        # the match is the token underthesea's group lookup returns.
        return tuple(self._normalize(m.group()) for m in self._pattern.finditer(text))

    def _normalize(self, token: str) -> str:
        """underthesea's ``token_normalize``, remembered: it depends on the token alone."""
        norm = self._normalized.get(token)
        if norm is None:
            if len(self._normalized) > _REMEMBERED:
                self._normalized.clear()
            norm = self._normalized[token] = self._token_normalize(token)
        return norm

    def _token_values(self, token: str) -> _Values | None:
        """What the features need of a token; None when its characters are not vouched for."""
        known = self._values.get(token, _UNSEEN)  # one lookup: another thread may clear it
        if known is not _UNSEEN:
            return cast("_Values | None", known)
        values: _Values | None = None
        if token and " " not in token and _SAFE_CHARS.issuperset(token):
            first, lower = token[0], token.lower()
            values = (
                lower,
                "True" if _i32(token) else "False",
                first.upper() == first,
                "True" if lower in self._dictionary else "False",
            )
        if len(self._values) > _REMEMBERED:
            self._values.clear()
            self._unigrams.clear()
        self._values[token] = values
        return values

    def _unigram_row(self, token: str, values: _Values) -> tuple[int, ...]:
        row = self._unigrams.get(token)
        if row is None:
            lower, digit, title, known = values
            by_function = {
                None: token,
                "lower": lower,
                "isdigit": digit,
                "istitle": "True" if title else "False",
                "is_in_dict": known,
            }
            row = ()
            for key in self._groups:
                if key[0] == 1:
                    row += self._tables[key].get(by_function[key[1]], self._missing[key])
            self._unigrams[token] = row
        return row

    def _rows(self, tokens: list[str], values: list[_Values], width: int) -> list[tuple[int, ...]]:
        """For each run of `width` tokens, the attributes of its features, group by group."""
        if width == 1:
            return [self._unigram_row(t, v) for t, v in zip(tokens, values, strict=True)]
        # A run's attributes depend on its tokens alone, and news repeats its word pairs.
        grams = list(zip(*(tokens[i:] for i in range(width)), strict=False))
        remembered = self._grams.setdefault(width, {})
        rows = [remembered.get(gram) for gram in grams]
        new = [a for a, row in enumerate(rows) if row is None]
        if new:
            if len(remembered) > _REMEMBERED_GRAMS:
                remembered.clear()
            for a, row in zip(new, self._new_rows(tokens, values, width, new), strict=True):
                rows[a] = remembered[grams[a]] = row
        return cast(list[tuple[int, ...]], rows)  # every None was replaced

    def _new_rows(
        self, tokens: list[str], values: list[_Values], width: int, starts: list[int]
    ) -> list[tuple[int, ...]]:
        """The attributes of the runs of `width` tokens that begin at `starts`."""
        lows = [v[0] for v in values]
        titles = [v[2] for v in values]
        joined = {
            None: [" ".join(tokens[a : a + width]) for a in starts],
            "lower": [" ".join(lows[a : a + width]) for a in starts],
        }
        rows: list[tuple[int, ...]] = [()] * len(starts)
        dictionary = self._dictionary
        for key in self._groups:
            if key[0] != width:
                continue
            table, missing, function = self._tables[key], self._missing[key], key[1]
            if function is None or function == "lower":
                found = [table.get(text, missing) for text in joined[function]]
            elif function == "is_in_dict":
                yes, no = table.get("True", missing), table.get("False", missing)
                found = [yes if text in dictionary else no for text in joined["lower"]]
            elif function == "istitle":
                yes, no = table.get("True", missing), table.get("False", missing)
                found = [yes if all(titles[a : a + width]) else no for a in starts]
            else:  # isdigit of several tokens: they hold a space, never an i32
                found = [table.get("False", missing)] * len(starts)
            rows = [r + f for r, f in zip(rows, found, strict=True)]
        return rows

    def _emissions(self, tokens: list[str], values: list[_Values]) -> list[list[float]]:
        """Each token's score for each label: its features' weights summed in order."""
        n = len(tokens)
        blocks = []
        for width in self._widths:
            bos, eos = self._ends[width]
            rows = self._rows(tokens, values, width)
            padding = n + 2 * _PAD - _PAD - len(rows)
            blocks.append(np.array([bos] * _PAD + rows + [eos] * padding, dtype=np.intp))
        matrix = np.concatenate(blocks, axis=1)  # row: gram start + _PAD; column: feature
        rows_of = self._offsets[:, None] + np.arange(n, dtype=np.intp)[None, :]
        attributes = matrix[rows_of, self._columns[:, None]]  # feature x token
        weights = np.zeros((len(self._templates) + 1, n, 2), dtype=np.float64)
        np.take(self._state, attributes, axis=0, out=weights[1:])
        result: list[list[float]] = np.cumsum(weights, axis=0)[-1].tolist()
        return result

    def _viterbi(self, emissions: list[list[float]]) -> tuple[list[int], float]:
        """The Rust tagger's Viterbi on two labels: the best path and its score."""
        (t00, t01), (t10, t11) = self._transition
        s0, s1 = emissions[0]
        back: list[tuple[int, int]] = []
        for e0, e1 in emissions[1:]:
            a, b = s0 + t00, s1 + t10
            n0, p0 = (b + e0, 1) if b > a else (a + e0, 0)
            a, b = s0 + t01, s1 + t11
            n1, p1 = (b + e1, 1) if b > a else (a + e1, 0)
            back.append((p0, p1))
            s0, s1 = n0, n1
        label = 1 if s1 > s0 else 0
        score = s1 if label else s0
        path = [label]
        for pointers in reversed(back):
            label = pointers[label]
            path.append(label)
        path.reverse()
        return path, score

    def _tags(self, tokens: list[str]) -> tuple[list[str], float | None]:
        values = []
        for token in tokens:
            v = self._token_values(token)
            if v is None:  # a character not vouched for: underthesea's own steps
                features = self._model.featurizer.process([[[t] for t in tokens]])[0]
                return list(self._model.estimator.tag(features)), None
            values.append(v)
        path, score = self._viterbi(self._emissions(tokens, values))
        return [self._labels[label] for label in path], score

    def __call__(self, text: str) -> list[str]:
        if not self.fast:
            return list(self._reference(text))
        tokens = self.tokens(text)
        if not tokens:
            return []
        tags, _ = self._tags(tokens)
        output: list[str] = []
        for tag, token in zip(tags, tokens, strict=True):
            if tag == "I-W" and output:
                output[-1] = output[-1] + " " + token
            else:
                output.append(token)
        return output

    def _agrees(self, text: str) -> bool:
        """Whether this module's steps give underthesea's own tokens, tags and score."""
        tokens = self.tokens(text)
        if tokens != self._regex.tokenize(text):
            return False
        features = self._model.featurizer.process([[[token] for token in tokens]])[0]
        expected = self._model.estimator.tag_with_score(features)
        tags, score = self._tags(tokens)
        return (tags, score) == (list(expected[0]), expected[1])
