-- Stage JSON Lines: each non-blank line becomes one input row; bad lines keep their text.
-- Reads: ingest_read_rows, ingest_lines, ingest_read_errors.
-- Writes: temp table ingest_input (source_row = file line number, doc = the line when it
-- is a JSON object, raw = the line otherwise, read_error: invalid_encoding, malformed_json
-- or not_an_object). Blank lines are not rows.
-- Parameters: none.
CREATE OR REPLACE TEMP TABLE ingest_input AS
WITH records AS (
    SELECT row_number() OVER (ORDER BY r.rowid) AS ord, r.line AS text
    FROM ingest_read_rows AS r
),
lines AS (
    SELECT row_number() OVER (ORDER BY line) AS ord, line
    FROM ingest_lines
),
parsed AS (
    SELECT
        l.line AS source_row,
        r.text,
        json_valid(r.text) AS valid,
        CASE WHEN json_valid(r.text) THEN json_type(r.text) END AS kind
    FROM records AS r
    JOIN lines AS l USING (ord)
    WHERE trim(r.text, ' ' || chr(9) || chr(13)) <> ''
),
errors AS (
    SELECT
        line,
        arg_min(CASE WHEN error_type = 'INVALID ENCODING' THEN 'invalid_encoding' ELSE 'malformed_json' END,
                (error_type <> 'INVALID ENCODING', column_idx)) AS read_error,
        arg_min(error_message, (error_type <> 'INVALID ENCODING', column_idx)) AS read_detail,
        any_value(ltrim(csv_line, chr(13) || chr(10))) AS raw
    FROM ingest_read_errors
    GROUP BY line
)
SELECT
    source_row,
    CASE WHEN kind = 'OBJECT' THEN CAST(text AS JSON) END AS doc,
    CASE WHEN kind IS DISTINCT FROM 'OBJECT' THEN text END AS raw,
    CASE WHEN NOT valid THEN 'malformed_json'
         WHEN kind <> 'OBJECT' THEN 'not_an_object' END AS read_error,
    CASE WHEN NOT valid THEN 'line is not valid JSON'
         WHEN kind <> 'OBJECT' THEN 'line is a JSON ' || lower(kind) || ', not an object' END AS read_detail
FROM parsed
UNION ALL
SELECT line, NULL::JSON, raw, read_error, read_detail
FROM errors;
