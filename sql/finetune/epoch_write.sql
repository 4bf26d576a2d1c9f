-- One finished fine-tuning epoch (a resumed run rewrites nothing it did not train).
-- Reads: nothing. Writes: finetune_epochs.
-- Parameters: $model_id, $epoch, $run_id, $train_loss, $n_images, $seconds, $device.
INSERT OR REPLACE INTO finetune_epochs
    (model_id, epoch, run_id, train_loss, n_images, seconds, device)
VALUES ($model_id, $epoch, $run_id, $train_loss, $n_images, $seconds, $device);
