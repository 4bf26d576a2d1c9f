-- The column names (JSON keys) present in the staged rows, in first-seen order.
-- Reads: ingest_input. Writes: nothing. Parameters: none.
WITH keys AS (
    SELECT source_row, unnest(json_keys(doc)) AS name, generate_subscripts(json_keys(doc), 1) AS pos
    FROM ingest_input
    WHERE doc IS NOT NULL
)
SELECT name
FROM keys
GROUP BY name
ORDER BY min([source_row, pos]);
