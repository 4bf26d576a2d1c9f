-- context/scope_list: every scope with its definition, its universe size and the newest
-- successful vocab run (the run whose scope_products and vocabulary the scope now has).
-- Reads: scopes, scope_products, runs. Writes: nothing. Parameters: none.
SELECT
    s.scope,
    CAST(s.definition AS VARCHAR) AS definition,
    s.created_at,
    (SELECT count(*) FROM scope_products AS sp WHERE sp.scope = s.scope) AS n_products,
    (
        SELECT max(r.run_id) FROM runs AS r
        WHERE r.scope = s.scope AND r.stage = 'vocab' AND r.status = 'ok'
    ) AS vocab_run_id
FROM scopes AS s
ORDER BY s.scope = 'default' DESC, s.scope;
