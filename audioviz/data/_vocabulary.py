"""Words for the synthetic speech: which words may be spoken, and what a keyword model must learn
to call "neither".

A keyword model (Speech Commands' convention) has one output per keyword plus ``_unknown_`` (any
other word) and ``_silence_`` (no word). The ``_unknown_`` side is only as good as the words it
was shown, so :func:`neither_vocabulary` builds it from four sources:

* **near misses** of every keyword (:func:`near_misses`): a curated table for the ten Speech
  Commands keywords ("no" -> "go", "nose", "snow", "note", ...) plus, for any word, the words of
  the built-in vocabulary that share its rhyme or its onset (found from eSpeak NG's phonemes);
* the **other Speech Commands words** (what the real ``_unknown_`` category holds);
* a **general English vocabulary** (:data:`VOCABULARY`, several hundred everyday words), some of
  whose clips are cut off (only the end of the word is heard, see ``_synth.py``);
* **nonsense words** (pronounceable syllables that are no English word: "blick", "dax", ...).

Homophones of a keyword are never "neither": "know" sounds exactly like "no" and "write" like
"right", so a clip of them labelled ``_unknown_`` would teach the model that "no" is unknown.
They are found by comparing eSpeak NG's phonemes without stress marks and left out. Keyword clips
are never cut off to make unknown clips: a "yes" missing its end may still sound like "yes".
"""
from __future__ import annotations

import re

import numpy as np

__all__ = [
    "SPEECH_COMMANDS_KEYWORDS",
    "SPEECH_COMMANDS_WORDS",
    "VOCABULARY",
    "check_words",
    "near_misses",
    "neither_vocabulary",
]

#: The 35 words of Speech Commands v0.02.
SPEECH_COMMANDS_WORDS = (
    "backward", "bed", "bird", "cat", "dog", "down", "eight", "five", "follow", "forward", "four",
    "go", "happy", "house", "learn", "left", "marvin", "nine", "no", "off", "on", "one", "right",
    "seven", "sheila", "six", "stop", "three", "tree", "two", "up", "visual", "wow", "yes", "zero",
)

#: The ten keywords of the standard 12-category Speech Commands task.
SPEECH_COMMANDS_KEYWORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")

#: Longest word accepted (characters).
MAX_WORD_LENGTH = 24
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")

# Near misses chosen by ear for the ten keywords: rhymes, shared onsets, words that contain the
# keyword, and words that keyword spotters confuse with it. Homophones listed here (such as
# "know") are dropped automatically by neither_vocabulary().
_NEAR_MISSES = {
    "yes": ("yet", "yell", "yeah", "yesterday", "guess", "less", "mess", "chess", "bless", "dress",
            "press", "test", "nest", "best", "jest", "yeast", "yak", "yellow", "use", "ask", "this",
            "address", "success", "excess", "unless", "confess"),
    "no": ("go", "know", "nose", "snow", "note", "noted", "now", "new", "near", "slow", "toe", "low",
           "though", "show", "bow", "row", "nobody", "notice", "nodding", "known", "gnome", "north",
           "owe", "oh", "mow", "grow"),
    "up": ("cup", "pup", "sup", "hop", "top", "upper", "upon", "above", "pop", "cut", "but", "oven",
           "puppy", "sock"),
    "down": ("town", "gown", "brown", "crown", "drown", "noun", "clown", "dawn", "downy", "done",
             "round", "sound", "doubt"),
    "left": ("lift", "lest", "loft", "theft", "deft", "laughed", "less", "lifted", "leftover",
             "shelf", "list"),
    "right": ("light", "bright", "night", "fight", "white", "write", "rite", "ride", "rice", "ripe",
              "bite", "kite", "rate", "rat"),
    "on": ("an", "own", "one", "in", "upon", "gone", "john", "dawn", "odd", "and", "son"),
    "off": ("of", "cough", "golf", "often", "offer", "oft", "laugh", "awful", "scoff", "office"),
    "stop": ("shop", "top", "drop", "stomp", "stock", "step", "stub", "spot", "strap", "stuff",
             "star", "stuck", "crop", "chop"),
    "go": ("no", "know", "goat", "ghost", "slow", "toe", "low", "though", "grow", "glow", "gold",
           "dough", "got", "gone", "good", "oh", "goal"),
}

