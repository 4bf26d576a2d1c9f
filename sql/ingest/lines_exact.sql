-- File line numbers of the accepted CSV records when the file has blank lines.
-- DuckDB skips blank lines but still counts them, so the dense numbering would be off.
-- A second read declares one column more than the file has: every ordinary record is
-- then reported as MISSING COLUMNS with its line number, which gives each accepted record
-- its line (records with one field too many, read cleanly here, were rejected anyway).
-- Reads: the file $path, ingest_read_errors. Writes: temp tables ingest_line_probe,
-- ingest_line_errors, ingest_line_scans, ingest_lines (line).
-- Parameters: $path, $delimiter, $quote, $escape, $skip (the first read's sniffed
-- dialect), $columns (struct of the file's columns plus one, all VARCHAR). Serial for exact
-- line numbers, as in read_csv.sql.
DROP TABLE IF EXISTS ingest_line_errors;
DROP TABLE IF EXISTS ingest_line_scans;
CREATE OR REPLACE TEMP TABLE ingest_line_probe AS
SELECT count(*) AS n
FROM read_csv(
    $path,
    header = true,
    parallel = false,
    auto_detect = false,
    delim = $delimiter,
    quote = $quote,
    escape = $escape,
    skip = $skip,
    columns = $columns,
    store_rejects = true,
    rejects_table = 'ingest_line_errors',
    rejects_scan = 'ingest_line_scans'
);
CREATE OR REPLACE TEMP TABLE ingest_lines AS
SELECT DISTINCT p.line
FROM ingest_line_errors AS p
WHERE NOT EXISTS (SELECT 1 FROM ingest_read_errors AS e WHERE e.line = p.line);
