-- Write the decided rows: accepted ones to products, the others to product_rejects, and
-- one ingest_sources row with the counts (rows = accepted + rejected, by construction).
-- Reads: ingest_decided. Writes: products, product_rejects, ingest_sources.
-- Parameters: $source (the catalogue's absolute path), $sha256 (of its bytes), $format,
-- $run_id (the runs row of this ingestion).
INSERT INTO products (product_id, shop, title, description, category, image_path, tags, metadata, source, source_row)
SELECT product_id, shop, title, description, category,
       CASE WHEN image_kind = 'file' THEN resolved_image END,
       tags, metadata, $source, source_row
FROM ingest_decided
WHERE reason IS NULL
ORDER BY source_row;
INSERT INTO product_rejects (source, source_row, product_id, raw, reason, detail)
SELECT $source, source_row, product_id, coalesce(raw, CAST(doc AS VARCHAR)), reason, detail
FROM ingest_decided
WHERE reason IS NOT NULL
ORDER BY source_row;
INSERT INTO ingest_sources (source, sha256, format, n_rows, n_accepted, n_rejected, run_id)
SELECT $source, $sha256, $format, count(*),
       count(*) FILTER (WHERE reason IS NULL),
       count(*) FILTER (WHERE reason IS NOT NULL),
       $run_id
FROM ingest_decided;
