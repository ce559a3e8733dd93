"""The coding flow, text to events: sentences and tokens (`text`), the dependency parse (`parse`, `syntax`,
`grammar`), actor mentions (`actors`), verb patterns, roles and discourse (`coder`), event dates (`dates`), and the
trace of one sentence's coding (`explain`)."""
