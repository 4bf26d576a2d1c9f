-- context/boilerplate_summary: what boilerplate detection found in a scope: flagged keys,
-- flagged product lines, lines excluded from the vocabulary, the tokens on them, the
-- scope products with at least one flagged line and the flagged keys per reason.
-- Reads: boilerplate_lines, boilerplate_product_lines, tokens. Writes: nothing.
-- Parameters: $scope.
SELECT
    (SELECT count(*) FROM boilerplate_lines WHERE scope = $scope) AS n_boilerplate_keys,
    (SELECT count(*) FROM boilerplate_product_lines WHERE scope = $scope) AS n_flagged_lines,
    (SELECT count(*) FROM boilerplate_product_lines WHERE scope = $scope AND excluded)
        AS n_excluded_lines,
    (
        SELECT count(*)
        FROM tokens AS t
        SEMI JOIN boilerplate_product_lines AS b
            ON b.scope = $scope AND b.excluded AND b.product_id = t.product_id
            AND b.field = t.field AND b.line_no = t.line_no
    ) AS n_excluded_tokens,
    (SELECT count(DISTINCT product_id) FROM boilerplate_product_lines WHERE scope = $scope)
        AS n_products_with_boilerplate,
    (
        SELECT coalesce(list({'reason': reason, 'n': n} ORDER BY reason), [])
        FROM (
            SELECT reason, count(*) AS n FROM boilerplate_lines WHERE scope = $scope
            GROUP BY reason
        )
    ) AS n_keys_by_reason;
