-- stability/store: each word's rank spread over the seeds of a stability run.
-- Reads: stability_ranks(seed, method, word, rank, score) (temp, written by the stage).
-- Writes: visualness_stability (rows of model, scope and the run's methods replaced);
--         drops stability_ranks.
-- Parameters: $model_id, $scope, $methods (VARCHAR[]), $seeds (INTEGER[]), $run_id.

DELETE FROM visualness_stability
WHERE model_id = $model_id AND scope = $scope AND list_contains($methods, method);

INSERT INTO visualness_stability (
    model_id, scope, word, method, n_seeds, rank_mean, rank_sd, rank_min, rank_max,
    score_mean, score_sd, seeds, run_id
)
SELECT
    $model_id,
    $scope,
    word,
    method,
    CAST(count(*) AS INTEGER),
    avg(rank),
    coalesce(stddev_samp(rank), 0.0),
    CAST(floor(min(rank)) AS INTEGER),
    CAST(ceil(max(rank)) AS INTEGER),
    avg(score),
    coalesce(stddev_samp(score), 0.0),
    CAST($seeds AS INTEGER[]),
    $run_id
FROM stability_ranks
GROUP BY word, method;

DROP TABLE stability_ranks;
