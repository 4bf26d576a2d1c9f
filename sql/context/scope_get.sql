-- context/scope_get: a scope's definition (JSON text), or no row when it is not defined.
-- Reads: scopes. Writes: nothing. Parameters: $scope.
SELECT CAST(definition AS VARCHAR) AS definition FROM scopes WHERE scope = $scope;
