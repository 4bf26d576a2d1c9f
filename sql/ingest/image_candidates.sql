-- The distinct image paths (as written in the catalogue) to look up on disk.
-- Reads: ingest_mapped. Writes: nothing. Parameters: none.
SELECT DISTINCT image_value
FROM ingest_mapped
WHERE image_value IS NOT NULL
  AND read_error IS NULL;
