"""Other-synthesiser check: does a model trained on eSpeak NG voices hear the same words spoken by
synthesisers it never met?

The default model learns "yes", "no" and "neither" from eSpeak NG alone. Its synthetic validation
and test speakers are new eSpeak voices, so they cannot see a boundary drawn tight around how
eSpeak pronounces a word, which is what real voices meet. This benchmark builds a test set from
two other speech engines with different technology (CMU Flite: diphone and clustergen voices
``kal16``, ``awb``, ``rms``, ``slt``; Festival: the ``kal_diphone`` and the HMM ``slt`` voice),
each at several speaking rates and vocal-tract lengths, put through audioviz's own room,
microphone and noise chain (:func:`audioviz.data._augment.render_clip`). It holds what the real
test set holds: yes, no, the eight other keywords, other Speech Commands words (``_unknown_``)
and ``_silence_``, in Google's test layout, so ``audioviz evaluate --data`` scores it with the
same keys as the real recordings.

Synthetic speech only, no recording of a person: use it to choose a recipe (with the synthetic
validation split for epochs); the real recordings are for reporting afterwards.

Needs the Debian packages ``flite`` and, for two more voices, ``festival festvox-kallpc16k
festvox-us-slt-hts``; without ``flite`` it says so and exits 0. Usage::

    python benchmarks/bench_other_engines.py                                 # the tutorials' two models
    python benchmarks/bench_other_engines.py --checkpoint PATH [PATH ...]   # these models
    python benchmarks/bench_other_engines.py --train --seeds 0,1,2           # train the default recipe

Writes ``benchmarks/results/other_engines.json``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from _report import environment, utc_now, write_result

#: Bump when the test set's recipe changes, so a cached set is rebuilt.
SET_VERSION = 1
FLITE_VOICES = ("kal16", "awb", "rms", "slt")
FESTIVAL_VOICES = {"fest_kal": "voice_kal_diphone", "fest_slt": "voice_cmu_us_slt_arctic_hts"}
KEYWORDS = ("yes", "no")
OTHER_KEYWORDS = ("up", "down", "left", "right", "on", "off", "stop", "go")
#: Speech Commands words that are not among its ten keywords (the real ``_unknown_`` category).
UNKNOWN_WORDS = ("backward", "bed", "bird", "cat", "dog", "eight", "five", "follow", "forward", "four",
                 "happy", "house", "learn", "marvin", "nine", "one", "seven", "sheila", "six", "three",
                 "tree", "two", "visual", "wow", "zero")
STRETCH = (0.8, 0.9, 1.0, 1.15, 1.3)      # duration stretch (speaking rate)
WARP = (0.88, 0.94, 1.0, 1.06, 1.13)      # vocal-tract warp applied by render_clip
SEED = 20261201


def available_voices() -> list[str]:
    voices = []
    if shutil.which("flite"):
        voices += list(FLITE_VOICES)
    if shutil.which("festival"):
        voices += [name for name, command in FESTIVAL_VOICES.items() if _festival_has(command)]
    return voices


def _festival_has(command: str) -> bool:
    script = f"(if (member_string \"{command[6:]}\" (voice.list)) (print 'yes) (print 'no))\n"
    done = subprocess.run(["festival", "-b", "--pipe"], input=script, capture_output=True, text=True, timeout=60)
    return "yes" in done.stdout


def _read(path: Path) -> tuple[np.ndarray, int]:
    import soundfile

    samples, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    return samples.mean(axis=1), rate


def _speak(voice: str, word: str, stretch: float, folder: Path) -> tuple[np.ndarray, int]:
    out = folder / "say.wav"
    if voice in FLITE_VOICES:
        subprocess.run(["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}", "-t", word, "-o", str(out)],
                       check=True, capture_output=True, timeout=60)
    else:
        script = (f"({FESTIVAL_VOICES[voice]})\n(Parameter.set 'Duration_Stretch {stretch})\n"
                  f"(set! u (Utterance Text \"{word}\"))\n(utt.synth u)\n(utt.save.wave u \"{out}\" 'riff)\n")
        subprocess.run(["festival", "-b", "--pipe"], input=script, check=True, capture_output=True, text=True,
                       timeout=60)
    return _read(out)


def plan(voices) -> list[dict]:
    """Every clip of the set: category folder, word, voice, rate, warp and seed (deterministic)."""
    rng = np.random.default_rng(SEED)
    clips = []
    variants = [(s, w) for s in STRETCH for w in WARP]

    def add(folder, word, voice, stretch, warp):
        speaker = hashlib.sha256(f"{voice}|{stretch}|{warp}".encode()).hexdigest()[:8]
        clips.append({"folder": folder, "word": word, "voice": voice, "stretch": stretch, "warp": warp,
                      "speaker": speaker, "seed": int(rng.integers(2**31))})

    for voice in voices:
        for word in KEYWORDS:
            for stretch, warp in variants:
                add(word, word, voice, stretch, warp)
        for word in OTHER_KEYWORDS:
            for i in rng.choice(len(variants), 4, replace=False):
                add(word, word, voice, *variants[i])
        for word in UNKNOWN_WORDS:
            for i in rng.choice(len(variants), 2, replace=False):
                add("_unknown_", word, voice, *variants[i])
    return clips


def build(root: Path, voices) -> dict:
    """Write the test set into ``root`` (Google's layout); counts per category."""
    from audioviz.data import SynthesisConfig
    from audioviz.data._augment import background_noises, render_clip, render_silence, to_pcm16
    import soundfile

    config = SynthesisConfig()
    counts: dict[str, int] = {}
    seen: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="other_engines_") as tmp:
        for clip in plan(voices):
            speech, rate = _speak(clip["voice"], clip["word"], clip["stretch"], Path(tmp))
            wave = render_clip(speech, rate, np.random.default_rng(clip["seed"]), config, warp=clip["warp"])
            key = f"{clip['folder']}/{clip['word']}/{clip['speaker']}"
            n = seen[key] = seen.get(key, -1) + 1
            prefix = f"{clip['word']}_" if clip["folder"] == "_unknown_" else ""
            path = root / clip["folder"] / f"{prefix}{clip['speaker']}_nohash_{n}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            soundfile.write(str(path), to_pcm16(wave), 16000, subtype="PCM_16")
            counts[clip["folder"]] = counts.get(clip["folder"], 0) + 1
    rng = np.random.default_rng(SEED + 1)
    backgrounds = background_noises(SEED)
    silence = 25 * len(voices)
    for n in range(silence):
        wave = render_silence(np.random.default_rng(int(rng.integers(2**31))), config, backgrounds)
        path = root / "_silence_" / f"{n:04d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(str(path), to_pcm16(wave), 16000, subtype="PCM_16")
    counts["_silence_"] = silence
    (root / "counts.json").write_text(json.dumps({"version": SET_VERSION, "voices": list(voices), "counts": counts}))
    return counts


