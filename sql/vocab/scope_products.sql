-- The universe of a scope: the products its per-word results are computed over.
-- Reads: kept_products (near-duplicates removed), scopes. Writes: scope_products.
-- Parameters: $scope.
-- Every scope is currently all kept products; scope definitions with category filters
-- or boilerplate options (scopes.definition) narrow this one SELECT.
DELETE FROM scope_products WHERE scope = $scope;

INSERT INTO scope_products (scope, product_id)
SELECT s.scope, k.product_id
FROM kept_products AS k
CROSS JOIN (SELECT scope FROM scopes WHERE scope = $scope) AS s;
