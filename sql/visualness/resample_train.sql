-- The 'resample' method's training sample (paper Sec. 4.2): rank both sides of the word's
-- train products by the 'initial' classifier's score and keep the n most confident
-- positives of D+ (highest scores) and the n most confident negatives of D- (lowest
-- scores), with n = $resample_keep times the balanced sample's per-class size
-- (least(#D+, #D-, $max_per_class) in train), at least 1. Taking a share of both sides
-- drops the doubtful positives (text says the word, the image does not show it) as well as
-- the doubtful negatives; n = the full size would keep every positive of a rare word.
-- Ties break on row_idx, so the sample is deterministic.
-- Reads: predictions (method 'initial' of this run, written just before),
--        visualness_universe, visualness_positives (temp, from universe.sql).
-- Writes: nothing; returns (word, row_idx, label, n_per_class).
-- Parameters: $model_id, $scope, $words (VARCHAR[] of this chunk),
--             $max_per_class (BIGINT; NULL = no cap), $resample_keep (DOUBLE in (0, 1]).

WITH chunk_words AS (
    SELECT DISTINCT unnest($words) AS word
),
train AS (
    SELECT row_idx, product_id
    FROM visualness_universe
    WHERE split = 'train'
),
sizes AS (
    SELECT
        w.word,
        greatest(1, CAST(round($resample_keep * least(
            count(p.row_idx),
            (SELECT count(*) FROM train) - count(p.row_idx),
            coalesce(CAST($max_per_class AS BIGINT), (SELECT count(*) FROM train))
        )) AS BIGINT)) AS n_per_class
    FROM chunk_words AS w
    LEFT JOIN visualness_positives AS p ON p.word = w.word AND p.split = 'train'
    GROUP BY w.word
),
scored AS (
    SELECT
        pr.word,
        t.row_idx,
        pos.row_idx IS NOT NULL AS label,
        pr.score
    FROM predictions AS pr
    JOIN chunk_words AS w ON w.word = pr.word
    JOIN train AS t ON t.product_id = pr.product_id
    LEFT JOIN visualness_positives AS pos ON pos.word = pr.word AND pos.row_idx = t.row_idx
    WHERE pr.model_id = $model_id AND pr.scope = $scope AND pr.method = 'initial'
),
ranked AS (
    SELECT
        word,
        row_idx,
        label,
        row_number() OVER (
            PARTITION BY word, label
            ORDER BY CASE WHEN label THEN -score ELSE score END, row_idx
        ) AS confidence_rank
    FROM scored
)
SELECT r.word, r.row_idx, r.label, s.n_per_class
FROM ranked AS r
JOIN sizes AS s ON s.word = r.word
WHERE r.confidence_rank <= s.n_per_class
ORDER BY r.word, r.label DESC, r.row_idx;
