-- Whether a scope is defined. Reads: scopes. Writes: nothing. Parameters: $scope.
SELECT count(*) > 0 AS scope_exists FROM scopes WHERE scope = $scope;
