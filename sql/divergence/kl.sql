-- divergence/kl: the symmetric KL divergence (paper eq. 1) of every kept word and unit.
-- Unpacks each chunk's counters into the side's count per non-empty bin, takes the other
-- side as the unit's total minus it, smooths both (macro smoothed_probability) and sums
-- symmetric_kl_term over the bins. Bins empty on both sides are skipped: both smoothed
-- probabilities are smoothing / n_bins there, so their term is exactly 0. Constant units get
-- KL 0 (both sides fall in one bin: identical distributions).
-- Reads: divergence_counts, divergence_totals, divergence_words, unit_bins.
-- Writes: unit_word_divergence (rows of model and scope, replaced).
-- Parameters: $model_id, $scope, $n_bins, $smoothing, $bins_per_chunk, $field_bits.

DELETE FROM unit_word_divergence WHERE model_id = $model_id AND scope = $scope;

INSERT INTO unit_word_divergence (model_id, scope, word, unit_id, kl, n_pos, n_neg)
WITH sides AS (
    SELECT
        c.widx,
        c.unit,
        t.total,
        CAST(
            (c.packed >> ($field_bits * (t.bin - c.chunk * $bins_per_chunk)))
            & ((CAST(1 AS HUGEINT) << $field_bits) - 1)
            AS BIGINT
        ) AS side
    FROM divergence_counts AS c
    JOIN divergence_totals AS t ON t.unit = c.unit AND t.chunk = c.chunk
),
kl AS (
    SELECT
        s.widx,
        s.unit,
        sum(symmetric_kl_term(
            smoothed_probability(
                CASE WHEN w.complement THEN s.total - s.side ELSE s.side END,
                w.n_pos, $n_bins, $smoothing),
            smoothed_probability(
                CASE WHEN w.complement THEN s.side ELSE s.total - s.side END,
                w.n_neg, $n_bins, $smoothing)
        )) AS kl
    FROM sides AS s
    JOIN divergence_words AS w ON w.widx = s.widx
    GROUP BY s.widx, s.unit
)
SELECT $model_id, $scope, w.word, kl.unit, kl.kl, w.n_pos, w.n_neg
FROM kl
JOIN divergence_words AS w ON w.widx = kl.widx
UNION ALL
SELECT $model_id, $scope, w.word, b.unit_id, 0.0, w.n_pos, w.n_neg
FROM divergence_words AS w
CROSS JOIN unit_bins AS b
WHERE b.model_id = $model_id AND b.scope = $scope AND b.constant;
