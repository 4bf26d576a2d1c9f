-- timewindows/count: histogram counts of the periods to recount, under the scope's fixed
-- bin edges (unit_bins of the divergence run), replacing their stored counts; removed
-- periods lose theirs. A value's bin is the number of inner edges at or below it (edges[b]
-- <= v < edges[b + 1], the last bin closed, as numpy.histogram); values outside the edges
-- (a new period may exceed the range the edges were fitted on) fall in the first or last
-- bin. Constant units are not counted: their KL is 0 in every window.
-- Reads: tw_products, tw_recount, tw_removed, tw_current, activation_vectors, unit_bins,
--        word_products, vocabulary.
-- Writes: time_period_unit_counts, time_period_word_counts, time_period_word_sizes,
--         time_periods (rows of the recounted and removed periods replaced / deleted).
-- Parameters: $model_id, $scope, $window_set, $run_id.

DELETE FROM time_period_unit_counts
WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set
  AND (period IN (SELECT period FROM tw_recount) OR period IN (SELECT period FROM tw_removed));
DELETE FROM time_period_word_counts
WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set
  AND (period IN (SELECT period FROM tw_recount) OR period IN (SELECT period FROM tw_removed));
DELETE FROM time_period_word_sizes
WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set
  AND (period IN (SELECT period FROM tw_recount) OR period IN (SELECT period FROM tw_removed));
DELETE FROM time_periods
WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set
  AND (period IN (SELECT period FROM tw_recount) OR period IN (SELECT period FROM tw_removed));

CREATE OR REPLACE TEMP TABLE tw_binned AS
WITH inner_edges AS (
    -- Per unit the edges a value is compared with (edges[2] .. edges[n_bins]); NULL for a
    -- constant unit, whose values are skipped.
    SELECT list(CASE WHEN NOT constant THEN edges[2:len(edges) - 1] END ORDER BY unit_id)
        AS inner_edges
    FROM unit_bins
    WHERE model_id = $model_id AND scope = $scope
),
vals AS (
    SELECT
        t.period,
        t.product_id,
        CAST(generate_subscripts(a.vals, 1) AS INTEGER) AS i,
        CAST(unnest(a.vals) AS DOUBLE) AS v
    FROM tw_products AS t
    JOIN tw_recount AS r ON r.period = t.period
    JOIN activation_vectors AS a ON a.product_id = t.product_id AND a.model_id = $model_id
)
SELECT
    vals.period,
    vals.product_id,
    vals.i - 1 AS unit_id,
    CAST(len(list_filter(e.inner_edges[vals.i], lambda x: x <= vals.v)) AS UTINYINT) AS bin
FROM vals
CROSS JOIN inner_edges AS e
WHERE e.inner_edges[vals.i] IS NOT NULL;

CREATE OR REPLACE TEMP TABLE tw_positives AS
SELECT DISTINCT t.period, wp.word, t.product_id
FROM tw_products AS t
JOIN tw_recount AS r ON r.period = t.period
JOIN word_products AS wp ON wp.product_id = t.product_id AND wp.scope = $scope
JOIN vocabulary AS v ON v.scope = wp.scope AND v.word = wp.word;

INSERT INTO time_period_unit_counts (model_id, scope, window_set, period, unit_id, bin, n)
SELECT $model_id, $scope, $window_set, period, unit_id, bin, count(*)
FROM tw_binned
GROUP BY period, unit_id, bin
-- Stored by period, so a window's query skips the other periods' row groups.
ORDER BY period, unit_id, bin;

INSERT INTO time_period_word_counts (model_id, scope, window_set, period, word, unit_id, bin, n)
SELECT $model_id, $scope, $window_set, p.period, p.word, b.unit_id, b.bin, count(*)
FROM tw_positives AS p
JOIN tw_binned AS b ON b.product_id = p.product_id
GROUP BY p.period, p.word, b.unit_id, b.bin
ORDER BY p.period, p.word, b.unit_id, b.bin;

INSERT INTO time_period_word_sizes (model_id, scope, window_set, period, word, n_pos)
SELECT $model_id, $scope, $window_set, period, word, count(*)
FROM tw_positives
GROUP BY period, word;

INSERT INTO time_periods (model_id, scope, window_set, period, n_products, fingerprint, run_id)
SELECT $model_id, $scope, $window_set, c.period, c.n_products, c.fingerprint, $run_id
FROM tw_current AS c
JOIN tw_recount AS r ON r.period = c.period;

DROP TABLE tw_binned;
DROP TABLE tw_positives;
