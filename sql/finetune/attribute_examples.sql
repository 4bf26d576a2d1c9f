-- Images of one split of a scope with the given words their text holds: the noisy
-- multi-label targets of attribute tuning (a word absent from the text is a negative).
-- Reads: scope_products, splits, products, word_products. Writes: nothing.
-- Parameters: $scope, $split ('train' / 'test' / 'val'), $words (VARCHAR[]).
SELECT
    p.product_id,
    p.image_path,
    coalesce(list(w.word ORDER BY w.word) FILTER (WHERE w.word IS NOT NULL), [])
        AS words
FROM scope_products AS sp
JOIN splits AS s ON s.product_id = sp.product_id AND s.split = $split
JOIN products AS p ON p.product_id = sp.product_id
LEFT JOIN word_products AS w
    ON w.scope = sp.scope AND w.product_id = sp.product_id AND list_contains($words, w.word)
WHERE sp.scope = $scope AND p.image_path IS NOT NULL
GROUP BY p.product_id, p.image_path
ORDER BY p.product_id;
