-- Remove the per-image scores of the words about to be evaluated again.
-- Reads: saliency_scores. Writes: saliency_scores.
-- Parameters: $model_id, $scope, $words (VARCHAR[]).
DELETE FROM saliency_scores
WHERE model_id = $model_id AND scope = $scope AND list_contains($words, word);