def ensure_set(voices) -> Path:
    """The cached test set for ``voices`` (built once into the audioviz cache)."""
    from audioviz._cache import cache_root

    name = f"other_engines_v{SET_VERSION}_" + hashlib.sha256(",".join(voices).encode()).hexdigest()[:8]
    root = cache_root() / "benchmarks" / name
    if (root / "counts.json").is_file():
        return root
    build_dir = root.with_name(root.name + ".partial")
    shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir(parents=True)
    build(build_dir, voices)
    build_dir.rename(root)
    return root


FAMILIES = {"Flite": FLITE_VOICES, "Festival": tuple(FESTIVAL_VOICES)}


def score(checkpoint: Path, root: Path, voices) -> dict:
    """Recall and false accepts of a checkpoint on the set: all clips, and per synthesiser
    (``_silence_`` clips count in each)."""
    from audioviz.data import SpeechCommands
    from audioviz.model import evaluate, load_checkpoint

    model, _ = load_checkpoint(checkpoint)
    result = evaluate(model, SpeechCommands(root, "testing", model.words, neither=True), details=True)
    voice_of = {clip["speaker"]: clip["voice"] for clip in plan(voices)}
    out = {"all": {k: result[k] for k in ("per_class", "false_accept", "accuracy", "n")}}
    for family, members in FAMILIES.items():
        picked = [p for p in result["predictions"] if voice_of.get(p["speaker"], members[0]) in members]
        if picked:
            out[family] = _summary(picked, model.words)
    return out


