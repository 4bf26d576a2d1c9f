-- context/visualness_categories: the category (the scope's $match_field) of every product of
-- a visualness run, for category-matched samples. NULL (no value) is a category of its own.
-- Reads: visualness_universe (temp, sql/visualness/universe.sql), products.
-- Writes: temp table visualness_categories(row_idx, category). Parameters: $match_field.

CREATE OR REPLACE TEMP TABLE visualness_categories AS
SELECT u.row_idx, coalesce(scope_field_value($match_field, p.category, p.metadata), '') AS category
FROM visualness_universe AS u
JOIN products AS p ON p.product_id = u.product_id;