#: Everyday English words (one to three syllables) for the "neither" side of a keyword model.
VOCABULARY = tuple(sorted(set("""
about above across act add after again age ago agree air all almost alone along already also
always am among and angry animal answer any apple april arm army around art ask at aunt autumn
away baby back bad bag bake ball banana band bank bark basket bath beach bean bear beard beat
beautiful because become bee before begin behind believe bell belt bench berry between bicycle
big bike bill bird birthday bit bite black blanket blue boat body boil bone book boot bottle
bottom box boy bread break breakfast brick bridge bring brother brush bucket build bus busy
butter button buy cake call camera can candle candy car card care carpet carrot carry castle
catch chair chalk cheese cherry chicken child chin circle city class clean clock close cloud
coat coffee cold colour comb come cook cool corn corner cotton count country cousin cow crab
cream cry cup cupboard curtain cushion daddy dance dark daughter day dear deep desk different
dinner dirty doctor doll dollar door double dragon draw dream drink drive drum dry duck during
early earth easy eat edge egg eleven elephant empty end enjoy enough evening every eye face fall
family far farm fast father feather feel fence few field fifteen fifty finger finish fire fish
fit flag flat floor flower fly fog food foot forest fork fourteen fox friday friend frog fruit
full fun funny garden gate gentle giant gift girl give glass glove goat grape grass great green
grey ground group guitar hair half hall hammer hand hang happen hard hat have head hear heart
heavy hello help here hide high hill hold holiday home honey horse hospital hot hour hundred
hungry hurry husband ice idea inside iron island jacket jam january jar job join juice jump
june jungle just keep kettle key kick kind king kitchen kitten knee knife ladder lady lake lamp
land large last late laugh lazy leaf learn leg lemon lesson letter library lie life like line
lion lip listen little live lock long look lorry loud love lucky lunch machine magic make man
many map march market match may meat medicine meet melon middle milk minute mirror money monkey
month moon morning mother mountain mouse mouth move much mud music name narrow nature neck need
needle neighbour never next nice nineteen ninety noise noodle number nurse ocean october open
orange other outside oven over owl page paint pair paper parent park party pass pasta path pay
pea peach pen pencil people pepper piano picture piece pig pillow pink pizza place plan plane
plant plate play please pocket point police pond potato pretty prize pull pumpkin purple push
puzzle queen question quick quiet rabbit race radio rain rainbow read ready red remember rest
rich river road robot rock roof room root rope rose rubber rule run sad salt sand saturday say
school scissors sea season second see sell send september shape share sheep shirt shoe short
shoulder shout sing sister sit sixteen sixty size skirt sky sleep slide small smile smoke snake
soap soft soldier some song soon sorry soup south space speak spoon spring square stairs stamp
stand start station stay stick still stone story straight strange street strong student sugar
summer sun sunday supper sure sweet swim table tail take talk tall taxi tea teacher team teeth
telephone television ten tennis tent thank thing think thirsty thirteen thirty thousand throw
thursday ticket tiger time tired today together tomato tomorrow tongue tonight tooth towel
tower toy traffic train travel treasure trouble truck true try tuesday turn twelve twenty
umbrella uncle under understand until useful usually valley van vegetable very village violin
voice wait walk wall want warm wash watch water wave wednesday week welcome well wet whale what
wheel when where which whisper whistle why wide wife wild wind window winter wish with without
woman wonder wood wool word work world worry yard year yellow young zebra zoo
""".split())))

# syllable parts of nonsense words: onsets, vowel spellings, codas (spelled the way eSpeak reads
# them as English)
_ONSETS = ("b", "bl", "br", "d", "dr", "f", "fl", "fr", "g", "gl", "gr", "h", "j", "k", "kl", "kr", "l",
           "m", "n", "p", "pl", "pr", "r", "s", "sk", "sl", "sm", "sn", "sp", "st", "t", "tr", "v", "w",
           "z", "ch", "sh", "th")
_VOWELS = ("a", "e", "i", "o", "u", "ee", "oo", "ai", "oa", "ou")
_CODAS = ("", "b", "d", "f", "g", "k", "l", "m", "n", "p", "t", "x", "sk", "nd", "mp", "nt", "lt", "st")


