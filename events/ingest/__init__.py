"""Input: raw records from JSONL/CSV/TSV files, plain or compressed (`reading`), turned into checked documents with
rejects and resume cursors (`documents`)."""
