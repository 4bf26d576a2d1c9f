-- context/resample_train_matched: the 'resample' method's training sample with
-- category-matched negatives, the counterpart of visualness/resample_train.sql. In each
-- category of the train split, m = $resample_keep * min(#D+, #D-) there, rounded (scaled
-- down proportionally, rounding down, when the categories' sum exceeds $max_per_class);
-- the m positives the 'initial' classifier scores highest and the m negatives it scores
-- lowest are kept (doubtful images of both sides dropped), so the sample
-- has the same category mix in both classes, as the balanced sample does. Ties break on
-- row_idx, so the sample is deterministic.
-- Reads: predictions (method 'initial' of this run), visualness_universe,
--        visualness_positives, visualness_categories (temp tables).
-- Writes: nothing; returns (word, row_idx, label, n_per_class).
-- Parameters: $model_id, $scope, $words (VARCHAR[] of this chunk),
--             $max_per_class (BIGINT; NULL = no cap), $resample_keep (DOUBLE in (0, 1]).

WITH chunk_words AS (
    SELECT DISTINCT unnest($words) AS word
),
train AS (
    SELECT u.row_idx, u.product_id, c.category
    FROM visualness_universe AS u
    JOIN visualness_categories AS c ON c.row_idx = u.row_idx
    WHERE u.split = 'train'
),
labelled AS (
    SELECT w.word, t.row_idx, t.product_id, t.category, p.row_idx IS NOT NULL AS label
    FROM chunk_words AS w
    CROSS JOIN train AS t
    LEFT JOIN visualness_positives AS p ON p.word = w.word AND p.row_idx = t.row_idx
),
per_category AS (
    SELECT
        word,
        category,
        CAST(round($resample_keep * least(
            count(*) FILTER (WHERE label), count(*) FILTER (WHERE NOT label)
        )) AS BIGINT) AS m
    FROM labelled
    GROUP BY word, category
),
quotas AS (
    SELECT
        word,
        category,
        CASE
            WHEN $max_per_class IS NULL OR sum(m) OVER (PARTITION BY word) <= $max_per_class
                THEN m
            ELSE CAST(floor(m * $max_per_class / sum(m) OVER (PARTITION BY word)) AS BIGINT)
        END AS quota
    FROM per_category
),
sizes AS (
    SELECT word, sum(quota) AS n_per_class FROM quotas GROUP BY word
),
scored AS (
    SELECT l.word, l.row_idx, l.category, l.label, pr.score
    FROM labelled AS l
    JOIN predictions AS pr
        ON pr.word = l.word AND pr.product_id = l.product_id
        AND pr.model_id = $model_id AND pr.scope = $scope AND pr.method = 'initial'
),
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY word, category, label
            ORDER BY CASE WHEN label THEN -score ELSE score END, row_idx
        ) AS confidence_rank
    FROM scored
)
SELECT r.word, r.row_idx, r.label, s.n_per_class
FROM ranked AS r
JOIN quotas AS q ON q.word = r.word AND q.category = r.category
JOIN sizes AS s ON s.word = r.word
WHERE r.confidence_rank <= q.quota
ORDER BY r.word, r.label DESC, r.row_idx;