def check_words(words, *, name: str = "words", allow_empty: bool = False, max_count: int = 10_000) -> tuple[str, ...]:
    """Validate a list of words to be spoken: a tuple of distinct lower-case English words.

    Parameters
    ----------
    words : sequence of str or str
        The words; a string is split at commas (``"up,down"``).
    name : str, optional
        Parameter name used in error messages. Default: ``"words"``.
    allow_empty : bool, optional
        Accept an empty sequence. Default: ``False``.
    max_count : int, optional
        Most words accepted. Default: 10000.

    Returns
    -------
    tuple of str
        The words, in the given order.

    Raises
    ------
    TypeError
        ``words`` is not a sequence of strings.
    ValueError
        A word is not 1 to 24 lower-case letters a-z (apostrophes allowed inside, as in
        "don't"), a word repeats, or there are no words.

    Examples
    --------
    >>> check_words("up, down")
    ('up', 'down')
    >>> check_words(["Yes"])
    Traceback (most recent call last):
    ...
    ValueError: words must be lower-case English words (letters a-z, apostrophes inside, 1 to 24 characters), got 'Yes'; write 'yes'
    """
    if isinstance(words, str):
        words = tuple(w.strip() for w in words.split(",") if w.strip())
    try:
        words = tuple(words)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of strings such as ('yes', 'no'), got {words!r}") from None
    if not words and not allow_empty:
        raise ValueError(f"{name} must name at least one word, got an empty sequence")
    if len(words) > max_count:
        raise ValueError(f"{name} may hold at most {max_count} words, got {len(words)}")
    for w in words:
        if not isinstance(w, str):
            raise TypeError(f"{name} must be strings, got {w!r} of type {type(w).__name__}")
        if len(w) > MAX_WORD_LENGTH or not _WORD.fullmatch(w):
            hint = f"; write {w.strip().lower()!r}" if _WORD.fullmatch(w.strip().lower() or "-") else ""
            raise ValueError(f"{name} must be lower-case English words (letters a-z, apostrophes inside, "
                             f"1 to {MAX_WORD_LENGTH} characters), got {w!r}{hint}")
    seen = set()
    repeated = [w for w in words if w in seen or seen.add(w)]
    if repeated:
        raise ValueError(f"{name} must not repeat, got {repeated[0]!r} twice in {words!r}")
    return words


_PHONEME_CACHE: dict[str, str] = {}
_VOWEL = re.compile(r"aI|aU|eI|OI|oU|e@|i@|U@|o@|a@|@L|3|@|a|A|E|e|I|i|0|O|o|U|u|V")


def _bare(phonemes: str) -> str:
    """Phonemes without stress and length marks: what decides whether two words sound alike."""
    return re.sub(r"[',%=_:;|\s]", "", phonemes)


def raw_phonemes(words) -> dict[str, str]:
    """eSpeak NG's phonemes (American English, stress marks kept) of each word, cached."""
    missing = [w for w in dict.fromkeys(words) if w not in _PHONEME_CACHE]
    if missing:
        from ._espeak import ESpeak

        with ESpeak() as engine:
            for w in missing:
                _PHONEME_CACHE[w] = engine.phonemes(w, voice="en-us")
    return {w: _PHONEME_CACHE[w] for w in words}


def phonemes_of(words) -> dict[str, str]:
    """eSpeak NG's phonemes of each word without stress marks: equal strings sound the same.

    Examples
    --------
    >>> sounds = phonemes_of(["no", "know", "nose"])
    >>> sounds["no"] == sounds["know"] != sounds["nose"]
    True
    """
    return {w: _bare(p) for w, p in raw_phonemes(words).items()}


def _onset_and_rhyme(phonemes: str) -> tuple[str, str]:
    """(the sounds up to and including the first vowel, the stressed vowel and all after it)."""
    stressed = phonemes.rfind("'")
    bare = _bare(phonemes)
    first = _VOWEL.search(bare)
    onset = bare[: first.end()] if first else bare
    tail = _bare(phonemes[stressed + 1:]) if stressed >= 0 else bare
    vowel = _VOWEL.search(tail)
    rhyme = tail[vowel.start():] if vowel else tail
    return onset, rhyme


