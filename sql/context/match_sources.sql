-- context/match_sources: what the divergence universe's products are matched on, for the
-- run summary: their category, their title-named type (no category; product_types), or
-- nothing (neither: all such products form one stratum, where negatives are random).
-- With a metadata match field every product counts under that field's value or none.
-- Reads: divergence_universe (temp, divergence/universe.sql), products, product_types.
-- Writes: nothing. Returns (n_category, n_title_type, n_none, n_categories).
-- Parameters: $match_field.

WITH sources AS (
    SELECT
        scope_field_value($match_field, p.category, p.metadata) AS own,
        CASE WHEN $match_field = 'category' THEN t.product_type END AS title_type
    FROM divergence_universe AS u
    JOIN products AS p ON p.product_id = u.product_id
    LEFT JOIN product_types AS t ON t.product_id = u.product_id
)
SELECT
    count(*) FILTER (WHERE own IS NOT NULL) AS n_category,
    count(*) FILTER (WHERE own IS NULL AND title_type IS NOT NULL) AS n_title_type,
    count(*) FILTER (WHERE own IS NULL AND title_type IS NULL) AS n_none,
    count(DISTINCT coalesce(own, title_type)) AS n_categories
FROM sources;
