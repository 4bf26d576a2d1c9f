-- How many products the text stage has not finished (dedup refuses to run until zero).
-- Reads: products, tokenized_products. Writes: nothing. Parameters: none.
SELECT count(*) AS n_pending
FROM products AS p
ANTI JOIN tokenized_products AS d USING (product_id);
