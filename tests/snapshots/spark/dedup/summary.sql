SELECT
  COUNT(*) AS n_products,
  COUNT(DISTINCT group_id) AS n_groups,
  COUNT(*) FILTER(WHERE
    kept) AS n_kept,
  COUNT(*) FILTER(WHERE
    NOT kept) AS n_removed,
  COUNT(DISTINCT shop) AS n_shops
FROM duplicate_groups;

