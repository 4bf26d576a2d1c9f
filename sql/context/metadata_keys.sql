-- context/metadata_keys: the keys of products.metadata that a metadata check can compare
-- against, over a scope's products: every top-level key, and 'key.subkey' for keys whose
-- value is a JSON object or a JSON text holding one (Myntra's article_attributes.Pattern).
-- Per key: products with a non-empty value, distinct values, the three most common values.
-- Reads: scope_products, products. Writes: nothing. Parameters: $scope.
WITH scoped AS (
    SELECT p.metadata
    FROM scope_products AS s
    JOIN products AS p ON p.product_id = s.product_id
    WHERE s.scope = $scope AND p.metadata IS NOT NULL
),
top_level AS (
    SELECT k.key AS path, json_extract_string(s.metadata, k.key) AS value
    FROM scoped AS s
    CROSS JOIN unnest(json_keys(s.metadata)) AS k(key)
),
nested AS (
    SELECT t.path || '.' || k.key AS path, json_extract_string(t.value, k.key) AS value
    FROM top_level AS t
    CROSS JOIN unnest(json_keys(t.value)) AS k(key)
    WHERE starts_with(ltrim(t.value), '{') AND coalesce(try(json_valid(t.value)), false)
),
keyed AS (
    SELECT path, trim(value) AS value
    FROM (SELECT * FROM top_level UNION ALL SELECT * FROM nested)
    WHERE value IS NOT NULL AND trim(value) <> '' AND NOT starts_with(ltrim(value), '{')
),
counted AS (
    SELECT path, value, count(*) AS n FROM keyed GROUP BY path, value
)
SELECT
    path,
    sum(n) AS n_products,
    count(*) AS n_values,
    list(value ORDER BY n DESC, value)[1:3] AS top_values
FROM counted
GROUP BY path
ORDER BY path;
