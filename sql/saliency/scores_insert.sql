-- Store per-image evaluation scores.
-- Reads: the registered Arrow table score_rows (model_id, scope, word, method, k, product_id,
-- threshold, ap, iou, pointing, run_id). Writes: saliency_scores. Parameters: none.
INSERT INTO saliency_scores
    (model_id, scope, word, method, k, product_id, threshold, ap, iou, pointing, run_id)
SELECT model_id, scope, word, method, k, product_id, threshold, ap, iou, pointing, run_id
FROM score_rows;
