-- context/category_values: the distinct values of a category field over the products, with
-- how many products hold each (to check a scope's categories exist, and to decide whether
-- category-matched negatives are possible). With $title_types, a product without a category
-- counts under its title-named type (product_types), as matching counts it.
-- Reads: products, product_types. Writes: nothing.
-- Parameters: $field ('category' | 'metadata.<path>'), $title_types (BOOLEAN).
SELECT
    scope_field_value(
        $field,
        CASE WHEN $title_types THEN coalesce(p.category, t.product_type) ELSE p.category END,
        p.metadata
    ) AS value,
    count(*) AS n_products
FROM products AS p
LEFT JOIN product_types AS t ON t.product_id = p.product_id
GROUP BY value
ORDER BY n_products DESC, value;
