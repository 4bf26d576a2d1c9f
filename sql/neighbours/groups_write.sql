-- neighbours/groups_write: replace a run's word groups with the clustering computed in
-- Python (registered Arrow table neighbour_groups(word, group_id, group_size, leaf_order)).
-- Reads: neighbour_groups. Writes: word_groups. Parameters: $model_id, $scope, $method, $run_id.
DELETE FROM word_groups WHERE model_id = $model_id AND scope = $scope AND method = $method;

INSERT INTO word_groups (model_id, scope, method, word, group_id, group_size, leaf_order, run_id)
SELECT $model_id, $scope, $method, word, group_id, group_size, leaf_order, $run_id
FROM neighbour_groups;