def near_misses(word: str, *, limit: int = 24) -> tuple[str, ...]:
    """Words that sound like ``word`` but are not it: what a model must learn to call "neither".

    The ten Speech Commands keywords have a curated list; for every word, the words of
    :data:`VOCABULARY` and :data:`SPEECH_COMMANDS_WORDS` that share its rhyme (last vowel and
    what follows) or its onset (sounds up to the first vowel) are added, from eSpeak NG's
    phonemes. Homophones of ``word`` are left out.

    Parameters
    ----------
    word : str
        A lower-case English word.
    limit : int, optional
        Most words returned. Default: 24.

    Returns
    -------
    tuple of str
        Near misses, curated ones first.

    Examples
    --------
    >>> "nose" in near_misses("no") and "know" not in near_misses("no")
    True
    >>> len(near_misses("kitten")) > 0
    True
    """
    (word,) = check_words((word,), name="word")
    curated = list(_NEAR_MISSES.get(word, ()))
    pool = sorted(set(VOCABULARY) | set(SPEECH_COMMANDS_WORDS) | set(curated) | {word})
    raw = raw_phonemes(pool)
    sounds = {w: _bare(p) for w, p in raw.items()}
    target = sounds[word]
    onset, rhyme = _onset_and_rhyme(raw[word])
    found = [w for w in curated if sounds[w] != target]
    for w in pool:
        if w in found or w == word or sounds[w] == target:
            continue
        other_onset, other_rhyme = _onset_and_rhyme(raw[w])
        if other_rhyme == rhyme or other_onset == onset or target in sounds[w]:
            found.append(w)
    return tuple(found[:limit])


def nonsense_words(count: int, *, seed: int = 0, avoid=()) -> tuple[str, ...]:
    """``count`` pronounceable one- or two-syllable strings that are no English word we know.

    Examples
    --------
    >>> nonsense = nonsense_words(5, seed=1)
    >>> len(nonsense), all(w not in VOCABULARY for w in nonsense)
    (5, True)
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x0DD]))
    known = set(VOCABULARY) | set(SPEECH_COMMANDS_WORDS) | set(avoid)
    for table in _NEAR_MISSES.values():
        known.update(table)
    out: list[str] = []
    while len(out) < count:
        w = _ONSETS[rng.integers(len(_ONSETS))] + _VOWELS[rng.integers(len(_VOWELS))]
        if rng.random() < 0.4:  # a second, simpler syllable: "blicko", "dasum"
            w += _ONSETS[rng.integers(len(_ONSETS))][0] + _VOWELS[rng.integers(5)]
        w += _CODAS[rng.integers(len(_CODAS))]
        if 2 < len(w) <= MAX_WORD_LENGTH and w not in known and w not in out:
            out.append(w)
    return tuple(out)


def neither_vocabulary(words, *, nonsense: int = 60, seed: int = 0) -> dict[str, tuple[str, ...]]:
    """The automatic "neither" words for a keyword model of ``words``, by source.

    Parameters
    ----------
    words : sequence of str
        The keywords.
    nonsense : int, optional
        Number of nonsense words. Default: 60.
    seed : int, optional
        Seed of the nonsense words. Default: 0.

    Returns
    -------
    dict
        ``{"near_misses": ..., "speech_commands": ..., "general": ..., "nonsense": ...}``, tuples
        of distinct words; no keyword, no homophone of a keyword, no word in two sources.

    Examples
    --------
    >>> vocabulary = neither_vocabulary(("yes", "no"))
    >>> "yesterday" in vocabulary["near_misses"], "sheila" in vocabulary["speech_commands"]
    (True, True)
    >>> any("know" in group for group in vocabulary.values())  # sounds like "no"
    False
    """
    words = check_words(words)
    groups = {
        "near_misses": [m for w in words for m in near_misses(w, limit=40)],
        "speech_commands": list(SPEECH_COMMANDS_WORDS),
        "general": list(VOCABULARY),
        "nonsense": list(nonsense_words(nonsense, seed=seed, avoid=words)),
    }
    everything = sorted({w for group in groups.values() for w in group} | set(words))
    sounds = phonemes_of(everything)
    keyword_sounds = {sounds[w] for w in words}
    taken = set(words)
    out = {}
    for key, group in groups.items():
        kept = []
        for w in group:
            if w in taken or sounds[w] in keyword_sounds:
                continue
            taken.add(w)
            kept.append(w)
        out[key] = tuple(kept)
    return out
