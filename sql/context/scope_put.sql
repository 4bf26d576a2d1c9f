-- context/scope_put: define a scope, or replace its definition (created_at is then the time
-- of the new definition).
-- Reads: nothing. Writes: scopes. Parameters: $scope, $definition (JSON text).
DELETE FROM scopes WHERE scope = $scope;

INSERT INTO scopes (scope, definition) VALUES ($scope, $definition);
