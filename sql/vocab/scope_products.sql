-- The universe of a scope: the products its per-word results are computed over.
-- Reads: kept_products (near-duplicates removed), scopes. Writes: scope_products.
-- Parameters: $scope.
-- A scope's definition (scopes.definition) may keep only the products whose category
-- field ('category' or a products.metadata key) has one of its values (macro
-- scope_admits, sql/macros/context.sql); 'default' ({}) is every kept product.
DELETE FROM scope_products WHERE scope = $scope;

INSERT INTO scope_products (scope, product_id)
SELECT s.scope, k.product_id
FROM kept_products AS k
CROSS JOIN (SELECT scope, definition FROM scopes WHERE scope = $scope) AS s
WHERE scope_admits(s.definition, k.category, k.metadata);
