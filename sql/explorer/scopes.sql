-- explorer/scopes: every scope with its definition and vocabulary size, 'default' first.
-- Reads: scopes, vocabulary. Writes: nothing. Parameters: none.
SELECT
    s.scope,
    s.definition,
    (SELECT count(*) FROM vocabulary AS v WHERE v.scope = s.scope) AS n_words
FROM scopes AS s
ORDER BY s.scope <> 'default', s.scope;
