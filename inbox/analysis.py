"""Language and sentiment of short social posts, Spanish and English, fully offline.

Language: lingua-language-detector (models inside the wheel), restricted to
Spanish, English and the neighbours that would otherwise be read as Spanish
(Portuguese, French, Italian, Catalan), blended with word cues from our own
lexicons because lingua alone hesitates on two- or three-word posts.

Sentiment: the VADER algorithm (negation, boosters, capitals, punctuation,
contrast) re-implemented here so that it runs on either language's lexicon:
English uses vaderSentiment's lexicon plus a customer-care supplement, Spanish a
lexicon written for this project (inbox/lexicon/). See docs/analysis.md.
"""

from __future__ import annotations

import html
import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Sentiment", "analyse", "detect_language", "sentiment"]

LEXICON_DIR = Path(__file__).with_name("lexicon")

# Compound score at or beyond which a post is labelled negative/positive. VADER's
# own +-0.05 calls almost every post with one mild word (a "por favor", a "free")
# polar; these were tuned on lexicon/dev_examples.csv, see docs/analysis.md.
NEGATIVE_AT = -0.25
POSITIVE_AT = 0.25

# VADER's empirically derived constants (Hutto & Gilbert 2014), kept as published.
B_INCR = 0.293  # booster word
C_INCR = 0.733  # word in capitals while the rest is not
N_SCALAR = -0.74  # negated word
ALPHA = 15  # normalisation of the summed valence into -1..1
# Ours: a stretched word ("graciaaas") counts as emphasis like a booster does.
ELONGATION_INCR = B_INCR
# Ours: asking about something good ("is the upgrade free?") is not praise.
QUESTION_POSITIVE_FACTOR = 0.5

# Language detection: lingua's confidence plus CUE_WEIGHT per word that only the
# Spanish or only the English lexicon knows; the winner needs ACCEPT of the total
# and a MARGIN over the runner-up, otherwise the network's hint decides.
CUE_WEIGHT = 0.25
LINGUA_TRUSTED_AT = 5  # words
ACCEPT = 0.4
MARGIN = 0.15
MIN_LETTERS = 3
# Portuguese, French, Italian and Catalan are detected only so that they are not
# mistaken for Spanish; they come out as "".
_LINGUA_NAMES = ("SPANISH", "ENGLISH", "PORTUGUESE", "FRENCH", "ITALIAN", "CATALAN")


@dataclass(frozen=True)
class Sentiment:
    score: float  # -1 (very negative) … +1 (very positive)
    label: str  # "negative" | "neutral" | "positive"


# --------------------------------------------------------------------------- text


