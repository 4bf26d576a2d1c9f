-- divergence/words: the scope's vocabulary words, their positives (D+) in the universe, and
-- which words have enough positives and negatives to get a divergence. A word whose
-- positives outnumber its negatives is marked `complement`: its histograms are counted over
-- the negatives (the smaller side) and the positives follow as total minus negatives.
-- With $null_draws > 0 every word also gets that many *pseudo-words*: random subsets of the
-- universe with as many products as the word has positives in every stratum (one stratum,
-- or for category-matched negatives the scope's strata: $match_field value, and shop with
-- $match_shop, as scope_stratum), drawn by a
-- seeded md5 order (the same on every engine). They pass through the same histogram and
-- KL statements as the words; null.sql turns their divergences into the KL a word gets by chance. Their names start
-- with chr(31), which no token holds, so they never meet a vocabulary word.
-- A product without a category is matched on its title-named type (product_types).
-- Reads: vocabulary, word_products, divergence_universe, products, product_types.
-- Writes: temp tables divergence_positives(word, pidx) (words and pseudo-words),
--         divergence_words(widx, word, n_pos, n_neg, complement, n_side, n_other) (kept
--         words and pseudo-words, widx dense; n_side = the size of the side counted, n_other
--         the rest); returns every vocabulary word as (word, n_pos, n_neg, kept).
-- Parameters: $scope, $min_positives, $min_negatives, $null_draws, $null_seed,
--             $match_field (NULL: one stratum), $match_shop.

CREATE OR REPLACE TEMP TABLE divergence_positives AS
SELECT DISTINCT wp.word, u.pidx
FROM word_products AS wp
JOIN vocabulary AS v ON v.scope = wp.scope AND v.word = wp.word
JOIN divergence_universe AS u ON u.product_id = wp.product_id
WHERE wp.scope = $scope;

INSERT INTO divergence_positives
WITH strata AS (
    SELECT
        u.pidx,
        CASE WHEN $match_field IS NULL THEN 0 ELSE dense_rank() OVER (
            ORDER BY scope_stratum(
                $match_field, $match_shop, coalesce(p.category, pt.product_type), p.metadata,
                p.shop)
                NULLS FIRST
        ) END AS stratum
    FROM divergence_universe AS u
    LEFT JOIN products AS p ON p.product_id = u.product_id
    LEFT JOIN product_types AS pt ON pt.product_id = u.product_id
),
word_strata AS (
    SELECT word, stratum, n_pos, dense_rank() OVER (ORDER BY word) AS wid
    FROM (
        SELECT d.word, s.stratum, count(*) AS n_pos
        FROM divergence_positives AS d
        JOIN strata AS s ON s.pidx = d.pidx
        GROUP BY d.word, s.stratum
    )
),
draw_numbers AS (
    SELECT unnest(range(CAST($null_draws AS BIGINT))) AS draw
),
draws AS (
    -- The window holds a row per word, draw and universe product (21.7 M at the paper's
    -- size, the stage's largest working set), so its rows carry integers and a sort key of
    -- 12 characters (DuckDB stores strings of up to 12 bytes inline), no names: the first
    -- 12 hex digits (48 bits) of the md5 order the products as the whole md5 does, but for
    -- ties of that prefix, which pidx breaks.
    SELECT w.wid, n.draw, s.pidx, w.n_pos,
        row_number() OVER (
            PARTITION BY w.wid, n.draw, w.stratum
            ORDER BY substr(md5(concat_ws(' ', $null_seed, n.draw, s.pidx, w.word)), 1, 12), s.pidx
        ) AS position
    FROM word_strata AS w
    CROSS JOIN draw_numbers AS n
    JOIN strata AS s ON s.stratum = w.stratum
)
SELECT chr(31) || 'null ' || d.draw || ' ' || w.word AS word, d.pidx
FROM draws AS d
JOIN (SELECT DISTINCT wid, word FROM word_strata) AS w ON w.wid = d.wid
WHERE d.position <= d.n_pos;

CREATE OR REPLACE TEMP TABLE divergence_word_counts AS
WITH n AS (SELECT count(*) AS n_universe FROM divergence_universe),
candidates AS (
    SELECT word FROM vocabulary WHERE scope = $scope
    UNION ALL
    SELECT DISTINCT word FROM divergence_positives WHERE starts_with(word, chr(31))
)
SELECT c.word, count(p.pidx) AS n_pos, any_value(n.n_universe) - count(p.pidx) AS n_neg
FROM candidates AS c
CROSS JOIN n
LEFT JOIN divergence_positives AS p ON p.word = c.word
GROUP BY c.word;

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
WHERE NOT starts_with(word, chr(31))
ORDER BY n_pos DESC, word;
