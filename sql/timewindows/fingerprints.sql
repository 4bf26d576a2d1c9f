-- timewindows/fingerprints: each current period with its product count and a fingerprint
-- of what its counts depend on (its products and each product's vocabulary words, an
-- order-free XOR of hashes), and which periods must be recounted: new, changed, or (when
-- $recount_all) every one. Stored periods that no longer exist are listed as removed.
-- Reads: tw_products, word_products, vocabulary, time_periods.
-- Writes: temp tables tw_current(period, n_products, fingerprint),
--         tw_recount(period) (current periods to count), tw_removed(period).
-- Parameters: $model_id, $scope, $window_set, $recount_all.

CREATE OR REPLACE TEMP TABLE tw_current AS
WITH words AS (
    SELECT wp.product_id, bit_xor(hash(wp.word)) AS h
    FROM word_products AS wp
    JOIN vocabulary AS v ON v.scope = wp.scope AND v.word = wp.word
    WHERE wp.scope = $scope
    GROUP BY wp.product_id
)
SELECT
    t.period,
    count(*) AS n_products,
    bit_xor(hash(t.product_id, coalesce(w.h, 0))) AS fingerprint
FROM tw_products AS t
LEFT JOIN words AS w ON w.product_id = t.product_id
GROUP BY t.period;

CREATE OR REPLACE TEMP TABLE tw_recount AS
SELECT c.period
FROM tw_current AS c
LEFT JOIN time_periods AS s
    ON s.model_id = $model_id AND s.scope = $scope AND s.window_set = $window_set
   AND s.period = c.period
WHERE $recount_all OR s.period IS NULL OR s.fingerprint <> c.fingerprint
   OR s.n_products <> c.n_products;

CREATE OR REPLACE TEMP TABLE tw_removed AS
SELECT s.period
FROM time_periods AS s
WHERE s.model_id = $model_id AND s.scope = $scope AND s.window_set = $window_set
  AND s.period NOT IN (SELECT period FROM tw_current);
