-- The dialect DuckDB's sniffer chose for the CSV just read (for a second, exact read).
-- The rejects scan records it when the read had errors; otherwise sniff again with the
-- same settings (store_rejects implies ignore_errors, which steers the sniffer).
-- Reads: ingest_read_scans, the file $path. Writes: nothing. Parameters: $path.
WITH candidates AS (
    SELECT 0 AS priority, delimiter, quote, escape, skip_rows
    FROM ingest_read_scans
    UNION ALL
    SELECT 1, "Delimiter", "Quote", "Escape", "SkipRows"
    FROM sniff_csv($path, ignore_errors = true)
)
SELECT delimiter, quote, escape, skip_rows
FROM candidates
ORDER BY priority
LIMIT 1;
