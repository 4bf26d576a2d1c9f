-- Re-derive tokens.word from tokens.norm through the merge table, touching only rows whose
-- word changes. Reads: synonyms, tokens. Writes: tokens.word.
-- Parameters: none. Returns the number of rewritten rows (DuckDB's UPDATE count).
UPDATE tokens
SET word = c.new_word
FROM (
    SELECT t.rowid AS token_row, coalesce(s.canonical, t.norm) AS new_word
    FROM tokens AS t
    LEFT JOIN synonyms AS s ON s.term = t.norm
    WHERE t.word IS DISTINCT FROM coalesce(s.canonical, t.norm)
) AS c
WHERE tokens.rowid = c.token_row;
