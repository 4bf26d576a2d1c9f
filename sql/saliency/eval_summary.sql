-- The evaluation table of the README: per method and K, the mean over words of AP, pointing
-- accuracy, IoU at theta = 0.5 and the best mean IoU over thresholds (with its threshold).
-- Reads: saliency_eval. Writes: nothing. Parameters: $model_id, $scope.
WITH free AS (
    SELECT method, k, avg(ap) AS ap, avg(pointing) AS pointing,
           count(*) AS n_words, sum(n_images) AS n_maps
    FROM saliency_eval
    WHERE model_id = $model_id AND scope = $scope AND threshold IS NULL
    GROUP BY method, k
),
by_threshold AS (
    SELECT method, k, threshold, avg(iou) AS iou
    FROM saliency_eval
    WHERE model_id = $model_id AND scope = $scope AND threshold IS NOT NULL
    GROUP BY method, k, threshold
)
SELECT
    f.method, f.k, f.ap, f.pointing,
    (SELECT t.iou FROM by_threshold AS t
     WHERE t.method = f.method AND t.k IS NOT DISTINCT FROM f.k AND abs(t.threshold - 0.5) < 1e-9)
        AS iou_05,
    (SELECT max(t.iou) FROM by_threshold AS t
     WHERE t.method = f.method AND t.k IS NOT DISTINCT FROM f.k) AS best_iou,
    (SELECT arg_max(t.threshold, t.iou) FROM by_threshold AS t
     WHERE t.method = f.method AND t.k IS NOT DISTINCT FROM f.k) AS best_threshold,
    f.n_words, f.n_maps
FROM free AS f
ORDER BY f.method, f.k NULLS LAST;
