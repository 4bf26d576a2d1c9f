-- Counts of the current near-duplicate groups.
-- Reads: duplicate_groups. Writes: nothing. Parameters: none.
SELECT
    count(*) AS n_products,
    count(DISTINCT group_id) AS n_groups,
    count(*) FILTER (WHERE kept) AS n_kept,
    count(*) FILTER (WHERE NOT kept) AS n_removed,
    count(DISTINCT shop) AS n_shops
FROM duplicate_groups;
