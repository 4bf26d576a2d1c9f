-- Forget the epochs of a model whose training starts again from scratch (no checkpoint).
-- Reads: nothing. Writes: finetune_epochs. Parameters: $model_id.
DELETE FROM finetune_epochs WHERE model_id = $model_id;
