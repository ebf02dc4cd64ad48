"""Language and sentiment of short social posts, Spanish and English, fully offline.

Language: lingua-language-detector (models inside the wheel), restricted to
Spanish, English and the neighbours that would otherwise be read as Spanish
(Portuguese, French, Italian, Catalan), blended with word cues from our own
lexicons because lingua alone hesitates on two- or three-word posts.

Sentiment: the VADER algorithm (negation, boosters, capitals, punctuation,
contrast) re-implemented here so that it runs on either language's lexicon:
English uses vaderSentiment's lexicon plus a customer-care supplement, Spanish a
lexicon written for this project (inbox/lexicon/). On top of the words, complaint
cues read the structure of a care complaint that has no opinion word in it (a wait,
a repetition, "todavía no", "where is my order", money taken twice, "won't let me
pay", "goes straight to voicemail"), and irony markers ("great, another outage",
"thanks for the 'help'", 🙄) read the praise beside them as negated. See
docs/analysis.md.
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


@dataclass(slots=True)
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


# --------------------------------------------------------------------------- complaint cues
#
# Many complaints carry no evaluative word at all: "llevo 3 días esperando el
# reembolso", "where is my parcel??", "me cobraron el doble", "still haven't heard
# back". What marks them is customer-care structure: how long something has been
# going on, that it keeps happening, that something owed has not come, that money
# was taken twice, an exasperated question. These cues add negative valence on the
# same -4..+4 scale as the lexicon, before normalisation.
#
# - They read the folded token keys of each sentence. A phrase the lexicon already
#   joined ("otra vez", "still waiting", "charged twice") is one token written with
#   "_", so the cue patterns cannot see inside it: a span is scored by the lexicon
#   or by a cue, never by both.
# - Each kind of cue counts once per post (five "again"s are not five complaints).
# - A cue is context, not an opinion: it is ignored in a sentence whose words are
#   clearly positive (PRAISE_AT: "llevo 2 días con la fibra nueva y va genial"), so it
#   never turns praise or a resolved problem into a complaint.
# - Weights: a context cue alone (-0.8) gives the post a negative sign but stays
#   under the threshold (-1.0 of valence ~ -0.25 of score), so a neutral question that
#   happens to contain "for 3 days" or "since Monday" stays neutral; a complaint cue
#   (-1.5) is a complaint on its own, even beside one mildly positive noun ("refund"
#   +0.5); any two cues, or a cue and a complaint word, make a negative label. The
#   weights sit on a plateau of dev_examples.csv, see docs/analysis.md.

CUE_WEAK = -0.5  # "still", "??": a hint, never a label on its own
CUE_CONTEXT = -0.8  # waiting time, repetition
CUE_COMPLAINT = -1.5  # unmet expectation, exasperated question, money taken wrongly
CUE_REFERENCE = -0.3  # an order/ticket number, only where the post already complains
# A sentence whose words sum to this or more is praise and its cues are ignored. One
# clearly positive word ("bien" 1.5, "gracias" 2.0) is enough; nouns that are mildly
# positive by accident ("refund" 0.5, "seguro" 0.5, "ok") are not.
PRAISE_AT = 1.0

_NUM = (
    r"(?:\d+|un|una|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|quince"
    r"|veinte|treinta|un par de|varios|varias|a|an|one|two|three|four|five|six|seven|eight"
    r"|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|a couple of|couple of|a few|several)"
)
# Units of waiting. Years are left out on purpose: "cliente desde hace 10 años" and
# "a customer for 3 years" are loyalty, not a wait.
_UNIT = (
    r"(?:minutos?|mins?|horas?|hrs?|hs|h|dias?|semanas?|mes|meses"
    r"|minutes?|hours?|days?|weeks?|wks?|months?)"
)
_WEEKDAY = (
    r"(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|finde|fin de semana"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun|the weekend)"
)
_MANY = (
    r"[3-9]|\d\d+|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|varias|muchas|mil|cien|n|three|four|five"
    r"|six|seven|eight|nine|ten|several|multiple|countless|numerous|so many|a dozen|a million|100"
)
# Ordinals from the third on (a second time is only context, see _CUE_PATTERNS).
_ORDINAL_ES = r"(?:tercer[oa]?|cuart[oa]|quint[oa]|sext[oa]|septim[oa]|octav[oa]|enesim[oa]|(?:[3-9]|\d\d+) (?:er|ra|ro|ta|to|ma|mo|va|vo|na|no|a|o))"
_ORDINAL_DAY_ES = r"(?:segundo|tercer|tercero|cuarto|quinto|sexto|septimo|octavo|\d+ (?:er|ro|do|to|mo|vo|no|o))"
_ORDINAL_EN = r"(?:third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|umpteenth|nth|(?:[3-9]|\d\d+) (?:rd|th))"
_ORDINAL_DAY_EN = r"(?:second|third|fourth|fifth|sixth|seventh|eighth|\d+ (?:nd|rd|th))"
# Being kept waiting; "en espera" and "on hold" are also lexicon phrases, hence "_".
_WAITING = r"(?:esperando|espere|esperado|en espera|en_espera|al telefono|en linea|waiting|waited|on hold|on_hold|on the phone|in the queue|in a queue)"
# What a customer is owed and asks after: "where is my order", "¿dónde está mi reembolso?"
# (not "where is my nearest store", "¿dónde está la tienda?").
_OWED = (
    r"(?:pedidos?|paquetes?|envios?|compra|orden|reembolso|devolucion|dinero|plata|tecnico|instalador"
    r"|repartidor|tarjeta|productos?|respuesta|solucion|orders?|packages?|parcels?|delivery|refund"
    r"|money|engineer|technician|installer|items?|stuff|replacement|card|cheque|check|compensation"
    r"|shipment|driver|courier|purchase|reply|response|callback)"
)

# Failure of a device or service, after "keeps": "keeps crashing", "kept cutting out".
_FAILING_EN = (
    r"(?:crashing|dropping(?: out)?|freezing|failing|cutting (?:out|off)|disconnecting|buffering|lagging|glitching"
    r"|hanging|restarting|rebooting|resetting|turning (?:itself )?off|switching (?:itself )?off|shutting (?:down|off)"
    r"|going (?:down|off|offline)|timing out|logging (?:me|us) (?:out|off)|kicking (?:me|us) (?:out|off)|throwing (?:me|us) out"
    r"|signing (?:me|us) out|booting (?:me|us) (?:out|off)|declining|rejecting|bouncing|losing (?:signal|connection|the connection)"
    r"|spinning|erroring|breaking|saying|asking|telling (?:me|us)|sending (?:me|us)|charging (?:me|us)|billing (?:me|us)|happening"
    r"|getting (?:cut off|declined|rejected|disconnected|logged out|kicked out|stuck|an error|errors))"
)
# What a customer cannot do: "can't pay", "unable to top up" (not "can't wait", "can't fault
# it", "can't find": that one asks for directions). "log in", "connect", "access" are
# lexicon words with a negated value, so they are not repeated here.
_CARE_ACTIONS_EN = (
    r"(?:log on|get in|get into|get on|get online|go online|get through|get hold of|reach|speak to|talk to|pay|make (?:a )?payments?"
    r"|top up|check out|checkout|place (?:an|my) order|order|book|download|open|use|watch|stream|make calls|send|reset|activate"
    r"|register|verify|install|print|submit|track)"
)
# What a device or app will not do: "won't turn on", "doesn't sync". "open" not before a
# time ("the store doesn't open until 10"); "charge" only as a battery ("won't charge my
# phone", not "they won't charge you").
_DEVICE_VERBS_EN = (
    r"(?:(?:turn|switch|power) on|boot(?: up)?|start up|sync|install|print|play|stream|send|go through|pair|scan|recogni[sz]e"
    r"|detect|download|upload|refresh"
    r"|open(?! (?:until|till|til|before|after|at \d|on (?:sundays?|saturdays?|weekends?|bank holidays?|christmas))))\b"
    r"|charge(?= properly| at all| anymore| any more| fully| past| beyond| overnight| my| it| the (?:phone|battery|car|laptop|tablet)|$)"
)

# (kind, weight, pattern, weight in a sentence that asks: 0 = not a cue there[, substrings
# one of which the line must contain before the pattern is tried])
_CUE_PATTERNS = [
    # how long it has been going on
    ("waiting", CUE_CONTEXT, rf"\bllev(?:o|as|a|amos|an)(?: ya)?(?: mas de| casi| como| unos| unas)? (?:{_NUM} )?{_UNIT}\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, r"\bllev(?:o|as|a|amos|an)(?: ya)? (?:toda la|todo el) (?:manana|tarde|noche|semana|dia|finde|mes)\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, rf"\bya (?:van|va|son|es|llevo|llevamos)(?: mas de| casi)? {_NUM} {_UNIT}\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, rf"\bhace(?: ya)?(?: mas de| casi)? {_NUM} {_UNIT}\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, rf"\bdesde (?:el |este |la )?{_WEEKDAY}\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, r"\bdesde (?:ayer|anoche|anteayer|antier|antes de ayer|esta manana|temprano|la semana pasada|el mes pasado|principios de mes|el dia \d+|el \d{1,2}|las \d{1,2})\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, rf"\b{_ORDINAL_DAY_ES} dia\b|\bdia (?:\d+|dos|tres|cuatro|cinco|seis|siete) (?:sin|y)\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, rf"\bfor (?:over |more than |almost |nearly |about |around |the (?:last|past) |a good )?(?:{_NUM} )?{_UNIT}\b|\bfor ages\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, rf"\b(?:it's been|its been|it has been|it's|its|that's|thats|been|going on)(?: over| more than| almost| nearly| about)? {_NUM} {_UNIT}\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, rf"\b{_NUM} {_UNIT} ago\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, rf"\bsince (?:last |this |early |late )?(?:{_WEEKDAY}|yesterday|last night|last week|last month|this morning|tonight|lunchtime|lunch|breakfast|the \d{{1,2}}|\d{{1,2}})\b", CUE_CONTEXT),
    ("waiting", CUE_CONTEXT, rf"\b{_ORDINAL_DAY_EN} (?:day|night|week|morning|evening)\b|\bday (?:\d+|two|three|four|five|six|seven|eight|nine|ten)\b", CUE_CONTEXT),
    # a wait with its length: "40 minutos en espera", "waiting 3 weeks for a callback"
    ("waiting", CUE_COMPLAINT, rf"\b{_WAITING}(?: for| over| more than| almost| nearly| durante| mas de| casi)? (?:{_NUM} )?{_UNIT}\b|\b{_NUM} {_UNIT} {_WAITING}\b", CUE_COMPLAINT),
    # it keeps happening
    ("repeated", CUE_CONTEXT, r"\b(?:2|dos|two|twice) (?:veces|times)\b(?! (?:mas|menos|more|less|as|faster|cheaper|better))|\bsegunda vez\b|\bsecond time\b", CUE_CONTEXT),
    ("repeated", CUE_CONTEXT, r"\bcada vez que\b|\bevery (?:single )?time\b", CUE_CONTEXT),
    # a third time or more: nobody counts what does not annoy them ("not 3 times faster")
    ("repeated", CUE_COMPLAINT, rf"\b(?:{_MANY}) (?:veces|times)\b(?! (?:mas|menos|more|less|as|faster|quicker|cheaper|better|bigger))", CUE_COMPLAINT),
    ("repeated", CUE_COMPLAINT, rf"\b{_ORDINAL_ES} vez\b|\b{_ORDINAL_EN} time\b", CUE_COMPLAINT),
    ("repeated", CUE_CONTEXT, r"(?<!thanks )(?<!thank you )\bagain\b", 0.0),  # "can you send it again?" asks
    # it is still going on (with a negation, see _unmet_expectation)
    ("persisting", CUE_WEAK, r"\b(?:todavia|aun|still)\b", 0.0),  # "is the sale still on?" asks
    ("persisting", CUE_WEAK, r"\b(?:sigue|siguen|sigo|seguimos|continua|continuan) \w+(?:ando|iendo|yendo)\b|\b(?:keep|keeps|kept)(?: on)? \w+ing\b", 0.0),
    ("unmet", CUE_COMPLAINT, r"\b(?:sigue|siguen|continua|continuan) sin\b|\byet to\b|\bnot yet\b|\btodavia no\b|\baun no\b", CUE_CONTEXT),
    # an exasperated question
    ("exasperated", CUE_COMPLAINT, r"\balguien (?:me |nos )?(?:va a|piensa|se va a dignar a)\b|\bis (?:anyone|anybody|someone) (?:ever )?(?:going to|gonna)\b|\bwill (?:anyone|anybody) ever\b", CUE_COMPLAINT),
    ("exasperated", CUE_COMPLAINT, r"\bhasta cuando\b|\bhow much longer\b|\bhow many more (?:times|days|weeks|hours|calls|emails)\b", CUE_COMPLAINT),
    ("exasperated", CUE_COMPLAINT, rf"\b(?:donde|adonde) (?:esta|estan|quedo|quedaron|anda|andan)(?: mi| mis| nuestro| nuestra| el| la| los| las) {_OWED}\b", CUE_COMPLAINT),
    ("exasperated", CUE_COMPLAINT, rf"\b(?:where is|where's|wheres|where are)(?: my| our| the) {_OWED}\b", CUE_COMPLAINT),
    ("exasperated", CUE_COMPLAINT, r"\bcuanto (?:mas|tiempo mas) (?:tengo|tenemos|hay|voy|vamos|van|tendre)\b|\bhow long (?:do|does|will|must|should|am|are|is|have) (?:i|we|it|this|they) (?:\w+ ){0,2}?(?:wait|waiting|without)\b", CUE_COMPLAINT),
    ("exasperated", CUE_COMPLAINT, r"\bque (?:pasa|paso|sucede|ocurre|esta pasando) con (?:mi|mis|nuestro|nuestra|el|la|los|las)\b|\bque (?:pasa|sucede|ocurre|esta pasando)$|\bwhat(?:'s| is) (?:going on|happening)\b|\bwhen (?:will|am|do|can) (?:i|we) (?:ever|finally)\b", CUE_COMPLAINT),
    # money taken twice, in excess, or for the same thing
    ("money", CUE_COMPLAINT, r"\b(?:cobr\w*|carg\w*|factur(?:aron|ado|ada|an|o|ando)|descont\w*|debit\w*|pague|pagamos|pagado)(?: \S+){0,3}? (?:\d+[ _]veces|dos[ _]veces|tres[ _]veces|el doble|doble|duplicad\w*|repetid\w*|de_nuevo|otra_vez)\b|\b(?:dos|2|tres|3) (?:cargos|cobros)\b", CUE_COMPLAINT),
    ("money", CUE_COMPLAINT, r"\b(?:charg|bill|debit|invoic|took|taken)\w*(?: \S+){0,3}? (?:twice|two times|2 times|three times|3 times|double|again)\b|\b(?:paid|paying) (?:\S+ ){0,3}?(?:twice|two times|double)\b", CUE_COMPLAINT),
    ("money", CUE_COMPLAINT, r"\b(?:duplicate|duplicated|double|repeated) (?:payments?|charges?|debits?|transactions?)\b|\b(?:payments?|charges?|debits?|transactions?|pagos|cargos|cobros)(?: \S+){0,3}? (?:for|of|por|de) (?:the same|lo mismo|el mismo|la misma)\b", CUE_COMPLAINT),    # it happens all the time: "se cae a cada rato", "every few minutes" (a request asks: "do you deliver every day?")
    ("repeated", CUE_CONTEXT, rf"\ba cada (?:rato|momento|minuto|hora)\b|\bcada dos por tres\b|\btodo el (?:rato|tiempo|dia)\b|\bconstantemente\b|\bcontinuamente\b|\bconstantly\b|\ball the time\b|\bevery (?:few|couple of|other|{_NUM}) (?:seconds?|secs?|{_UNIT})\b|\bcada (?:pocos|pocas|{_NUM}) (?:segundos|{_UNIT})\b", 0.0, ("rato", "dos por tres", "todo el", "constant", "continua", "all the time", "every", "cada")),
    # something does not work: the malfunction verbs and phrasal verbs of a care inbox.
    # Verbs the lexicon already reads when negated ("load", "work", "connect", "log in",
    # "funciona", "carga") are left to it: one span, one score. In a question these are
    # only context: "what happens if my card gets declined?" asks.
    ("malfunction", CUE_COMPLAINT, rf"(?:\bkeeps|\bkept|(?<=\w )(?<!please )(?<!pls )\bkeep)(?: on)? {_FAILING_EN}\b", CUE_CONTEXT, ("keep", "kept")),
    ("malfunction", CUE_COMPLAINT, r"\b(?:won't|wont|will not|doesn't|doesnt|does not|didn't|didnt|did not|isn't|isnt|can't|cant|cannot|couldn't|couldnt|wouldn't|wouldnt|refuses to|refused to)(?: even| still| ever| just)? let (?:me|us)\b", CUE_CONTEXT, ("let",)),
    ("malfunction", CUE_COMPLAINT, rf"\b(?:can't|cant|cannot|can not|couldn't|couldnt|unable to|not able to|impossible to|no way to)(?: even| still| seem to| ever| actually)? {_CARE_ACTIONS_EN}\b(?!(?: \S+)? (?:until|till|til|before)\b)", CUE_CONTEXT, ("can", "couldn", "able to", "impossible", "no way")),
    ("malfunction", CUE_COMPLAINT, rf"\b(?:won't|wont|will not|doesn't|doesnt|does not|didn't|didnt|did not|still won't|still doesn't|never)(?: even| ever| always)? {_DEVICE_VERBS_EN}", CUE_CONTEXT, ("won", "will not", "doesn", "does not", "didn", "did not", "never")),
    ("malfunction", CUE_COMPLAINT, r"\b(?:isn't|isnt|is not|aren't|arent|are not|wasn't|wasnt|not|stopped|still not) (?:loading|opening|charging|syncing|turning on|streaming|playing|sending|going through|booting|printing|pairing|scanning|updating|downloading)\b", CUE_CONTEXT, ("not", "isn", "aren", "wasn", "stopped")),
    ("malfunction", CUE_COMPLAINT, r"\b(?:kick|kicks|kicked|kicking|throw|throws|threw|throwing|boot|boots|booted|booting|chuck|chucks|chucked|log|logs|logged|logging|sign|signs|signed|signing|lock|locks|locked|locking) (?:me|us) (?:out|off)\b|\b(?:locked|kicked|booted|thrown|chucked) out\b", CUE_CONTEXT, (" out", " off")),
    ("malfunction", CUE_COMPLAINT, r"\b(?:rings|rang|ringing|ring) (?:out|and rings|and nobody|and no one|forever)\b|\bjust rings\b|\b(?:goes|went|going|go|gone|sent|sends|send|put|puts|divert|diverts|diverted|redirects|redirected)(?: me| us)?(?: straight| directly| right)? to (?:voicemail|voice mail|an answering machine|answerphone|the answerphone|a recorded message|an automated message)\b", CUE_CONTEXT, ("ring", "rang", "voice", "answer", "recorded", "automated")),
    ("malfunction", CUE_COMPLAINT, r"\b(?:got|get|gets|getting|was|were|been|keep getting|keeps getting) (?:cut off|disconnected|declined|bounced|locked|frozen)\b|\bcuts? (?:me|us) off\b|\b(?:card|payment|transaction|direct debit)s? (?:\S+ ){0,2}?(?:declined|bounced|bouncing)\b|\bdeclin(?:ed|es|ing) my (?:card|payment|transaction)\b", CUE_CONTEXT, ("cut", "disconnect", "declin", "bounc", "locked", "frozen")),
    ("malfunction", CUE_COMPLAINT, r"(?<!not )(?<!never )(?<!longer )(?<!more )(?<!n't )\b(?:stuck\b(?! (?:at|in) (?:home|work|the office|traffic|bed))|(?:frozen|froze|freezes|freezing)\b(?! (?:price|prices|tariff|rate|rates|food|pipes?))|(?:hangs|hanging) (?:on|at|when|while|during|every)\b)", CUE_CONTEXT, ("stuck", "froz", "freez", "hang")),
    ("malfunction", CUE_COMPLAINT, r"\b(?:suena y suena|timbra y timbra|suena y nadie|suena y no contesta|da tono y nadie)\b|\b(?:manda|mandan|mando|pasa|pasan|salta|saltan|sale|va|envia|envian|desvia|desvian)(?: directo| directamente| derecho)? (?:al|el|a la|la) (?:buzon|contestador|grabadora|mensaje grabado)\b", CUE_CONTEXT, ("suena", "timbra", "tono", "buzon", "contestador", "grabadora", "grabado")),
    ("malfunction", CUE_COMPLAINT, r"\b(?:rechaz|rebot|declin|deneg)\w* (?:\S+ ){0,2}?(?:tarjeta|pago|compra|transferencia|transaccion|domiciliacion)\b|\b(?:tarjeta|pago|compra|transferencia|transaccion)s? (?:\S+ ){0,2}?(?:rechazad|declinad|rebotad|denegad|rebota|rechaza)\w*\b", CUE_CONTEXT, ("rechaz", "rebot", "declin", "deneg")),
    ("malfunction", CUE_COMPLAINT, r"(?<!no )(?<!nunca )(?<!jamas )\b(?:se )?(?:queda|quedo|quede|quedan|quedaron|quedamos) (?:trabad|colgad|congelad|pegad|tildad|atascad|bloquead)\w*\b|\b(?:trabad|tildad|atascad)[oa]s?\b|(?<!no )(?<!nunca )(?<!jamas )\bse (?:traba|trabo|traban|cuelga|colgo|cuelgan|congela|congelo|congelan|tilda|tildo|atasca|atasco|bloquea|bloqueo)\b", CUE_CONTEXT, ("trab", "colg", "cuelg", "congel", "pegad", "tild", "atasc", "bloque")),
    ("malfunction", CUE_COMPLAINT, r"(?<!no )(?<!nunca )(?<!jamas )\bse (?:me |nos )?(?:corta|cortan|desconecta|desconectan|reinicia|reinician)\b(?! (?:el|la|los|las) (?:plazo|oferta|promo|promocion|inscripcion))|(?<!no )(?<!nunca )\bse (?:(?:me|nos) (?:apaga|apagan|cierra|cierran)|(?:apaga|apagan|cierra|cierran) sol[oa]s?)\b", CUE_CONTEXT, ("cort", "desconect", "reinici", "apag", "cierra")),
    ("malfunction", CUE_COMPLAINT, r"(?<!no )(?<!nunca )(?<!jamas )\bme (?:saca|sacan|saco|echa|echan|echo|bota|botan|boto|tira|tiran|expulsa|expulsan|expulso) (?:de|del|fuera)\b(?! (?:dudas?|una duda|apuros?|un apuro))|\bme (?:desconecta|desconectan|cierra la sesion|cierran la sesion)\b", CUE_CONTEXT, ("saca", "saco", "echa", "echo", "bota", "boto", "tira", "expuls", "desconect", "sesion")),
    ("malfunction", CUE_COMPLAINT, r"\bno (?:me |nos |le )?(?:arranca|arrancan|sincroniza|reconoce|reconocen|descarga|descargan)\b|\bno (?:me|nos) (?:abre|abren|inicia|acepta|aceptan|toma|toman|lee|leen)\b", CUE_CONTEXT, ("arranca", "sincroniza", "reconoce", "descarga", "abre", "inicia", "acepta", "toma", "lee")),
    # a promise broken, told as a bare fact: "They didn't.", "it's not here", "so much for…"
    ("unmet", CUE_COMPLAINT, r"^(?:but |and |of course |obviously |naturally |surprise surprise |spoiler )?(?:they|you|he|she|it|nobody|no one|noone|none of them)(?: still| obviously| never)? (?:didn't|didnt|did not|never did|haven't|havent|hasn't|hasnt|wasn't|wasnt|weren't|werent|won't|wont|never)$|^(?:nobody|no one|noone) (?:did|has|came|showed|called|rang)$", CUE_CONTEXT),
    ("unmet", CUE_COMPLAINT, r"^(?:and |but |still |so far |y |pero )?(?:nothing|zilch|crickets|silence|radio silence|not a word|not a peep|nothing yet|ni rastro|ni una palabra|nada de nada)$|^(?:pero |y )?(?:no|nunca|tampoco)(?: lo| la| me| nos)? (?:hicieron|hizo)$", CUE_CONTEXT),
    ("unmet", CUE_COMPLAINT, r"\b(?:it's|its|it is|they're|theyre|they are|it|they|parcel|package|order|delivery)(?: is| are| was| were)?(?: still)? (?:not|isn't|isnt|aren't|arent|wasn't|wasnt) here\b", CUE_CONTEXT, ("here",)),
    # a rhetorical "how is this possible?" (not "how is it possible to change my plan?")
    ("exasperated", CUE_COMPLAINT, r"\bhow (?:is|was) (?:it|this|that) (?:even )?possible\b(?! to)|\bcomo (?:es|sera) posible que\b|\bcomo puede ser (?:posible )?que\b", CUE_COMPLAINT, ("possible", "posible")),
]


def _compile_cues(table):
    """One regex per (kind, weights): fewer searches per sentence than one per line. A
    row may end with the substrings one of which a line must contain for the pattern to
    be tried at all (a long alternation is slow to search; `in` is not): those rows are
    compiled on their own."""
    grouped: dict[tuple[str, float, float], list[str]] = {}
    cues = []
    for kind, weight, pattern, asked, *needs in table:
        if needs:
            cues.append((kind, weight, re.compile(pattern), asked, needs[0]))
        else:
            grouped.setdefault((kind, weight, asked), []).append(f"(?:{pattern})")
    grouped_cues = [(kind, weight, re.compile("|".join(ps)), asked, ()) for (kind, weight, asked), ps in grouped.items()]
    return grouped_cues + cues


_CUES = _compile_cues(_CUE_PATTERNS)
_PERSISTENCE = frozenset(("todavia", "aun", "still", "yet"))
# "??", "¿¿", "?!": asked with exasperation (one "?" is just a question)
_EXASPERATED_MARKS = re.compile(r"\?\s*\?|¿\s*¿|\?\s*!|!\s*\?")
_HASH_NUMBER_RE = re.compile(r"#\s*\d{3,}")  # "#4821"; _clean() drops the "#" from the tokens
_REFERENCE_RE = re.compile(
    r"\b(?:pedido|orden|order|ticket|caso|case|reclamo|reclamacion|incidencia|referencia|reference|ref"
    r"|expediente|tracking|seguimiento|booking|reserva)\b(?: \S+){0,2}? \d{3,}\b"
)


def _unmet_expectation(words: list[_Token], lexicon: _Lexicon) -> bool:
    """"still/todavía/aún/yet" with a negation nearby: "still haven't received it",
    "todavía no me devolvieron", "haven't heard back yet"."""
    for i, token in enumerate(words):
        if token.key in _PERSISTENCE:
            near = words[max(0, i - 5) : i + 5]
            if any(t.key in lexicon.negators or t.key.endswith("n't") for t in near if t is not token):
                return True
    return False


def _by_sentence(tokens: list[_Token]) -> dict[int, list[int]]:
    sentences: dict[int, list[int]] = {}
    for i, token in enumerate(tokens):
        sentences.setdefault(token.sentence, []).append(i)
    return sentences


def _line(tokens: list[_Token], indices) -> str:
    """The folded keys of a sentence's (or clause's) words; a joined phrase keeps its "_"."""
    return " ".join(tokens[i].key.replace(" ", "_") for i in indices if tokens[i].word)


def _sentence_cues(words: list[_Token], line: str, lexicon: _Lexicon) -> dict[str, float]:
    """The complaint cues of one sentence, by kind (the strongest of each kind)."""
    found: dict[str, float] = {}
    asks = words[0].question
    for kind, weight, pattern, asked, needs in _CUES:
        weight = asked if asks else weight
        if weight >= found.get(kind, 0.0) or (needs and not any(n in line for n in needs)):
            continue
        if pattern.search(line):
            found[kind] = weight
    if _unmet_expectation(words, lexicon):
        # a question hedges: "aún no soy cliente, ¿qué planes tienen?"
        found["unmet"] = min(found.get("unmet", 0.0), CUE_CONTEXT if asks else CUE_COMPLAINT)
    return found


def _complaint_cues(
    tokens: list[_Token], valences: list[float], text: str, lexicon: _Lexicon, found: dict[str, float] | None = None
) -> tuple[float, bool]:
    """Summed weight of the complaint cues found (each kind once), and whether the
    post quotes an order/ticket number. `found`: cues already read by _irony."""
    found = dict(found or {})
    reference = False
    for indices in _by_sentence(tokens).values():
        words = [tokens[i] for i in indices if tokens[i].word]
        line = _line(tokens, indices)
        reference = reference or _REFERENCE_RE.search(line) is not None
        if not words or sum(valences[i] for i in indices) >= PRAISE_AT:
            continue  # praise or a resolved problem: context does not overturn it
        for kind, weight in _sentence_cues(words, line, lexicon).items():
            found[kind] = min(found.get(kind, 0.0), weight)
    if _EXASPERATED_MARKS.search(text) and sum(valences) <= 0:  # not in "gracias!?"
        found["marks"] = CUE_WEAK
    return sum(found.values()), reference or _HASH_NUMBER_RE.search(text) is not None


# --------------------------------------------------------------------------- irony
#
# Sarcasm puts a positive word where the writer means the opposite: "great, another
# outage", "love paying for a service that never works", "thanks for the 'help'",
# "how is this acceptable?". A positive word is not reversed on its own; _irony reads
# the markers around it and, where they say irony, reads the sentence's positive
# valences as negated (VADER's N_SCALAR, as if a "not" stood before them) and adds one
# CUE_CONTEXT of "irony". The markers, from strong to weak:
#
# - an eye-roll or upside-down face (🙄 🙃 😒) anywhere in the post: every sentence;
# - frames that are sarcastic whatever follows, at the start of a clause: "so much for
#   …" (also an unmet expectation), "good luck getting …" / "suerte consiguiendo …";
#   a rhetorical "how is this <word>?" / "you call this <word>?" / "¿a esto le llaman
#   <word>?" reads <word> as negated ("acceptable", "service");
# - thanks for something bad: "thanks for wasting my afternoon", "gracias por cortarme
#   el servicio" (the first word after "for/por" that is not a determiner is negative);
# - scare quotes around one or two lower-case words: "the 'help'", "your 'fast' fibre"
#   (not a Title-Case plan name, "the 'Premium' bundle"): the quoted word reads negated;
# - and, only if the rest of the sentence complains (its other words and cues sum to
#   CUE_CONTEXT or less, or it goes on with "another/otro…"): a clause that is nothing but
#   praise ("Great,", "oh brilliant", "just great.", "qué bonito,", "genial,"), or "love +
#   paying/waiting/being/how" ("me encanta pagar/esperar/que…"). "Great, thanks for
#   letting me know" and "Genial, ya funciona" stay praise.

IRONY_EMOJI = frozenset("🙃🙄😒")
# A clause of only these words and praise is an interjection: "oh great", "qué bonito".
_FILLERS = frozenset("oh ah aw well just so really how yeah wow and then eh very absolutely simply que muy pues vaya ay y todo ya".split())
_ANOTHER = frozenset(("another", "otro", "otra", "otros", "otras", "yet"))
# Skipped between "thanks for" and what is thanked for.
_DETERMINERS = frozenset(
    "the a an my our your this that these those all me us it not never el la los las lo un una mi mis su sus tu tus me nos no nunca".split()
)
INTERJECTION_AT = 1.5  # valence of a praise word that can stand alone as "Great,"
_SCARE_QUOTES = re.compile(r"(?<![\w'’])['‘\"“«]\s*([^\W\d_][^\W\d_'’-]*(?: [^\W\d_][^\W\d_'’-]*)?)\s*['’\"”»](?![\w'’])")
_IRONY_FRAMES = re.compile(
    r"^(?:well |oh |and |yeah |lol |haha |jaja |y |pues )?(?:so much for)\b"
    r"|^(?:and |so |well |y )?(?:good luck|best of luck|(?:buena |mucha )?suerte) "
    r"(?:getting|trying|finding|reaching|ever|with that|talking|speaking|contacting|if|hoping"
    r"|consiguiendo|intentando|tratando|con que|para que|si|hablando|llamando|esperando|logrando)\b"
)
_IRONY_HINT = re.compile(r"so much for|luck|suerte|\bhow |\bcall |llam|dicen")  # cheap test before the frames
_SO_MUCH_FOR = re.compile(r"^(?:well |oh |and |yeah |lol |haha |jaja |y |pues )?so much for\b")
# "how is this acceptable?", "you call this service?", "¿y a esto le llaman atención?"
_RHETORICAL = re.compile(
    r"^(?:and |so |but |seriously |honestly |just |like |y |pero )?(?:"
    r"how (?:is|was|can|could|would) (?:this|that|it|any of this|any of that)"
    r"(?: (?:be|even|still|considered|called|deemed|remotely|possibly|in any way|a|an))*"
    r"|(?:you|they|u) call (?:this|that)(?: a| an)?"
    r"|(?:a esto|a eso|esto) (?:le |lo |se )?(?:llaman|llamas|llama|le dicen|dicen|llamais)(?: un| una)?"
    r") (?P<word>\S+)"
)
_LOVE_FRAME = re.compile(
    r"\b(?:love|loving|adore|enjoy|enjoying)(?: just)? (?:paying|waiting|being|getting|having|spending|sitting|how|that|when|it when)\b"
    r"|\b(?:me encanta|me encantan|me fascina|amo|adoro)(?: como| cuando)? (?:pagar|esperar|que|como|cuando|tener|estar|ser|llamar|quedarme|pasar)\b"
)


def _gratitude(key: str) -> bool:
    first = key.split(" ", 1)[0]
    return first in ("thanks", "thank", "cheers", "gracias", "agradezco") or key in ("muchas gracias", "mil gracias", "muchisimas gracias")


def _negated_reading(key: str, lexicon: _Lexicon) -> float | None:
    entry = lexicon.entry(key)
    if entry is None:
        return None
    valence, negated = entry
    if negated is not None:
        return negated
    return valence * N_SCALAR if valence > 0 else None


def _irony(tokens: list[_Token], valences: list[float], text: str, lexicon: _Lexicon) -> tuple[list[float], dict[str, float]]:
    """Valences with the praise of ironic sentences read as negated, and the cues
    ("irony", and "unmet" for "so much for") found while reading them."""
    sentences = _by_sentence(tokens)
    order = sorted(sentences)
    valences = list(valences)
    found: dict[str, float] = {}
    ironic: set[int] = set()
    negate: set[int] = set()  # tokens read as negated: scare-quoted, rhetorical

    def rest_complains(number: int, excluded: set[int]) -> bool:
        indices = sentences[number]
        words = [tokens[i] for i in indices if tokens[i].word]
        if not words:
            return False
        rest = sum(valences[i] for i in indices if i not in excluded and not _gratitude(tokens[i].key))
        cues = sum(_sentence_cues(words, _line(tokens, indices), lexicon).values())
        return rest + cues <= CUE_CONTEXT

    if any(t.key in IRONY_EMOJI for t in tokens):
        ironic.update(order)
    quoted = set()
    if any(q in text for q in "'‘\"“«"):
        quoted = {_fold(m.group(1)) for m in _SCARE_QUOTES.finditer(_clean(text)) if m.group(1)[0].islower()}
    for position, number in enumerate(order):
        indices = sentences[number]
        words = [i for i in indices if tokens[i].word]
        if not words:
            continue
        asks = tokens[words[0]].question
        positive = any(valences[i] > 0 for i in words)
        clauses: dict[int, list[int]] = {}
        for i in words:
            clauses.setdefault(tokens[i].clause, []).append(i)
        framed = clauses.values() if _IRONY_HINT.search(_line(tokens, words)) else ()
        for clause in framed:
            line = _line(tokens, clause)
            if _IRONY_FRAMES.search(line):
                ironic.add(number)
                if _SO_MUCH_FOR.search(line):
                    found["unmet"] = CUE_COMPLAINT
            match = _RHETORICAL.search(line)
            if match:
                at = line[: match.start("word")].count(" ")
                if at < len(clause) and _negated_reading(tokens[clause[at]].key, lexicon) is not None:
                    negate.add(clause[at])
                    ironic.add(number)
        if not positive and not quoted:
            continue
        # thanks for something bad
        for n, i in enumerate(words[:-1]):
            if _gratitude(tokens[i].key) and valences[i] > 0 and tokens[words[n + 1]].key in ("for", "por"):
                for j in words[n + 2 : n + 6]:
                    if tokens[j].key in _DETERMINERS or tokens[j].key in lexicon.negators:
                        continue
                    if valences[j] < 0:
                        ironic.add(number)
                    break
        # scare quotes
        for i in words:
            if tokens[i].key in quoted and _negated_reading(tokens[i].key, lexicon) is not None:
                if not asks or rest_complains(number, {i}):
                    negate.add(i)
                    ironic.add(number)
        # praise standing alone, or love + paying/waiting, beside a complaint
        if number in ironic or not positive:
            continue
        for clause in clauses.values():
            keys = [tokens[i].key for i in clause]
            praise = [i for i in clause if valences[i] > 0 and (_gratitude(tokens[i].key) or (lexicon.entry(tokens[i].key) or (0.0,))[0] >= INTERJECTION_AT)]
            if not praise or len(keys) > 4 or any(k not in _FILLERS for i, k in zip(clause, keys) if i not in praise):
                continue
            after = [i for i in words if i > clause[-1]]
            if len(clause) == len(words):  # the whole sentence ("just great."): the one before tells
                before = order[position - 1] if position > 0 else None
                evidence = before is not None and (before in ironic or rest_complains(before, set()))
            else:
                evidence = (bool(after) and tokens[after[0]].key in _ANOTHER) or rest_complains(number, set(clause))
            if evidence:
                ironic.add(number)
                break
        if number not in ironic and _LOVE_FRAME.search(_line(tokens, words)) and rest_complains(number, {i for i in words if valences[i] > 0}):
            ironic.add(number)
    changed = False
    for i in negate:
        reading = _negated_reading(tokens[i].key, lexicon)
        if reading is not None and reading != valences[i]:
            valences[i], changed = reading, True
    for number in ironic:
        for i in sentences[number]:
            if valences[i] > 0 and i not in negate and tokens[i].key not in IRONY_EMOJI:
                valences[i] *= N_SCALAR
                changed = True
    if changed:
        found["irony"] = CUE_CONTEXT
    return valences, found


def _compound(text: str, lexicon: _Lexicon) -> float:
    tokens = _tokens(text, lexicon)
    valences, ironic = _irony(tokens, _valences(tokens, lexicon), text, lexicon)
    valences = _contrast(tokens, valences, lexicon)
    cues, reference = _complaint_cues(tokens, valences, text, lexicon, ironic)
    total = sum(valences) + cues
    if total < 0.0 and reference:
        total += CUE_REFERENCE  # quoting the case number of a complaint: a follow-up
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
