-- Record where weights attrdb made came from (fine-tuned from a parent, or seeded random
-- initialisation); keyed by the weights' sha256, so every model id (pooling) with these
-- weights shares it. Recording the same weights again keeps the first row.
-- Reads: nothing. Writes: weights_lineage.
-- Parameters: $weights_sha256, $kind, $name, $weights, $parent_model_id,
--   $parent_weights_sha256, $training_run_id, $seed, $settings (JSON text).
INSERT INTO weights_lineage (weights_sha256, kind, name, weights, parent_model_id,
                             parent_weights_sha256, training_run_id, seed, settings)
VALUES ($weights_sha256, $kind, $name, $weights, $parent_model_id, $parent_weights_sha256,
        $training_run_id, $seed, CAST($settings AS JSON))
ON CONFLICT (weights_sha256) DO NOTHING;
