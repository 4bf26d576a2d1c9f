-- The column names (JSON keys) present in the staged rows, in first-seen order.
-- CSV and Parquet rows all carry every column, so the first document tells them all;
-- JSON Lines objects may differ, so every document is looked at.
-- Reads: ingest_input. Writes: nothing.
-- Parameters: $every_row (false: look at the first document only).
WITH docs AS (
    SELECT source_row, doc
    FROM ingest_input
    WHERE doc IS NOT NULL
    ORDER BY source_row
    LIMIT CASE WHEN $every_row THEN NULL ELSE 1 END
),
keys AS (
    SELECT source_row, unnest(json_keys(doc)) AS name, generate_subscripts(json_keys(doc), 1) AS pos
    FROM docs
)
SELECT name
FROM keys
GROUP BY name
ORDER BY min([source_row, pos]);
