"""Benchmark: throughput, stage shares, codebook compile time and peak memory of `events build`.

    python benchmarks/run.py [--corpus FILE] [--min-sentences 40000] [--jobs N] [--skip-memory]
    python benchmarks/run.py --engine dask [--times 10]     # sentences/s on a LocalCluster of 1 and 2 workers

The corpus defaults to ../shared/corpus/wikinews_2020_docs.jsonl replicated (with fresh ids) until it holds at
least --min-sentences sentences; without ../shared a synthetic news-like corpus is generated from the codebook.
Each measurement runs in a fresh subprocess so peak resident memory (ru_maxrss) is that run's alone. Figures
vary with machine load: compare ratios measured in one run, never absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "wikinews_2020_docs.jsonl"


def count_sentences(path: Path) -> tuple[int, int]:
    from events.coding.text import split_sentences

    docs = sentences = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                docs += 1
                sentences += len(split_sentences(json.loads(line)["text"]))
    return docs, sentences


def replicate(source: Path, target: Path, times: int) -> None:
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    with target.open("w", encoding="utf-8") as out:
        for copy in range(times):
            for line in lines:
                record = json.loads(line)
                record["id"] = f"{record['id']}-copy{copy}"
                out.write(json.dumps(record, ensure_ascii=False) + "\n")


def synthetic_corpus(target: Path, documents: int = 500) -> None:
    """News-like documents built from the codebook's own names and verbs (seeded, so reproducible)."""
    from events.codebook.loader import load_codebook

    codebook = load_codebook()
    rng = random.Random(20240717)
    actors = sorted({name for a in codebook.actors for name in a.names if not a.id.count("@")})
    heads = sorted({p.pattern.replace(" +", " " + "{t}").replace(" ...", "") for p in codebook.patterns if "noun" not in p.flags})
    fillers = ["Officials said the talks would continue next week.", "The statement gave no further details.",
               "Markets were little changed on the news.", "Analysts expect the dispute to drag on for months.",
               "The ministry did not respond to a request for comment.", "Weather delayed several flights in the region."]
    with target.open("w", encoding="utf-8") as out:
        for i in range(documents):
            sentences = []
            for _ in range(17):
                if rng.random() < 0.35:
                    head = rng.choice(heads).format(t=rng.choice(actors))
                    sentences.append(f"{rng.choice(actors)} {head} on Tuesday.")
                else:
                    sentences.append(rng.choice(fillers))
            out.write(json.dumps({"id": f"synthetic-{i}", "date": "2024-07-17", "source": "Synthetic", "text": " ".join(sentences)}) + "\n")


def child(args: argparse.Namespace) -> None:
    """Run one measurement in this (fresh) process and print JSON."""
    from events.dataset.builder import build
    from events.codebook.loader import load_codebook
    from events.codebook.compiler import compile_codebook
    from events.coding.parse import load_parser

    start = time.perf_counter()
    codebook = load_codebook()
    parser = load_parser()
    compiled = compile_codebook(codebook, parser)
    compile_seconds = time.perf_counter() - start
    result = {"compile_seconds": compile_seconds}
    if args.mode == "build":
        start = time.perf_counter()
        report = build([args.corpus], args.out, codebook=codebook, parser=parser, jobs=args.jobs)
        result.update(seconds=time.perf_counter() - start, sentences=report.sentences, documents=report.documents,
                      mentions=report.mentions, events=report.events)
    elif args.mode == "dask":
        result.update(dask_build(args.corpus, args.out, args.jobs, codebook, parser))
    elif args.mode == "stages":
        result["stages"] = stage_times(Path(args.corpus), compiled)
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_rss_mb"] = max(usage, children) / 1024
    print(json.dumps(result))


def dask_build(corpus: Path, out: Path, workers: int, codebook, parser) -> dict:
    """Build on a LocalCluster of `workers` single-threaded worker processes. The cluster's start (processes
    spawned, packages imported) is timed apart; the build's time includes each worker loading the parser model
    and compiling the codebook at its first batch, as on any cluster."""
    import logging

    import distributed

    from events.dataset.builder import build
    from events.dataset.engines import DaskEngine

    start = time.perf_counter()
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, distributed.Client(cluster) as client:
        client.wait_for_workers(workers)
        startup = time.perf_counter() - start
        cpu = sum(client.run(_cpu_seconds).values())
        start = time.perf_counter()
        report = build([corpus], out, codebook=codebook, parser=parser, engine=DaskEngine(cluster.scheduler_address))
        seconds = time.perf_counter() - start
        cpu = sum(client.run(_cpu_seconds).values()) - cpu
    return {"startup_seconds": startup, "seconds": seconds, "worker_cpu_seconds": cpu, "sentences": report.sentences,
            "mentions": report.mentions}


