SELECT
  split,
  COUNT(*) AS n_products
FROM splits
GROUP BY
  split
ORDER BY
  split NULLS LAST;

