-- Counts of this ingestion by outcome: 'accepted', 'accepted_text_only' or the reject reason.
-- Reads: ingest_decided. Writes: nothing. Parameters: none.
SELECT
    CASE
        WHEN reason IS NOT NULL THEN reason
        WHEN image_kind = 'file' THEN 'accepted'
        ELSE 'accepted_text_only'
    END AS outcome,
    count(*) AS n
FROM ingest_decided
GROUP BY ALL
ORDER BY n DESC, outcome;
