-- context/visualness_categories: the category (scope_stratum: the scope's $match_field value,
-- and the shop with $match_shop) of every product of a visualness run, for category-matched
-- samples. A missing value is the category ''.
-- Reads: visualness_universe (temp, sql/visualness/universe.sql), products.
-- Writes: temp table visualness_categories(row_idx, category). Parameters: $match_field, $match_shop.

CREATE OR REPLACE TEMP TABLE visualness_categories AS
SELECT
    u.row_idx,
    coalesce(scope_stratum($match_field, $match_shop, p.category, p.metadata, p.shop), '')
        AS category
FROM visualness_universe AS u
JOIN products AS p ON p.product_id = u.product_id;
