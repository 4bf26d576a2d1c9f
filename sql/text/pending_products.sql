-- Products the text stage has not finished yet, in product_id order.
-- Reads: products, tokenized_products. Writes: nothing. Parameters: none.
SELECT p.product_id, p.title, p.description, p.tags
FROM products AS p
ANTI JOIN tokenized_products AS d USING (product_id)
ORDER BY p.product_id;
