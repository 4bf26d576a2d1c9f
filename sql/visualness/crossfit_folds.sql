-- visualness/crossfit_folds: the cross-fitting folds of a visualness run, for each of
-- $repeats repetitions. Every product of the run's universe (all splits: cross-fitting tests
-- each product once per repetition, so no product is held back) gets one of $n_folds folds
-- by a seeded md5 order, so each repetition's folds are a uniform random partition that
-- depends only on its seed key: the run's $seed for repetition 0 (one repetition is the
-- single cross-fit of earlier releases, unchanged), '<seed>.<r>' for repetition r. Every
-- row also gets a stratum: 0 for random negatives, else the number of its stratum
-- (scope_stratum: the scope's $match_field value, and its shop with $match_shop), within
-- which negatives are matched to positives.
-- A product without a category is matched on its title-named type (product_types).
-- Reads: visualness_universe (temp, universe.sql), products, product_types.
-- Writes: temp table visualness_folds(rep, seed_key, row_idx, fold, stratum); returns
--         (rep, row_idx, fold, stratum) by rep and row.
-- Parameters: $seed, $n_folds, $repeats, $match_field (NULL: random negatives), $match_shop.

CREATE OR REPLACE TEMP TABLE visualness_folds AS
WITH repeats AS (
    SELECT
        CAST(r AS INTEGER) AS rep,
        CASE
            WHEN r = 0 THEN CAST($seed AS VARCHAR)
            ELSE CAST($seed AS VARCHAR) || '.' || CAST(r AS VARCHAR)
        END AS seed_key
    FROM range(CAST($repeats AS BIGINT)) AS t(r)
),
stratified AS (
    SELECT
        u.row_idx,
        u.product_id,
        CASE WHEN $match_field IS NULL THEN 0 ELSE dense_rank() OVER (
            ORDER BY scope_stratum(
                $match_field, $match_shop, coalesce(p.category, pt.product_type), p.metadata,
                p.shop)
                NULLS FIRST
        ) END AS stratum
    FROM visualness_universe AS u
    JOIN products AS p ON p.product_id = u.product_id
    LEFT JOIN product_types AS pt ON pt.product_id = u.product_id
),
ordered AS (
    SELECT
        r.rep,
        r.seed_key,
        s.row_idx,
        s.stratum,
        row_number() OVER (
            PARTITION BY r.rep
            ORDER BY md5_number(r.seed_key || chr(31) || 'fold' || chr(31) || s.product_id),
                s.row_idx
        ) - 1 AS position
    FROM repeats AS r
    CROSS JOIN stratified AS s
)
SELECT
    rep,
    seed_key,
    CAST(row_idx AS INTEGER) AS row_idx,
    CAST(position % $n_folds AS INTEGER) AS fold,
    CAST(stratum AS INTEGER) AS stratum
FROM ordered;

SELECT rep, row_idx, fold, stratum FROM visualness_folds ORDER BY rep, row_idx;
