-- Stage JSON Lines: each non-blank line is one input row; bad lines keep their text.
-- Reads: ingest_records (source_row = file line number, text = the line; lines Python could
-- not read carry raw text and invalid_encoding or line_size_over_maximum).
-- Writes: temp table ingest_input (source_row, doc = the line when it is a JSON object,
-- raw = the line otherwise, read_error: the reader's, malformed_json or not_an_object).
-- Parameters: none.
CREATE OR REPLACE TEMP TABLE ingest_input AS
WITH parsed AS (
    SELECT
        *,
        json_valid(text) AS valid,
        CASE WHEN json_valid(text) THEN json_type(text) END AS kind
    FROM ingest_records
)
SELECT
    source_row,
    CASE WHEN kind = 'OBJECT' THEN CAST(text AS JSON) END AS doc,
    CASE WHEN read_error IS NOT NULL THEN raw WHEN kind IS DISTINCT FROM 'OBJECT' THEN text END AS raw,
    coalesce(
        read_error,
        CASE WHEN NOT valid THEN 'malformed_json' WHEN kind <> 'OBJECT' THEN 'not_an_object' END
    ) AS read_error,
    coalesce(
        read_detail,
        CASE
            -- JSON allows control characters only escaped; name the first one found.
            WHEN NOT valid AND regexp_matches(text, '[\x00-\x1f]')
                THEN 'line is not valid JSON: it holds the raw control character '
                    || printf('U+%04X', unicode(regexp_extract(text, '[\x00-\x1f]')))
            WHEN NOT valid THEN 'line is not valid JSON'
            WHEN kind <> 'OBJECT' THEN 'line is a JSON ' || lower(kind) || ', not an object'
        END
    ) AS read_detail
FROM parsed;
