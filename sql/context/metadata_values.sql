-- context/metadata_values: the distinct values of one metadata key over a scope's
-- products, and the scope's vocabulary: what the metadata check maps words to values on.
-- Reads: scope_products, products, vocabulary. Writes: nothing.
-- Parameters: $scope, $path (a metadata key, 'key.subkey' into a nested JSON value).
-- Returns: one row: the values with their number of products (most common first) and the
-- vocabulary words.
SELECT
    (
        SELECT coalesce(list({'value': value, 'n': n} ORDER BY n DESC, value), [])
        FROM (
            SELECT trim(metadata_value(p.metadata, $path)) AS value, count(*) AS n
            FROM scope_products AS s
            JOIN products AS p ON p.product_id = s.product_id
            WHERE s.scope = $scope AND trim(metadata_value(p.metadata, $path)) <> ''
            GROUP BY ALL
        )
    ) AS vals,
    (SELECT coalesce(list(word ORDER BY word), []) FROM vocabulary WHERE scope = $scope)
        AS words;
