-- vocab/support: the support each vocabulary word can expect once the products are split,
-- against the support a score needs, so words that will be skipped (divergence) or scored on
-- a handful of test images (visualness) are counted at vocab time instead of silently later.
-- Reads: vocabulary, word_products, scope_products, products. Writes: nothing.
-- Parameters: $scope, $train_fraction, $test_fraction (the split's shares),
--             $min_train (positives and negatives a word needs in train),
--             $min_test (positives and negatives a word needs in test).
--
-- Only products with an image can get activations, so positives and negatives are the
-- scope's imaged products with and without the word. The split assigns each product by its
-- own hash, so a word with n imaged positives expects n * share of them in a split (a
-- binomial mean). One row: the thresholds' counts and the words below either, rarest first.
WITH imaged AS (
    SELECT s.product_id
    FROM scope_products AS s
    JOIN products AS p ON p.product_id = s.product_id
    WHERE s.scope = $scope AND p.image_path IS NOT NULL
),
per_word AS (
    SELECT
        v.word,
        v.rank,
        count(i.product_id) AS n_pos,
        (SELECT count(*) FROM imaged) - count(i.product_id) AS n_neg
    FROM vocabulary AS v
    LEFT JOIN word_products AS w ON w.scope = v.scope AND w.word = v.word
    LEFT JOIN imaged AS i ON i.product_id = w.product_id
    WHERE v.scope = $scope
    GROUP BY v.word, v.rank
),
expected AS (
    SELECT
        word,
        rank,
        least(n_pos, n_neg) * $train_fraction AS train_support,
        least(n_pos, n_neg) * $test_fraction AS test_support
    FROM per_word
)
SELECT
    count(*) FILTER (WHERE train_support < $min_train) AS n_below_train,
    count(*) FILTER (WHERE test_support < $min_test) AS n_below_test,
    count(*) FILTER (WHERE train_support < $min_train OR test_support < $min_test)
        AS n_below_any,
    coalesce(
        list(word ORDER BY test_support, rank)
            FILTER (WHERE train_support < $min_train OR test_support < $min_test),
        []
    ) AS words_below
FROM expected;