def _fold(text: str) -> str:
    """Lower-case without accents: users type "atencion" as often as "atención"."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("’", "'"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


_NOISE_RE = re.compile(r"https?://\S+|www\.\S+|[@][\w.]+|&\w+;")
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?\n]*|[.!?\n]+")
_PIECE_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+(?:/\d+)?|[^\w\s]")
# An unknown word in an English post is tried against the Spanish stems only if it
# ends like an inflected Spanish word ("pésimo", "lentísima"), so that English
# "content" or "lent" never match the stems "content*" and "lent*".
_SPANISH_ENDING = re.compile(r"[ao]s?$")
_RUN_RE = re.compile(r"(.)\1{2,}")
_LAUGH_RE = re.compile(r"([jh][aeiou])\1+[jh]?")
# Emoji modifiers that carry no meaning of their own: variation selector,
# skin tones, zero-width joiner, gender signs of joined sequences.
_EMOJI_NOISE = dict.fromkeys(map(ord, "\ufe0f\u200d\u2640\u2642"), None) | {
    cp: None for cp in range(0x1F3FB, 0x1F400)
}


def _clean(text: str) -> str:
    """Drop what says nothing about language or mood: links, @handles, entities."""
    text = html.unescape(text) if "&" in text else text
    return _NOISE_RE.sub(" ", text).replace("#", " ").translate(_EMOJI_NOISE)


@dataclass
class _Token:
    key: str  # folded form used for look-ups
    caps: bool = False  # SHOUTED
    elongated: bool = False  # "graciaaas"
    question: bool = False  # in a sentence that asks
    clause: int = 0  # negation and boosters do not cross clause punctuation
    sentence: int = 0  # complaint cues are read sentence by sentence
    word: bool = True  # a word (vs. an emoji or emoticon)


def _sentences(text: str):
    for match in _SENTENCE_RE.finditer(text):
        sentence = match.group()
        ending = sentence.rstrip()[-3:]
        asks = ("?" in ending or sentence.lstrip().startswith("¿")) and "!" not in ending
        yield sentence, asks


_CLAUSE_MARKS = frozenset(",;:()\"“”«»")


def _pieces(chunk: str, lexicon: _Lexicon):
    """Words, numbers, emoji and clause marks of one whitespace-separated chunk,
    as (raw, key, kind); an emoticon such as ":(" stays whole."""
    folded = _fold(chunk)
    if folded in lexicon.emoticons:
        yield chunk, folded, "emoji"
        return
    for piece in _PIECE_RE.findall(chunk):
        if piece[0].isalnum():
            yield piece, _fold(piece), "word"
        elif piece in _CLAUSE_MARKS:
            yield piece, piece, "mark"
        elif piece in lexicon.words:  # an emoji we know; other symbols are punctuation
            yield piece, piece, "emoji"


def _tokens(text: str, lexicon: _Lexicon) -> list[_Token]:
    tokens: list[_Token] = []
    clause = 0
    for number, (sentence, asks) in enumerate(_sentences(_clean(text))):
        clause += 1
        for chunk in sentence.split():
            for raw, key, kind in _pieces(chunk, lexicon):
                if kind == "mark":
                    clause += 1
                else:
                    tokens.extend(_word_tokens(raw, key, kind == "word", asks, clause, number, lexicon))
    return _join_phrases(tokens, lexicon)


def _word_tokens(raw, key, is_word, asks, clause, sentence, lexicon):
    if not is_word:
        return [_Token(key, question=asks, clause=clause, sentence=sentence, word=False)]
    caps = raw.isupper() and len(raw) > 1
    elongated = False
    if key.isalpha() and _RUN_RE.search(key):
        key, elongated = _shorten(key, lexicon), True
    if _LAUGH_RE.fullmatch(key):
        key = "jaja" if key[0] == "j" else "haha"
    expansion = lexicon.aliases.get(key, (key,))
    return [_Token(k, caps, elongated, asks, clause, sentence) for k in expansion]


def _shorten(key: str, lexicon: _Lexicon) -> str:
    """"graciaaas" -> "gracias", "goood" -> "good": try doubled letters, then single."""
    doubled = _RUN_RE.sub(r"\1\1", key)
    if lexicon.knows(doubled):
        return doubled
    return _RUN_RE.sub(r"\1", key)


def _join_phrases(tokens: list[_Token], lexicon: _Lexicon) -> list[_Token]:
    """Merge multi-word entries ("dar de baja", "no one") into one token, longest first."""
    if not tokens:
        return tokens
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        joined = None
        for n in range(min(lexicon.longest_phrase, len(tokens) - i), 1, -1):
            run = tokens[i : i + n]
            if run[-1].clause != run[0].clause:
                continue
            key = " ".join(t.key for t in run)
            if key in lexicon.phrases:
                joined = _Token(
                    key,
                    caps=all(t.caps for t in run),
                    elongated=any(t.elongated for t in run),
                    question=run[0].question,
                    clause=run[0].clause,
                    sentence=run[0].sentence,
                )
                i += n
                break
        if joined is None:
            joined = tokens[i]
            i += 1
        out.append(joined)
    return out


# --------------------------------------------------------------------------- lexicons


@dataclass
class _Lexicon:
    words: dict[str, tuple[float, float | None]] = field(default_factory=dict)
    stems: dict[str, tuple[float, float | None]] = field(default_factory=dict)
    negators: set[str] = field(default_factory=set)
    boosters: dict[str, float] = field(default_factory=dict)
    contrasts: set[str] = field(default_factory=set)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    vocab: set[str] = field(default_factory=set)
    blocked: set[str] = field(default_factory=set)  # never borrow the other language's reading
    borrowed_stems: _Lexicon | None = None  # Spanish stems for inflected words in English posts
    emoticons: set[str] = field(default_factory=set)
    phrases: set[str] = field(default_factory=set)
    longest_phrase: int = 1
    stem_lengths: tuple[int, ...] = ()

    def knows(self, key: str) -> bool:
        return (
            key in self.words
            or key in self.negators
            or key in self.boosters
            or key in self.contrasts
            or key in self.aliases
            or key in self.vocab
            or self.stem(key) is not None
        )

    def stem(self, key: str) -> tuple[float, float | None] | None:
        for n in self.stem_lengths:  # longest stem first
            if len(key) >= n and key[:n] in self.stems:
                return self.stems[key[:n]]
        return None

    def entry(self, key: str) -> tuple[float, float | None] | None:
        found = self.words.get(key)
        if found is None:
            found = self.stem(key)
        if found is None and self.borrowed_stems is not None and _SPANISH_ENDING.search(key):
            found = self.borrowed_stems.stem(key)
        return found

    def finish(self) -> _Lexicon:
        multi = [k for k in (*self.words, *self.negators, *self.boosters, *self.contrasts) if " " in k]
        self.phrases = set(multi)
        self.longest_phrase = max((k.count(" ") + 1 for k in multi), default=1)
        self.stem_lengths = tuple(sorted({len(s) for s in self.stems}, reverse=True))
        self.emoticons = {k for k in self.words if not any(c.isalnum() for c in k) and len(k) > 1}
        return self


def _read_tsv(path: Path, lexicon: _Lexicon) -> _Lexicon:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, *rest = line.split("\t")
        _add_entry(lexicon, kind, rest, path)
    return lexicon


def _add_entry(lexicon: _Lexicon, kind: str, rest: list[str], path: Path) -> None:
    term = _fold(rest[0])
    if kind == "word":
        valence = float(rest[1])
        negated = float(rest[2]) if len(rest) > 2 and rest[2] else None
        table = lexicon.stems if term.endswith("*") else lexicon.words
        table[term.rstrip("*")] = (valence, negated)
    elif kind == "negator":
        lexicon.negators.add(term)
    elif kind == "booster":
        lexicon.boosters[term] = float(rest[1])
    elif kind == "contrast":
        lexicon.contrasts.add(term)
    elif kind == "alias":
        lexicon.aliases[term] = tuple(_fold(rest[1]).split())
    elif kind == "vocab":
        lexicon.vocab.update(_fold(t) for t in rest if t)
    elif kind == "block":
        lexicon.blocked.update(_fold(t) for t in rest if t)
    else:
        raise ValueError(f"{path.name}: unknown entry kind {kind!r}")


def _vader_base() -> _Lexicon:
    """English base from the vaderSentiment package: lexicon, negators, boosters, idioms, emoji."""
    from vaderSentiment import vaderSentiment as vader

    analyzer = vader.SentimentIntensityAnalyzer()
    lexicon = _Lexicon()
    for word, valence in analyzer.lexicon.items():
        lexicon.words[word.lower()] = (valence, None)
    for phrase, valence in vader.SPECIAL_CASES.items():
        lexicon.words[phrase] = (float(valence), None)
    lexicon.negators.update(w.lower() for w in vader.NEGATE)
    lexicon.boosters.update(vader.BOOSTER_DICT)
    lexicon.contrasts.add("but")
    for emoji, description in analyzer.emojis.items():
        valence = sum(analyzer.lexicon.get(w, 0.0) for w in description.lower().split())
        if valence and len(emoji) == 1:
            lexicon.words[emoji] = (valence, None)
    return lexicon


def _absorb(primary: _Lexicon, other: _Lexicon, borrowable) -> None:
    """Let a post in one language use the other's words (mixed "es"/"en" posts are
    common), but only words the primary language does not know, and never the
    other's stems (Spanish "content*" would read English "content" as happy)."""
    for key, entry in other.words.items():
        if not primary.knows(key) and key not in primary.blocked and borrowable(key):
            primary.words[key] = entry
    for key in other.negators - primary.vocab:
        if not primary.knows(key):
            primary.negators.add(key)
    for key, value in other.boosters.items():
        if not primary.knows(key):
            primary.boosters[key] = value
    for key, expansion in other.aliases.items():
        if not primary.knows(key):
            primary.aliases[key] = expansion


