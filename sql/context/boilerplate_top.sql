-- context/boilerplate_top: a scope's most common boilerplate lines (rank order), with the
-- number of listings and shops holding each, whether the scope drops them and why each
-- is boilerplate (reason: constant / long / template).
-- Reads: boilerplate_lines, scopes. Writes: nothing. Parameters: $scope, $n.
SELECT
    b.rank,
    b.example,
    b.n_products,
    b.n_shops,
    b.n_shops_flagged,
    b.max_shop_share,
    coalesce(json_extract_string(s.definition, '$.boilerplate'), 'keep') = 'drop' AS excluded,
    b.reason
FROM boilerplate_lines AS b
JOIN scopes AS s ON s.scope = b.scope
WHERE b.scope = $scope AND b.rank <= $n
ORDER BY b.rank;
