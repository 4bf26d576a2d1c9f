-- context/category_values: the distinct values of a category field over the products, with
-- how many products hold each (to check a scope's categories exist, and to decide whether
-- category-matched negatives are possible).
-- Reads: products. Writes: nothing. Parameters: $field ('category' | 'metadata.<path>').
SELECT scope_field_value($field, category, metadata) AS value, count(*) AS n_products
FROM products
GROUP BY value
ORDER BY n_products DESC, value;
