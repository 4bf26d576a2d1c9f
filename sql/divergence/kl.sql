-- divergence/kl: the symmetric KL divergence (paper eq. 1) of every kept word and unit.
-- Unpacks each chunk's counters into the side's count per non-empty bin, turns it into the
-- positives' count (for a `complement` word the side is the negatives: positives = total -
-- side), takes the negatives as total - positives, smooths both (smoothed_probability) and
-- sums symmetric_kl_term over the bins. The unit's mode bin was never counted: its positives
-- are n_pos minus the positives of the other bins, and its term is added per (word, unit).
-- Bins empty on both sides are skipped: both smoothed probabilities are smoothing / n_bins
-- there, so their term is exactly 0. Constant units get KL 0 (both sides in one bin).
-- Reads: divergence_counts, divergence_totals, divergence_words, unit_bins.
-- Writes: unit_word_divergence (rows of model and scope, replaced).
-- Parameters: $model_id, $scope, $n_bins, $smoothing, $field_mask (2^field_bits - 1).

DELETE FROM unit_word_divergence WHERE model_id = $model_id AND scope = $scope;

INSERT INTO unit_word_divergence (model_id, scope, word, unit_id, kl, n_pos, n_neg)
WITH counted AS (
    SELECT c.widx, c.unit, c.chunk, c.packed, w.n_pos, w.n_neg, w.complement
    FROM divergence_counts AS c
    JOIN divergence_words AS w ON w.widx = c.widx
),
sides AS (
    SELECT
        c.widx,
        c.unit,
        c.n_pos,
        c.n_neg,
        c.complement,
        t.total,
        CAST((c.packed >> t.shift) & $field_mask AS BIGINT) AS side
    FROM counted AS c
    JOIN divergence_totals AS t ON t.unit = c.unit AND t.chunk = c.chunk AND NOT t.is_mode
),
positives AS (
    SELECT
        widx,
        unit,
        total,
        n_pos,
        n_neg,
        CASE WHEN complement THEN total - side ELSE side END AS pos
    FROM sides
),
partial AS (
    SELECT
        widx,
        unit,
        sum(symmetric_kl_term(
            smoothed_probability(pos, n_pos, $n_bins, $smoothing),
            smoothed_probability(total - pos, n_neg, $n_bins, $smoothing)
        )) AS kl,
        sum(pos) AS pos
    FROM positives
    GROUP BY widx, unit
)
SELECT
    $model_id,
    $scope,
    w.word,
    p.unit,
    p.kl + symmetric_kl_term(
        smoothed_probability(w.n_pos - p.pos, w.n_pos, $n_bins, $smoothing),
        smoothed_probability(m.total - (w.n_pos - p.pos), w.n_neg, $n_bins, $smoothing)
    ),
    w.n_pos,
    w.n_neg
FROM partial AS p
JOIN divergence_words AS w ON w.widx = p.widx
JOIN divergence_totals AS m ON m.unit = p.unit AND m.is_mode
UNION ALL
SELECT $model_id, $scope, w.word, b.unit_id, 0.0, w.n_pos, w.n_neg
FROM divergence_words AS w
CROSS JOIN unit_bins AS b
WHERE b.model_id = $model_id AND b.scope = $scope AND b.constant;
