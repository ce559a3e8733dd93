"""events: a deterministic CAMEO event coder that builds partitioned Parquet event datasets.

The public API is small and lazy: importing the package does no I/O. Every public name is a function: no
submodule is named like one (the build lives in `events.dataset.builder`), so importing a submodule never shadows it.

The code is in one folder per step of the flow: `ingest` (input files -> documents), `coding` (sentences, tokens,
parse, actors, patterns, dates -> events), `codebook` (read, compile, validate, diff) and `dataset` (pipeline,
aggregation, the Parquet build, manifest, verify/info/report/export). `cli`, `evaluate`, `problems` and `resources` stay
here, used across the flow.

    from events import load_codebook, load_parser, compile_codebook, code_text, build
"""

__version__ = "0.1.0"
DISTRIBUTION = "events-coder"  # the name on the package index (`pip install events-coder`); "events" is another project

__all__ = ["__version__", "DISTRIBUTION", "load_codebook", "load_parser", "compile_codebook", "code_text", "build", "default_codebook_path"]


def __getattr__(name):  # lazy re-exports keep `import events` cheap
    if name in ("load_codebook", "default_codebook_path"):
        from events.codebook import loader

        return getattr(loader, name)
    if name == "load_parser":
        from events.coding.parse import load_parser

        return load_parser
    if name == "compile_codebook":
        from events.codebook.compiler import compile_codebook

        return compile_codebook
    if name == "code_text":
        from events.dataset.pipeline import code_text

        return code_text
    if name == "build":
        from events.dataset.builder import build

        return build
    raise AttributeError(name)
