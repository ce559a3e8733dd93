"""The dataset flow: coding documents into rows (`pipeline`), aggregating mentions into events (`aggregate`), the
build itself (`builder`: Parquet partitions, `labels`, `manifest`, the `lock`, `progress`), the table schemas
(`schema`), and reading a dataset back (`verify`, `info`, `export`)."""
