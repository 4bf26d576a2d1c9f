-- compare/attribute_words: the scope's vocabulary words that name a value of a metadata
-- field (the value lower-cased is the word: red -> Red), with how many scope products
-- carry that value; the words a supervised ceiling can be measured for.
-- Reads: vocabulary, scope_products, products. Writes: nothing.
-- Parameters: $scope, $path (metadata key), $words (VARCHAR[]; empty = every such word),
--   $min_products (the least number of scope products with the value).
WITH field_values AS (
    SELECT trim(metadata_value(p.metadata, $path)) AS value, count(*) AS n_products
    FROM scope_products AS sp
    JOIN products AS p ON p.product_id = sp.product_id
    WHERE sp.scope = $scope
    GROUP BY 1
)
SELECT v.word, f.value, f.n_products
FROM vocabulary AS v
JOIN field_values AS f ON lower(f.value) = v.word
WHERE v.scope = $scope
  AND (len($words) = 0 OR list_contains($words, v.word))
  AND f.n_products >= $min_products
ORDER BY v.rank, v.word;
