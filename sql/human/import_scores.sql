-- Import per-word human visualness scores directly (CSV with header word,score): accepted
-- rows replace the words' H(u) in human_visualness (n_pairs and theta NULL), the others go
-- to human_rejects with the reason.
-- Reads: the CSV file $path. Writes: human_visualness, human_rejects; returns
-- (n_rows, n_accepted, n_rejected).
-- Parameters: $path, $source.

CREATE OR REPLACE TEMP TABLE human_scores_staged AS
WITH raw AS (
    SELECT row_number() OVER () AS source_row, to_json(r) AS raw, r.*
    FROM read_csv($path, header = true, all_varchar = true, auto_detect = true) AS r
),
parsed AS (
    SELECT
        source_row,
        CAST(raw AS VARCHAR) AS raw,
        lower(trim(word)) AS word,
        TRY_CAST(trim(score) AS DOUBLE) AS score,
        score AS score_text,
        row_number() OVER (PARTITION BY lower(trim(word)) ORDER BY source_row) AS occurrence
    FROM raw
)
SELECT
    source_row,
    raw,
    word,
    score,
    CASE
        WHEN word IS NULL OR word = '' THEN 'missing word'
        WHEN score IS NULL OR NOT isfinite(score)
            THEN 'score is not a finite number: ' || coalesce(score_text, 'NULL')
        WHEN occurrence > 1 THEN 'duplicate word in the file'
    END AS reason
FROM parsed;

INSERT INTO human_rejects (source, source_row, raw, reason)
SELECT $source, source_row, raw, reason
FROM human_scores_staged
WHERE reason IS NOT NULL;

INSERT OR REPLACE INTO human_visualness (word, h, n_pairs, theta, source)
SELECT word, score, NULL, NULL, $source
FROM human_scores_staged
WHERE reason IS NULL;

SELECT
    count(*) AS n_rows,
    count(*) FILTER (WHERE reason IS NULL) AS n_accepted,
    count(*) FILTER (WHERE reason IS NOT NULL) AS n_rejected
FROM human_scores_staged;
