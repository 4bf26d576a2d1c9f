-- report/scope_definition: a scope's definition as text (no row when undefined), part of
-- the inputs fingerprint of every scoped stage in `attrdb run`.
-- Reads: scopes. Writes: nothing. Parameters: $scope.
SELECT CAST(definition AS VARCHAR) FROM scopes WHERE scope = $scope;
