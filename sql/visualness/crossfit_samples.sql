-- visualness/crossfit_samples: the training samples of the cross-fitted method. For every
-- word of the chunk and every fold f, the classifier that scores fold f's products learns
-- from the other folds: their positives (D+; at most $max_per_class, the first in a seeded
-- md5 order) in strata that also hold negatives there, and, in every stratum
-- (visualness_folds), $negatives_per_positive times as many negatives as it has chosen
-- positives, drawn in the same md5 order (all the stratum's negatives if it has fewer);
-- the stage weighs each stratum's negatives to the weight of its positives, so more
-- negatives lower the sampling noise without unbalancing the classes. Positives of a stratum without
-- negatives cannot be matched (a shop whose every product has the word) and are left out.
-- With one stratum the negatives are a random sample of D- of the positives' size; with
-- categories both classes hold the same number of products of every category, so the
-- classifier cannot score by telling categories apart. Fold $n_folds is the sample of the
-- word's final classifier, drawn the same way from every product (repetition 0 only).
-- Each repetition (visualness_folds.rep) draws with its own seed key, so repeated
-- cross-fitting averages over fold assignments and negative draws alike.
-- Reads: visualness_universe, visualness_positives (temp, universe.sql),
--        visualness_folds (temp, crossfit_folds.sql).
-- Writes: nothing; returns (word, rep, fold, row_idx, label) by word, rep, fold, label desc,
--         row_idx.
-- Parameters: $words (VARCHAR[] of this chunk), $n_folds,
--             $max_per_class (BIGINT; NULL = no cap), $negatives_per_positive.

WITH chunk_words AS (
    SELECT DISTINCT unnest($words) AS word
),
training_folds AS (
    SELECT r.rep, CAST(t.f AS INTEGER) AS fold
    FROM (SELECT DISTINCT rep FROM visualness_folds) AS r
    CROSS JOIN range(CAST($n_folds AS BIGINT) + 1) AS t(f)
    WHERE t.f < $n_folds OR r.rep = 0
),
candidates AS (
    SELECT
        w.word,
        t.rep,
        t.fold,
        u.row_idx,
        f.stratum,
        p.row_idx IS NOT NULL AS label,
        md5_number(
            f.seed_key || chr(31) || w.word || chr(31) || u.product_id
        ) AS draw
    FROM chunk_words AS w
    CROSS JOIN training_folds AS t
    CROSS JOIN visualness_universe AS u
    JOIN visualness_folds AS f ON f.row_idx = u.row_idx AND f.rep = t.rep
    LEFT JOIN visualness_positives AS p ON p.word = w.word AND p.row_idx = u.row_idx
    WHERE f.fold <> t.fold
),
matchable AS (
    SELECT DISTINCT word, rep, fold, stratum FROM candidates WHERE NOT label
),
positives AS (
    SELECT c.word, c.rep, c.fold, c.row_idx, c.stratum
    FROM candidates AS c
    JOIN matchable AS m
        ON m.word = c.word AND m.rep = c.rep AND m.fold = c.fold AND m.stratum = c.stratum
    WHERE c.label
    QUALIFY row_number() OVER (PARTITION BY c.word, c.rep, c.fold ORDER BY c.draw, c.row_idx)
        <= coalesce(CAST($max_per_class AS BIGINT), 9223372036854775807)
),
wanted AS (
    SELECT word, rep, fold, stratum, count(*) AS n_pos
    FROM positives
    GROUP BY word, rep, fold, stratum
),
negatives AS (
    SELECT c.word, c.rep, c.fold, c.row_idx
    FROM candidates AS c
    JOIN wanted AS w
        ON w.word = c.word AND w.rep = c.rep AND w.fold = c.fold AND w.stratum = c.stratum
    WHERE NOT c.label
    QUALIFY row_number() OVER (
            PARTITION BY c.word, c.rep, c.fold, c.stratum ORDER BY c.draw, c.row_idx
        ) <= $negatives_per_positive
            * any_value(w.n_pos) OVER (PARTITION BY c.word, c.rep, c.fold, c.stratum)
)
SELECT word, rep, fold, row_idx, true AS label FROM positives
UNION ALL
SELECT word, rep, fold, row_idx, false AS label FROM negatives
ORDER BY word, rep, fold, label DESC, row_idx;
