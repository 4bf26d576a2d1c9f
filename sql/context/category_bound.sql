-- context/category_bound: how each vocabulary word's positives (D+ in the scope) spread over
-- the categories of the scope's match field; a word is category-bound when its largest
-- category holds at least $bound_share of its positives. A NULL category (no value) is
-- counted as one category but never makes a word bound: without a category there is no
-- context to be bound to.
-- A product without a category counts in its title-named type (product_types).
-- Reads: word_products, products, product_types. Writes: category_bound_words (the scope's rows replaced).
-- Parameters: $scope, $match_field ('category' | 'metadata.<path>'), $bound_share.

DELETE FROM category_bound_words WHERE scope = $scope;

INSERT INTO category_bound_words
    (scope, word, match_field, n_products, n_categories, top_category, top_share, bound)
WITH per_category AS (
    SELECT
        wp.word,
        scope_field_value(
            $match_field, coalesce(p.category, pt.product_type), p.metadata
        ) AS category,
        count(*) AS n
    FROM word_products AS wp
    JOIN products AS p ON p.product_id = wp.product_id
    LEFT JOIN product_types AS pt ON pt.product_id = wp.product_id
    WHERE wp.scope = $scope
    GROUP BY ALL
),
per_word AS (
    SELECT
        word,
        sum(n) AS n_products,
        count(*) AS n_categories,
        list(category ORDER BY n DESC, category NULLS LAST)[1] AS top_category,
        max(n) / sum(n) AS top_share
    FROM per_category
    GROUP BY word
)
SELECT
    $scope,
    word,
    $match_field,
    n_products,
    n_categories,
    top_category,
    top_share,
    top_category IS NOT NULL AND top_share >= $bound_share
FROM per_word;
