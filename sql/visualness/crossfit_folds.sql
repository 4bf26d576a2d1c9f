-- visualness/crossfit_folds: the cross-fitting folds of a visualness run. Every product of
-- the run's universe (all splits: cross-fitting tests each product once, so no product is
-- held back) gets one of $n_folds folds by a seeded md5 order, so folds are a uniform random
-- partition that depends only on the seed, and a stratum: 0 for random negatives, else the
-- number of its stratum (scope_stratum: the scope's $match_field value, and its shop with
-- $match_shop), within which negatives are matched to positives.
-- Reads: visualness_universe (temp, universe.sql), products.
-- Writes: temp table visualness_folds(row_idx, fold, stratum); returns it in row order.
-- Parameters: $seed, $n_folds, $match_field (NULL: random negatives), $match_shop.

CREATE OR REPLACE TEMP TABLE visualness_folds AS
WITH ordered AS (
    SELECT
        u.row_idx,
        row_number() OVER (
            ORDER BY md5_number(CAST($seed AS VARCHAR) || chr(31) || 'fold' || chr(31) || u.product_id),
                u.row_idx
        ) - 1 AS position,
        CASE WHEN $match_field IS NULL THEN 0 ELSE dense_rank() OVER (
            ORDER BY scope_stratum($match_field, $match_shop, p.category, p.metadata, p.shop)
                NULLS FIRST
        ) END AS stratum
    FROM visualness_universe AS u
    JOIN products AS p ON p.product_id = u.product_id
)
SELECT
    CAST(row_idx AS INTEGER) AS row_idx,
    CAST(position % $n_folds AS INTEGER) AS fold,
    CAST(stratum AS INTEGER) AS stratum
FROM ordered;

SELECT row_idx, fold, stratum FROM visualness_folds ORDER BY row_idx;
