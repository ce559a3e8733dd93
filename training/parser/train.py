"""Reproduce the tagger and dependency parser that ships in `events/_model/parser` from the UD treebanks.

    python training/parser/train.py [--ud ../shared/ud] [--work build/parser] [--steps N] [--package-only]

1. converts the UD English EWT and GUM (openly licensed genres) CoNLL-U files to spaCy's binary format
   (10 sentences a document; train = EWT train + GUM train, dev = EWT dev + GUM dev);
2. trains `training/parser/config.cfg` (tagger + parser, CPU, seeded; one thread, so a run on one machine is
   repeatable);
3. prints accuracy (tag, UAS, LAS) on the dev and test split of each treebank, and writes them to
   `events/_model/parser/accuracy.json`;
4. copies the best model into the package (`events/_model/parser`) with the attribution the licences ask for.

The treebanks stay in ../shared/ud; only the config, this script and the trained model are in the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

# One thread everywhere, set before numpy/thinc load: repeatable floating point on one machine.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("PYTHONHASHSEED", "0")

REPO = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).resolve().parent / "config.cfg"
MODEL_DIR = REPO / "events" / "_model" / "parser"

TRAIN = ("en_ewt-ud-train.conllu", "en_gum-ccby-train.conllu")
DEV = ("en_ewt-ud-dev.conllu", "en_gum-ccby-dev.conllu")
EVAL = {
    "ewt_dev": "en_ewt-ud-dev.conllu",
    "ewt_test": "en_ewt-ud-test.conllu",
    "gum_dev": "en_gum-ccby-dev.conllu",
    "gum_test": "en_gum-ccby-test.conllu",
}
ATTRIBUTION = (
    "Trained on the Universal Dependencies English Web Treebank (Silveira et al. 2014; CC BY-SA 4.0) and the "
    "openly licensed part of the Georgetown University Multilayer corpus (Zeldes 2017; CC BY 4.0)."
)


def convert(ud: Path, names: tuple[str, ...], out: Path) -> int:
    """Write the CoNLL-U files `names` as one .spacy file; return the number of sentences."""
    from spacy.tokens import DocBin
    from spacy.training.converters import conllu_to_docs

    db = DocBin(store_user_data=False)
    sentences = 0
    for name in names:
        text = (ud / name).read_text(encoding="utf-8")
        for doc in conllu_to_docs(text, n_sents=10, merge_subtokens=False, no_print=True):
            sentences += sum(1 for _ in doc.sents)
            db.add(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(out)
    return sentences


def evaluate(model: Path, ud: Path, work: Path) -> dict[str, dict[str, float]]:
    import spacy
    from spacy.tokens import DocBin
    from spacy.training import Example

    nlp = spacy.load(model)
    scores: dict[str, dict[str, float]] = {}
    for key, name in EVAL.items():
        path = work / f"{key}.spacy"
        if not path.exists():
            convert(ud, (name,), path)
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        examples = [Example(nlp.make_doc(d.text), d) for d in docs]
        started = time.perf_counter()
        result = nlp.evaluate(examples)
        seconds = time.perf_counter() - started
        n_sents = sum(1 for d in docs for _ in d.sents)
        scores[key] = {  # (speed is printed, not recorded: the packaged files must not vary run to run)
            "tag_acc": round(result["tag_acc"], 4),
            "dep_uas": round(result["dep_uas"], 4),
            "dep_las": round(result["dep_las"], 4),
            "sentences": n_sents,
        }
        print(f"{key:9s} tag {result['tag_acc']:.2%}  UAS {result['dep_uas']:.2%}  LAS {result['dep_las']:.2%}"
              f"  ({n_sents} sentences, {n_sents / seconds:.0f}/s)", flush=True)
    return scores


def package(best: Path, scores: dict, steps: int) -> None:
    """Copy the trained pipeline into the package, with its accuracy and the attribution."""
    if MODEL_DIR.exists():
        shutil.rmtree(MODEL_DIR)
    shutil.copytree(best, MODEL_DIR)
    meta_path = MODEL_DIR / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(
        name="events_parser",
        version="2.0.0",  # 2.0.0: the narrower, faster config.cfg; 1.0.0 was config-efficiency.cfg
        description="Tagger (PTB tags) and dependency parser (UD relations) for the events coder",
        sources=[
            {"name": "UD English EWT", "url": "https://github.com/UniversalDependencies/UD_English-EWT", "license": "CC BY-SA 4.0"},
            {"name": "UD English GUM (openly licensed genres)", "url": "https://github.com/UniversalDependencies/UD_English-GUM", "license": "CC BY 4.0"},
        ],
        license="CC BY-SA 4.0",
        notes=ATTRIBUTION,
        training_steps=steps,
    )
    # Timing and performance fields vary run to run; the shipped meta keeps only what is reproducible.
    meta.pop("performance", None)
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (MODEL_DIR / "accuracy.json").write_text(json.dumps(scores, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (MODEL_DIR / "ATTRIBUTION.txt").write_text(ATTRIBUTION + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ud", type=Path, default=REPO.parent / "shared" / "ud", help="folder of the UD CoNLL-U files")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "parser", help="scratch folder (converted data, checkpoints)")
    parser.add_argument("--steps", type=int, default=None, help="override training.max_steps")
    parser.add_argument("--package-only", action="store_true", help="skip training; evaluate and package WORK/model-best")
    parser.add_argument("--config", type=Path, default=CONFIG, help="training config (default: training/parser/config.cfg)")
    parser.add_argument("--no-package", action="store_true", help="evaluate only; do not copy the model into the package")
    args = parser.parse_args(argv)

    missing = [n for n in TRAIN + DEV if not (args.ud / n).is_file()]
    if missing:
        print(f"train.py: {args.ud}: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    from spacy.cli.train import train
    from thinc.api import fix_random_seed

    work = args.work
    best = work / "model-best"
    steps = args.steps
    if not args.package_only:
        fix_random_seed(0)
        print(f"converting {args.ud} ...", flush=True)
        n_train = convert(args.ud, TRAIN, work / "train.spacy")
        n_dev = convert(args.ud, DEV, work / "dev.spacy")
        print(f"train {n_train} sentences, dev {n_dev} sentences", flush=True)
        overrides = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")}
        if steps:
            overrides["training.max_steps"] = steps
        train(args.config, work, overrides=overrides, use_gpu=-1)
    if steps is None:
        import spacy

        steps = spacy.util.load_config(args.config)["training"]["max_steps"]
    scores = evaluate(best, args.ud, work)
    (work / "accuracy.json").write_text(json.dumps(scores, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.no_package:
        return 0
    package(best, scores, steps)
    print(f"packaged {best} -> {MODEL_DIR.relative_to(REPO)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
