-- A few ids and their image paths as written, to show when no image is found at all.
-- Reads: ingest_mapped. Writes: nothing. Parameters: $n (how many).
SELECT product_id, image_value
FROM ingest_mapped
WHERE image_value IS NOT NULL AND read_error IS NULL
ORDER BY source_row
LIMIT $n;
