-- context/balanced_samples_matched: category-matched balanced train and test samples per
-- word (methods random and initial), the counterpart of visualness/balanced_samples.sql.
-- In each split and category, positives and negatives are put in a seeded hash order
-- (md5 of seed, word and product id, as there) and the r-th positive is paired with the
-- r-th negative of the same category, so a category gives min(#D+, #D-) pairs there; of all
-- pairs the $max_per_class whose positive comes first in hash order are kept. Both classes
-- then hold exactly the same number of products of every category: the classifier cannot
-- score by telling categories apart. Positives of a category without negatives are left
-- out (they cannot be matched).
-- Reads: visualness_universe, visualness_positives (temp, sql/visualness/universe.sql),
--        visualness_categories (temp, visualness_categories.sql).
-- Writes: nothing; returns (word, split, row_idx, label, n_per_class).
-- Parameters: $words (VARCHAR[] of this chunk), $seed (BIGINT),
--             $max_per_class (BIGINT; NULL = no cap).

WITH chunk_words AS (
    SELECT DISTINCT unnest($words) AS word
),
candidates AS (
    SELECT
        w.word,
        u.split,
        u.row_idx,
        c.category,
        p.row_idx IS NOT NULL AS label,
        md5_number(
            CAST($seed AS VARCHAR) || chr(31) || w.word || chr(31) || u.product_id
        ) AS draw
    FROM chunk_words AS w
    CROSS JOIN visualness_universe AS u
    JOIN visualness_categories AS c ON c.row_idx = u.row_idx
    LEFT JOIN visualness_positives AS p ON p.word = w.word AND p.row_idx = u.row_idx
    WHERE u.split IN ('train', 'test')
),
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY word, split, category, label ORDER BY draw, row_idx
        ) AS category_rank
    FROM candidates
),
pairs AS (
    SELECT
        pos.word,
        pos.split,
        pos.row_idx AS positive_row,
        neg.row_idx AS negative_row,
        row_number() OVER (
            PARTITION BY pos.word, pos.split ORDER BY pos.draw, pos.row_idx
        ) AS pair_rank
    FROM ranked AS pos
    JOIN ranked AS neg
        ON neg.word = pos.word
        AND neg.split = pos.split
        AND neg.category = pos.category
        AND neg.category_rank = pos.category_rank
        AND NOT neg.label
    WHERE pos.label
),
kept AS (
    SELECT *
    FROM pairs
    WHERE pair_rank <= coalesce(CAST($max_per_class AS BIGINT), pair_rank)
),
sizes AS (
    SELECT word, split, count(*) AS n_per_class FROM kept GROUP BY word, split
)
SELECT k.word, k.split, k.positive_row AS row_idx, true AS label, s.n_per_class
FROM kept AS k
JOIN sizes AS s ON s.word = k.word AND s.split = k.split
UNION ALL
SELECT k.word, k.split, k.negative_row, false, s.n_per_class
FROM kept AS k
JOIN sizes AS s ON s.word = k.word AND s.split = k.split
ORDER BY word, split, label DESC, row_idx;
