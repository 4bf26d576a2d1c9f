-- visualness/crossfit_weights: how much each negative counts when the cross-fitted scores
-- are evaluated. Every universe product is tested once (in its fold). With one stratum
-- every negative weighs 1. With categories (category-matched negatives) the negatives are
-- reweighted to the positives' category mix, weight(c) = (n_pos(c) / n_pos) /
-- (n_neg(c) / n_neg), so the test asks the same question as the training: does the image
-- show the word, among products of the same categories; categories without positives
-- weigh 0. Positives of a category without negatives cannot be matched: they are not
-- tested (positive_weight 0), as they are left out of training.
-- Reads: visualness_universe, visualness_positives (temp, universe.sql),
--        visualness_folds (temp, crossfit_folds.sql).
-- Writes: nothing; returns (word, stratum, weight, positive_weight) for every word of the
--         chunk and stratum.
-- Parameters: $words (VARCHAR[] of this chunk).

WITH chunk_words AS (
    SELECT DISTINCT unnest($words) AS word
),
counts AS (
    SELECT
        w.word,
        f.stratum,
        count(p.row_idx) AS n_pos,
        count(*) - count(p.row_idx) AS n_neg
    FROM chunk_words AS w
    CROSS JOIN visualness_folds AS f
    LEFT JOIN visualness_positives AS p ON p.word = w.word AND p.row_idx = f.row_idx
    WHERE f.rep = 0  -- strata are the same in every repetition
    GROUP BY w.word, f.stratum
),
totals AS (
    SELECT *, sum(n_pos) FILTER (WHERE n_neg > 0) OVER (PARTITION BY word) AS all_pos,
        sum(n_neg) OVER (PARTITION BY word) AS all_neg
    FROM counts
)
SELECT
    word,
    stratum,
    CASE
        WHEN n_neg = 0 OR all_pos = 0 THEN 0.0
        ELSE (n_pos / all_pos) / (n_neg / all_neg)
    END AS weight,
    CASE WHEN n_neg = 0 THEN 0.0 ELSE 1.0 END AS positive_weight
FROM totals
ORDER BY word, stratum;
