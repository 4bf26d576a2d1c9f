-- Write the decided rows: accepted ones to products, the others to product_rejects, and
-- one ingest_sources row with the counts (rows = accepted + rejected, by construction).
-- Reads: ingest_input (the rows as read), ingest_mapped, ingest_decided.
-- Writes: products, product_rejects, ingest_sources.
-- Parameters: $source (the catalogue's absolute path), $sha256 (of its bytes), $format,
-- $run_id (the runs row of this ingestion).
INSERT INTO products (product_id, shop, title, description, category, image_path, tags, metadata, source, source_row)
SELECT m.product_id, m.shop, m.title, m.description, m.category, d.image_path, m.tags,
       m.metadata, $source, m.source_row
FROM ingest_decided AS d
JOIN ingest_mapped AS m USING (source_row)
WHERE d.reason IS NULL
ORDER BY m.source_row;
INSERT INTO product_rejects (source, source_row, product_id, raw, reason, detail)
SELECT $source, d.source_row, m.product_id, coalesce(i.raw, CAST(i.doc AS VARCHAR)), d.reason, d.detail
FROM ingest_decided AS d
JOIN ingest_mapped AS m USING (source_row)
JOIN ingest_input AS i USING (source_row)
WHERE d.reason IS NOT NULL
ORDER BY d.source_row;
INSERT INTO ingest_sources (source, sha256, format, n_rows, n_accepted, n_rejected, run_id)
SELECT $source, $sha256, $format, count(*),
       count(*) FILTER (WHERE reason IS NULL),
       count(*) FILTER (WHERE reason IS NOT NULL),
       $run_id
FROM ingest_decided;