# English words of three letters or fewer are mostly initialisms that clash with
# Spanish ("ha", "po", "tia", "kk"); these few are common in Spanish posts as-is.
_SHORT_ENGLISH_IN_SPANISH = frozenset(
    "bad sad mad wtf wth lol fun joy win fav yay wow ugh ffs sux fab omg thx tnx".split()
)


def _borrowable_in_spanish(key: str) -> bool:
    return len(key) > 3 or not key.isalpha() or key in _SHORT_ENGLISH_IN_SPANISH


@dataclass
class _Resources:
    es: _Lexicon
    en: _Lexicon
    es_known: frozenset[str]  # every Spanish entry, before borrowing English ones
    en_known: frozenset[str]


_lock = threading.Lock()
_cache: dict[str, object] = {}


def _once(name: str, build):
    """Build a heavy object once per process, even if two threads ask at once."""
    try:
        return _cache[name]
    except KeyError:
        with _lock:
            if name not in _cache:
                _cache[name] = build()
            return _cache[name]


def _build_resources() -> _Resources:
    emoji = LEXICON_DIR / "emoji.tsv"
    es = _read_tsv(emoji, _read_tsv(LEXICON_DIR / "es.tsv", _Lexicon()))
    en = _read_tsv(emoji, _read_tsv(LEXICON_DIR / "en.tsv", _vader_base()))
    es_known = frozenset(es.words) | es.vocab | es.negators | set(es.boosters) | set(es.aliases)
    en_known = frozenset(en.words) | en.vocab | en.negators | set(en.boosters) | set(en.aliases)
    es.finish()  # stems must be indexed before the other side asks es.knows()
    _absorb(es, en, _borrowable_in_spanish)
    _absorb(en, es, lambda key: True)
    en.borrowed_stems = es
    return _Resources(es.finish(), en.finish(), es_known, en_known)


