-- The images root of every ingestion that wrote rows, and whether it allowed images
-- outside that root (for re-checking image paths before a file is read or embedded).
-- Older runs recorded no root: their images_root parameter, else the catalogue's folder.
-- Reads: ingest_sources, runs. Writes: nothing. Parameters: none.
SELECT DISTINCT
    coalesce(
        r.summary ->> '$.images_root',
        r.params ->> '$.images_root',
        regexp_replace(s.source, '/[^/]*$', '')
    ) AS images_root,
    coalesce(CAST(r.params ->> '$.allow_images_outside_root' AS BOOLEAN), false) AS anywhere
FROM ingest_sources AS s
LEFT JOIN runs AS r USING (run_id)
WHERE s.n_accepted > 0;
