-- Import crowd votes (CSV with header word,pair_id,positive_votes,n_annotators): accepted
-- rows go to human_judgments (a re-imported (word, pair_id) replaces the earlier votes),
-- every other row to human_rejects with the reason. Words are trimmed and lower-cased like
-- the vocabulary.
-- Reads: the CSV file $path. Writes: human_judgments, human_rejects; returns
-- (n_rows, n_accepted, n_rejected).
-- Parameters: $path, $source (name recorded with each row).

CREATE OR REPLACE TEMP TABLE human_votes_staged AS
WITH raw AS (
    SELECT row_number() OVER () AS source_row, to_json(r) AS raw, r.*
    FROM read_csv($path, header = true, all_varchar = true, auto_detect = true) AS r
),
parsed AS (
    SELECT
        source_row,
        CAST(raw AS VARCHAR) AS raw,
        lower(trim(word)) AS word,
        trim(pair_id) AS pair_id,
        TRY_CAST(trim(positive_votes) AS INTEGER) AS positive_votes,
        TRY_CAST(trim(n_annotators) AS INTEGER) AS n_annotators,
        positive_votes AS positive_votes_text,
        n_annotators AS n_annotators_text
    FROM raw
),
checked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY word, pair_id ORDER BY source_row) AS occurrence
    FROM parsed
)
SELECT
    source_row,
    raw,
    word,
    pair_id,
    positive_votes,
    n_annotators,
    CASE
        WHEN word IS NULL OR word = '' THEN 'missing word'
        WHEN pair_id IS NULL OR pair_id = '' THEN 'missing pair_id'
        WHEN positive_votes IS NULL
            THEN 'positive_votes is not an integer: ' || coalesce(positive_votes_text, 'NULL')
        WHEN n_annotators IS NULL
            THEN 'n_annotators is not an integer: ' || coalesce(n_annotators_text, 'NULL')
        WHEN n_annotators <= 0 THEN 'n_annotators must be positive'
        WHEN positive_votes < 0 THEN 'positive_votes is negative'
        WHEN positive_votes > n_annotators THEN 'positive_votes exceeds n_annotators'
        WHEN occurrence > 1 THEN 'duplicate (word, pair_id) in the file'
    END AS reason
FROM checked;

INSERT INTO human_rejects (source, source_row, raw, reason)
SELECT $source, source_row, raw, reason
FROM human_votes_staged
WHERE reason IS NOT NULL;

INSERT OR REPLACE INTO human_judgments
    (word, pair_id, positive_votes, n_annotators, source, source_row)
SELECT word, pair_id, positive_votes, n_annotators, $source, source_row
FROM human_votes_staged
WHERE reason IS NULL;

SELECT
    count(*) AS n_rows,
    count(*) FILTER (WHERE reason IS NULL) AS n_accepted,
    count(*) FILTER (WHERE reason IS NOT NULL) AS n_rejected
FROM human_votes_staged;
