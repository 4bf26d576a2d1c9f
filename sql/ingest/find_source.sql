-- An earlier ingestion of a file with the same content, if any.
-- Reads: ingest_sources. Writes: nothing. Parameters: $sha256.
SELECT source, run_id, n_rows, n_accepted, n_rejected, ingested_at
FROM ingest_sources
WHERE sha256 = $sha256;