def _cpu_seconds() -> float:
    """CPU time of this process (user + system): on a shared machine, what the work cost whatever the load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def stage_times(corpus: Path, compiled) -> dict[str, float]:
    """Seconds spent in each stage over the whole corpus in one process, through the coder's own path
    (`code_texts` on batches of documents, as a build codes them); the parser's share is timed inside it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from events.dataset.builder import BATCH_DOCUMENTS
    from events.coding.coder import code_texts
    from events.coding.dates import DateResolver
    from events.ingest.documents import Document, read_documents
    from events.dataset.pipeline import mention_row
    from events.dataset.schema import arrow_schema

    times: dict[str, float] = {}
    parsed = [0, 0.0]  # sentences, seconds
    parse = compiled.parser.parse

    def timed_parse(sentences, texts):
        start = time.perf_counter()
        out = parse(sentences, texts)
        parsed[0] += len(out)
        parsed[1] += time.perf_counter() - start
        return out

    def clock(name, fn):
        start = time.perf_counter()
        value = fn()
        times[name] = times.get(name, 0.0) + time.perf_counter() - start
        return value

    docs = clock("read", lambda: [d for d in read_documents(corpus, set()) if isinstance(d, Document)])
    if compiled.gazetteer is not None:  # built on the first mention a build places; timed apart here
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        clock("gazetteer", compiled.gazetteer.get)
        times["_gazetteer_rss_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024

    def code():
        out = []
        for b in range(0, len(docs), BATCH_DOCUMENTS):
            batch = docs[b : b + BATCH_DOCUMENTS]
            coded = code_texts([(d.text, d.pub_date, d.title) for d in batch], compiled)
            out.extend((doc, sentences, events) for doc, (sentences, events, _) in zip(batch, coded))
        return out

    compiled.parser.parse = timed_parse
    try:
        coded = clock("coding", code)
    finally:
        compiled.parser.parse = parse
    times["parsing"] = parsed[1]
    times["coding"] -= parsed[1]  # the rest of the coder: splitting, prefilter, actors, patterns, discourse
    resolver = DateResolver()
    events = [(doc, e) for doc, _, evs in coded for e in evs]
    dated = clock("dates", lambda: [(d, e, resolver.resolve(e.sentence, (e.verb_start, e.verb_end), d.pub_date)) for d, e in events])
    info = resolver.cache_info()
    times["_date_cache"] = [info.hits, info.misses, len(events)]
    label = f"{compiled.name}@{compiled.version}"

    def write():
        rows = [mention_row(d, e, w, compiled, label) for d, e, w in dated]
        with tempfile.TemporaryDirectory() as tmp:
            pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema("mentions")), Path(tmp) / "m.parquet", compression="zstd")

    clock("parquet writing", write)
    times["_sentences"] = sum(len(s) for _, s, _ in coded)
    times["_candidate_sentences"] = parsed[0]
    times["_parse_rate"] = parsed[0] / parsed[1] if parsed[1] else 0.0
    return times


