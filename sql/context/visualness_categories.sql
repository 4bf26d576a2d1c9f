-- context/visualness_categories: the category (scope_stratum: the scope's $match_field value,
-- and the shop with $match_shop) of every product of a visualness run, for category-matched
-- samples. A missing value is the category ''.
-- A product without a category has its title-named type (product_types).
-- Reads: visualness_universe (temp, sql/visualness/universe.sql), products, product_types.
-- Writes: temp table visualness_categories(row_idx, category). Parameters: $match_field, $match_shop.

CREATE OR REPLACE TEMP TABLE visualness_categories AS
SELECT
    u.row_idx,
    coalesce(scope_stratum(
        $match_field, $match_shop, coalesce(p.category, pt.product_type), p.metadata, p.shop
    ), '') AS category
FROM visualness_universe AS u
JOIN products AS p ON p.product_id = u.product_id
LEFT JOIN product_types AS pt ON pt.product_id = u.product_id;