def _resources() -> _Resources:
    return _once("resources", _build_resources)


# --------------------------------------------------------------------------- language


def _build_detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _LINGUA_NAMES]
    # Preloading moves the ~1 s model load to the first call instead of spreading it.
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def _lingua_confidences(text: str) -> dict[str, float]:
    values = _once("detector", _build_detector).compute_language_confidence_values(text)
    return {v.language.iso_code_639_1.name.lower(): v.value for v in values}


def _normalise_hint(hint: str) -> str:
    """X says "es", Facebook "es_LA", others "spa"/"eng"; anything else is no hint."""
    code = (hint or "").strip().lower().replace("_", "-").split("-")[0]
    code = {"spa": "es", "eng": "en"}.get(code, code)
    return code if code in ("es", "en") else ""


def _cue_counts(text: str) -> tuple[int, int, int]:
    """(Spanish cues, English cues, words): a cue is a word that only the Spanish,
    or only the English, lexicon knows. VADER's 7,500 words include Spanish-looking
    ones ("sin", "fatal", "horrible"); for a word both sides know, only the curated
    vocab lists (es.tsv/en.tsv) can make it a cue."""
    res = _resources()
    es = en = words = 0
    for token in _tokens(text, res.es):
        if not token.word:
            continue
        words += token.key.count(" ") + 1
        key = token.key
        spanish = key in res.es_known or res.es.stem(key) is not None
        english = key in res.en_known
        if spanish and english:
            spanish = key in res.es.vocab and key not in res.en.vocab
            english = key in res.en.vocab and key not in res.es.vocab
        es += spanish
        en += english
    return es, en, words


def _language_scores(text: str) -> dict[str, float]:
    """lingua's confidences, trusted less on posts of one or two words (where it
    reads "thx" as French), plus CUE_WEIGHT per Spanish or English cue."""
    es_cues, en_cues, words = _cue_counts(text)
    trust = min(1.0, words / LINGUA_TRUSTED_AT)
    scores = {lang: trust * p for lang, p in _lingua_confidences(text).items()}
    scores["es"] = scores.get("es", 0.0) + CUE_WEIGHT * es_cues
    scores["en"] = scores.get("en", 0.0) + CUE_WEIGHT * en_cues
    total = sum(scores.values()) or 1.0
    return {lang: value / total for lang, value in scores.items()}


def detect_language(text: str, hint: str = "") -> str:
    """"es", "en", or "" when the text is too short/ambiguous; `hint` is the network's
    own language tag (e.g. X's lang) used when the text itself is inconclusive."""
    fallback = _normalise_hint(hint)
    cleaned = _clean(text or "")
    if sum(c.isalpha() for c in cleaned) < MIN_LETTERS:
        return fallback
    ranked = sorted(_language_scores(cleaned).items(), key=lambda kv: kv[1], reverse=True)
    (best, p_best), (_, p_second) = ranked[0], ranked[1]
    if p_best < ACCEPT or p_best - p_second < MARGIN:
        return fallback
    return best if best in ("es", "en") else ""  # confidently a third language


# --------------------------------------------------------------------------- sentiment