def run_child(mode: str, corpus: Path, out: Path | None = None, jobs: int = 1) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--corpus", str(corpus), "--jobs", str(jobs)]
    if out is not None:
        cmd += ["--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def dask_throughput(corpus: Path, work: Path, times: int) -> None:
    """Sentences/s of `events build --engine dask` on a LocalCluster of 1 and 2 workers, and the speed-up."""
    if times > 1:
        big = work / f"corpus{times}x.jsonl"
        replicate(corpus, big, times)
        corpus = big
        print(f"  x{times}: {big.name}")
    rates = {}
    for workers in (1, 2):
        run = run_child("dask", corpus, work / f"out-dask{workers}", workers)
        rates[workers] = run["sentences"] / run["seconds"]
        print(f"build --engine dask, LocalCluster of {workers} worker(s): {run['seconds']:.1f} s, "
              f"{rates[workers]:,.0f} sentences/s ({run['sentences']:,} sentences; cluster start-up "
              f"{run['startup_seconds']:.1f} s, not counted; workers' CPU {run['worker_cpu_seconds']:.1f} s)")
    print(f"speed-up with 2 workers: {rates[2] / rates[1]:.2f}x (target: at least 1.6x); load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a busy machine cannot give 2 workers 2 cores)")
    print(f"(work files in {work})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--min-sentences", type=int, default=40_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-memory", action="store_true", help="skip the 1x/10x memory comparison")
    parser.add_argument("--engine", choices=["local", "dask"], default="local",
                        help="dask: only sentences/s of builds on a LocalCluster of 1 and 2 workers (needs the dask extra)")
    parser.add_argument("--times", type=int, default=1, help="with --engine dask: code the corpus this many times over "
                        "(10: the 10x corpus of the memory comparison)")
    parser.add_argument("--child", choices=["build", "stages", "dask"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.mode = args.child
        child(args)
        return

    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="events-bench-"))
    source = args.corpus or DEFAULT_CORPUS
    if not source.exists():
        source = work / "synthetic.jsonl"
        synthetic_corpus(source)
        print(f"../shared absent: generated a synthetic corpus ({source})")
    docs, sentences = count_sentences(source)
    times = max(1, -(-args.min_sentences // max(sentences, 1)))
    corpus = work / "corpus.jsonl"
    replicate(source, corpus, times)
    print(f"corpus: {source.name} x{times} = {docs * times:,} documents, {sentences * times:,} sentences")
    if args.engine == "dask":
        dask_throughput(corpus, work, args.times)
        return

    compile_run = run_child("stages", corpus)
    print(f"codebook load + compile, parser model load included: {compile_run['compile_seconds']:.2f} s")
    stages = compile_run["stages"]
    total = sum(v for k, v in stages.items() if not k.startswith("_"))
    share = stages['_candidate_sentences'] / max(stages['_sentences'], 1)
    print(f"stage shares (single process, stage by stage; {stages['_candidate_sentences']:,} of {stages['_sentences']:,} "
          f"sentences ({share:.0%}) can yield an event in their context and are parsed):")
    for name, seconds in stages.items():
        if not name.startswith("_"):
            print(f"  {name:<20} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")

    print(f"parser: {stages['_parse_rate']:,.0f} sentences/s on the parsed sentences (one process)")
    if "gazetteer" in stages:
        print(f"gazetteer (built once per process, on first use): {stages['gazetteer']:.2f} s, "
              f"peak RSS +{stages['_gazetteer_rss_mb']:.0f} MB")
    hits, misses, resolved = stages["_date_cache"]
    print(f"dates: {resolved:,} events dated; parse cache of (expression, reference date): {hits:,} hits, {misses:,} misses "
          f"(dateparser runs only on misses, after a regex finds a candidate expression)")

    results = {}
    for jobs in sorted({1, args.jobs}):
        run = run_child("build", corpus, work / f"out-j{jobs}", jobs)
        results[jobs] = run
        rate = run["sentences"] / run["seconds"]
        print(f"build --jobs {jobs}: {run['seconds']:.1f} s, {rate:,.0f} sentences/s end to end "
              f"({rate / jobs:,.0f} per worker), {run['mentions']:,} mentions, peak RSS {run['peak_rss_mb']:.0f} MB")
    if args.jobs > 1:
        speedup = results[1]["seconds"] / results[args.jobs]["seconds"]
        print(f"speed-up with {args.jobs} jobs: {speedup:.2f}x")

    if not args.skip_memory:
        big = work / "corpus10.jsonl"
        replicate(corpus, big, 10)
        small_run = results[1]
        big_run = run_child("build", big, work / "out-10x", 1)
        print(f"peak memory, --jobs 1: 1x corpus {small_run['peak_rss_mb']:.0f} MB, 10x corpus {big_run['peak_rss_mb']:.0f} MB "
              f"({big_run['sentences']:,} sentences in {big_run['seconds']:.0f} s)")
    print(f"(work files in {work})")


if __name__ == "__main__":
    main()