def _summary(predictions, words) -> dict:
    def share(rows, test):
        return sum(map(test, rows)) / len(rows) if rows else None

    per_class = {w: share([p for p in predictions if p["word"] == w], lambda p: p["predicted"] == w) for w in words}
    per_class["neither"] = share([p for p in predictions if p["word"] not in words],
                                 lambda p: p["predicted"] not in words)
    others = [p for p in predictions if p["word"] not in words]
    return {"per_class": per_class,
            "false_accept": {"words": share([p for p in others if p["category"] != "_silence_"],
                                            lambda p: p["predicted"] in words),
                             "silence": share([p for p in others if p["category"] == "_silence_"],
                                              lambda p: p["predicted"] in words)},
            "accuracy": share(predictions, lambda p: p["predicted"] == p["word"]), "n": len(predictions)}


def _line(name: str, result: dict) -> str:
    recall = ", ".join(f"{k} {v:.1%}" for k, v in result["per_class"].items() if v is not None)
    accepts = ", ".join(f"{k} {v:.1%}" for k, v in result["false_accept"].items() if v is not None)
    return f"{name}: recall {recall}; false accepts {accepts}; accuracy {result['accuracy']:.1%}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", nargs="*", default=None,
                        help="model.pt files (or their folders) to score (default: the tutorials' two models, "
                             "trained first if missing)")
    parser.add_argument("--train", action="store_true", help="train the default recipe for each of --seeds")
    parser.add_argument("--seeds", default="0,1,2", help="training seeds with --train (default: 0,1,2)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs with --train (default: the recipe's)")
    args = parser.parse_args(argv)
    voices = available_voices()
    if not voices:
        print("skipped: no other synthesiser (apt install flite festival festvox-kallpc16k festvox-us-slt-hts)")
        return 0
    root = ensure_set(voices)
    print(f"test set: {root} ({json.loads((root / 'counts.json').read_text())['counts']})")
    checkpoints = {}
    if args.checkpoint is not None:
        checkpoints = {str(p): Path(p) / "model.pt" if Path(p).is_dir() else Path(p) for p in args.checkpoint}
    elif not args.train:
        from audioviz.model import tutorial_checkpoint

        checkpoints = {"default model (the tutorials')": tutorial_checkpoint(progress=False),
                       "closed-set two-word model": tutorial_checkpoint(neither=False, progress=False)}
    runs = {name: score(path, root, voices) for name, path in checkpoints.items()}
    if args.train:
        from audioviz.model import train

        with tempfile.TemporaryDirectory(prefix="bench_engines_") as tmp:
            for seed in (int(s) for s in args.seeds.split(",")):
                out = Path(tmp) / f"seed{seed}"
                kwargs = {} if args.epochs is None else {"epochs": args.epochs}
                train(out, seed=seed, progress=False, **kwargs)
                runs[f"default recipe, seed {seed}"] = score(out / "model.pt", root, voices)
    rows = []
    for name, result in runs.items():
        for family, part in result.items():
            print(_line(f"{name} [{family}]", part))
            rows.append([name, family, *(part["per_class"].get(k) for k in ("yes", "no", "neither")),
                         part["false_accept"]["words"], part["false_accept"]["silence"], part["accuracy"], part["n"]])
    write_result("other_engines", {
        "title": "Classifier: words spoken by synthesisers it never heard",
        "description": "Models trained on eSpeak NG voices only, scored on yes, no, the eight other keywords, "
                       "other Speech Commands words and silence spoken by Flite (" + ", ".join(FLITE_VOICES)
                       + ") and Festival (" + ", ".join(FESTIVAL_VOICES) + ") at several rates and vocal-tract "
                       "lengths, through audioviz's room, microphone and noise chain. 'neither' is the right "
                       "answer for every clip that is not yes or no; silence clips count in each row.",
        "baseline": "the closed-set two-word model (no 'neither' answer) on the same clips",
        "columns": ["model", "voices", "recall yes", "recall no", "recall neither", "false accepts, words",
                    "false accepts, silence", "accuracy", "clips"],
        "rows": rows, "environment": environment(), "generated": utc_now(), "voices": voices,
        "set_version": SET_VERSION})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
