-- timewindows/set_put: store a window set's definition and the edges fingerprint its counts
-- were made with. Reads: nothing. Writes: time_window_sets.
-- Parameters: $model_id, $scope, $window_set, $definition, $edges_fingerprint, $run_id.
INSERT OR REPLACE INTO time_window_sets (model_id, scope, window_set, definition,
                                         edges_fingerprint, run_id)
VALUES ($model_id, $scope, $window_set, $definition, $edges_fingerprint, $run_id);
