-- The values an image path template needs, per row that has an id and was read.
-- Reads: ingest_mapped, ingest_input. Writes: nothing.
-- Parameters: $paths (JSON paths of the catalogue columns the template names, in order;
-- may be empty). Values come as text (numbers as written, JSON null as NULL).
SELECT
    m.source_row,
    m.product_id,
    json_extract_string(i.doc, CAST($paths AS VARCHAR[])) AS column_values
FROM ingest_mapped AS m
JOIN ingest_input AS i USING (source_row)
WHERE m.read_error IS NULL AND m.product_id IS NOT NULL
ORDER BY m.source_row;
