-- report/shops: shops with the most near-duplicates removed.
-- Reads: shop_dedup_summary. Writes: nothing. Parameters: $n (rows to show).
SELECT shop, n_products, n_groups, n_kept, n_removed, removed_share
FROM shop_dedup_summary
WHERE n_deduplicated > 0
ORDER BY n_removed DESC, shop
LIMIT $n;
