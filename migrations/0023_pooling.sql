-- 0023 pooling: how a model's conv feature maps were pooled over space into its units.
-- Reads: nothing. Writes: models.pooling, units.pooling (existing rows: 'max', the paper's
-- pooling, which is what every earlier extraction stored).
-- A feature set is its own model_id: the same network and weights pooled another way is
-- registered again (e.g. 'efficientnet_lite0:mean') so every stage that reads
-- activation_vectors by model_id works on it unchanged. models.pooling is 'max', 'mean' or
-- 'both'; units.pooling says which pooling a unit holds ('both' lists the max units first,
-- unit_id 0..n-1 as in the max model, then the mean units n..2n-1).

ALTER TABLE models ADD COLUMN pooling VARCHAR DEFAULT 'max';

ALTER TABLE units ADD COLUMN pooling VARCHAR DEFAULT 'max';