def _valences(tokens: list[_Token], lexicon: _Lexicon) -> list[float]:
    words = [t for t in tokens if t.word]
    shouting = 0 < sum(t.caps for t in words) < len(words)  # VADER: caps only count as emphasis among lower case
    return [_valence(tokens, i, lexicon, shouting) for i in range(len(tokens))]


def _valence(tokens: list[_Token], i: int, lexicon: _Lexicon, shouting: bool) -> float:
    token = tokens[i]
    if token.key in lexicon.boosters or token.key in lexicon.contrasts:
        return 0.0
    entry = lexicon.entry(token.key)
    if entry is None:
        return 0.0
    valence, negated_valence = entry
    if token.key in lexicon.negators and _next_is_sentiment_word(tokens, i, lexicon):
        return 0.0  # VADER's "no": a negator here, not a sentiment word of its own
    if token.word and _is_negated(tokens, i, lexicon):  # "sin luz 😡" is not a happy face
        valence = negated_valence if negated_valence is not None else valence * N_SCALAR
    if valence == 0.0:
        return 0.0
    sign = 1.0 if valence > 0 else -1.0
    valence += sign * _boost(tokens, i, lexicon, shouting)
    if token.elongated:
        valence += sign * ELONGATION_INCR
    if token.caps and shouting:
        valence += sign * C_INCR
    if token.question and valence > 0:
        valence *= QUESTION_POSITIVE_FACTOR
    return valence


def _next_is_sentiment_word(tokens, i, lexicon) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].clause == tokens[i].clause and lexicon.entry(tokens[i + 1].key) is not None


def _window(tokens: list[_Token], i: int):
    """Up to three preceding tokens of the same clause, nearest first, with distance."""
    for distance in (1, 2, 3):
        j = i - distance
        if j < 0 or tokens[j].clause != tokens[i].clause:
            return
        yield distance, tokens[j]


def _is_negated(tokens, i, lexicon) -> bool:
    # Spanish stacks negators for one negation ("no viene nunca nadie"), so any
    # number of negators in the window negates once.
    return any(
        t.key in lexicon.negators or t.key.endswith("n't") for _, t in _window(tokens, i)
    )


def _boost(tokens, i, lexicon, shouting) -> float:
    total = 0.0
    for distance, t in _window(tokens, i):
        scalar = lexicon.boosters.get(t.key)
        if scalar is None:
            continue
        if t.caps and shouting:
            scalar += C_INCR if scalar > 0 else -C_INCR
        total += scalar * (1.0, 0.95, 0.9)[distance - 1]
    return total


def _contrast(tokens: list[_Token], valences: list[float], lexicon: _Lexicon) -> list[float]:
    """VADER's "but" rule: what follows the first contrastive word weighs three times
    what precedes it. A leading "aunque" opens a concession instead, so is skipped."""
    for at, token in enumerate(tokens):
        if at > 0 and token.key in lexicon.contrasts:
            return [v * 0.5 if i < at else v * 1.5 if i > at else v for i, v in enumerate(valences)]
    return valences


def _punctuation_emphasis(text: str) -> float:
    exclamations = min(text.count("!"), 4) * 0.292
    questions = text.count("?")
    asked = 0.0 if questions <= 1 else questions * 0.18 if questions <= 3 else 0.96
    return exclamations + asked


def _compound(text: str, lexicon: _Lexicon) -> float:
    tokens = _tokens(text, lexicon)
    valences = _contrast(tokens, _valences(tokens, lexicon), lexicon)
    total = sum(valences)
    if total == 0.0:
        return 0.0
    total += math.copysign(_punctuation_emphasis(text), total)
    return max(-1.0, min(1.0, total / math.sqrt(total * total + ALPHA)))


def _label(score: float) -> str:
    if score <= NEGATIVE_AT:
        return "negative"
    if score >= POSITIVE_AT:
        return "positive"
    return "neutral"


def sentiment(text: str, language: str) -> Sentiment:
    """Sentiment of `text` read as `language` ("es"/"en"); with "" the language whose
    lexicon recognises more of the words is used."""
    res = _resources()
    language = _normalise_hint(language)
    if not language:
        es_cues, en_cues, _ = _cue_counts(text or "")
        language = "en" if en_cues > es_cues else "es"
    score = round(_compound(text or "", res.en if language == "en" else res.es), 4)
    return Sentiment(score, _label(score))


def analyse(text: str, hint: str = "") -> tuple[str, Sentiment]:
    language = detect_language(text, hint)
    return language, sentiment(text, language)
