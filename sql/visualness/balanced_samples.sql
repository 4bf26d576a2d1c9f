-- Balanced train and test samples per word (methods random and initial): in each split,
-- n = least(#D+, #D-, $max_per_class) positives and n negatives, drawn in a seeded hash
-- order (md5 of seed, word and product id), so a sample is a uniform random subset that
-- depends only on the seed. D+ = the word's products (word_products), D- = every other
-- product of the run's universe.
-- Reads: visualness_universe, visualness_positives (temp, from universe.sql).
-- Writes: nothing; returns (word, split, row_idx, label, n_per_class).
-- Parameters: $words (VARCHAR[] of this chunk), $seed (BIGINT),
--             $max_per_class (BIGINT; NULL = no cap).

WITH chunk_words AS (
    SELECT DISTINCT unnest($words) AS word
),
split_sizes AS (
    SELECT split, count(*) AS n_all
    FROM visualness_universe
    WHERE split IN ('train', 'test')
    GROUP BY split
),
sizes AS (
    SELECT
        w.word,
        t.split,
        least(
            count(p.row_idx),
            t.n_all - count(p.row_idx),
            coalesce(CAST($max_per_class AS BIGINT), t.n_all)
        ) AS n_per_class
    FROM chunk_words AS w
    CROSS JOIN split_sizes AS t
    LEFT JOIN visualness_positives AS p ON p.word = w.word AND p.split = t.split
    GROUP BY w.word, t.split, t.n_all
),
candidates AS (
    SELECT
        w.word,
        u.split,
        u.row_idx,
        p.row_idx IS NOT NULL AS label,
        md5_number(
            CAST($seed AS VARCHAR) || chr(31) || w.word || chr(31) || u.product_id
        ) AS draw
    FROM chunk_words AS w
    CROSS JOIN visualness_universe AS u
    LEFT JOIN visualness_positives AS p ON p.word = w.word AND p.row_idx = u.row_idx
    WHERE u.split IN ('train', 'test')
),
ranked AS (
    SELECT
        word,
        split,
        row_idx,
        label,
        row_number() OVER (PARTITION BY word, split, label ORDER BY draw, row_idx) AS draw_rank
    FROM candidates
)
SELECT r.word, r.split, r.row_idx, r.label, s.n_per_class
FROM ranked AS r
JOIN sizes AS s ON s.word = r.word AND s.split = r.split
WHERE r.draw_rank <= s.n_per_class
ORDER BY r.word, r.split, r.label DESC, r.row_idx;
