-- divergence/words: the scope's vocabulary words, their positives (D+) in the universe, and
-- which words have enough positives and negatives to get a divergence. A word whose
-- positives outnumber its negatives is marked `complement`: its histograms are counted over
-- the negatives (the smaller side) and the positives follow as total minus negatives.
-- Reads: vocabulary, word_products, divergence_universe.
-- Writes: temp tables divergence_positives(word, pidx),
--         divergence_words(widx, word, n_pos, n_neg, complement, n_side, n_other) (kept
--         words, widx dense; n_side = the size of the side counted, n_other the rest);
--         returns every vocabulary word as (word, n_pos, n_neg, kept).
-- Parameters: $scope, $min_positives, $min_negatives.

CREATE OR REPLACE TEMP TABLE divergence_positives AS
SELECT DISTINCT wp.word, u.pidx
FROM word_products AS wp
JOIN vocabulary AS v ON v.scope = wp.scope AND v.word = wp.word
JOIN divergence_universe AS u ON u.product_id = wp.product_id
WHERE wp.scope = $scope;

CREATE OR REPLACE TEMP TABLE divergence_word_counts AS
WITH n AS (SELECT count(*) AS n_universe FROM divergence_universe)
SELECT v.word, count(p.pidx) AS n_pos, any_value(n.n_universe) - count(p.pidx) AS n_neg
FROM vocabulary AS v
CROSS JOIN n
LEFT JOIN divergence_positives AS p ON p.word = v.word
WHERE v.scope = $scope
GROUP BY v.word;

CREATE OR REPLACE TEMP TABLE divergence_words AS
SELECT
    CAST(row_number() OVER (ORDER BY word) - 1 AS INTEGER) AS widx,
    word,
    n_pos,
    n_neg,
    n_pos > n_neg AS complement,
    least(n_pos, n_neg) AS n_side,
    greatest(n_pos, n_neg) AS n_other
FROM divergence_word_counts
WHERE n_pos >= $min_positives AND n_neg >= $min_negatives;

SELECT word, n_pos, n_neg, n_pos >= $min_positives AND n_neg >= $min_negatives AS kept
FROM divergence_word_counts
ORDER BY n_pos DESC, word;
