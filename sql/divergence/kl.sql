-- divergence/kl: the symmetric KL divergence (paper eq. 1) of every kept word and unit.
-- The counted side of a word is D+, or D- for a `complement` word; the symmetric KL is the
-- same whichever side is called P+, so the terms use the counted side and the rest of the
-- universe directly. Per (word, unit, chunk) counter and non-empty non-mode bin of the
-- chunk: the side's count is the bin's field of the counter, the rest's count is the bin's
-- total minus it; both are smoothed (smoothed_probability) and symmetric_kl_term summed.
-- The unit's mode bin was never counted: the side's count there is n_side minus its counts
-- in the other bins, and its term is added once per (word, unit). Bins empty on both sides
-- are skipped: both smoothed probabilities are smoothing / n_bins there, so the term is
-- exactly 0. Constant units get KL 0 (both sides in one bin: identical distributions).
-- Runs once per unit block (block.sql): the block's units only, appended to the run's
-- temp table (results.sql), which publish_kl.sql writes to unit_word_divergence at the end.
-- Reads: divergence_counts, divergence_totals, divergence_words, divergence_edges.
-- Writes: divergence_kl (appends the block's rows).
-- Parameters: $n_bins, $smoothing, $field_mask (2^field_bits - 1), $unit_lo, $unit_hi.

INSERT INTO divergence_kl (word, unit_id, kl, n_pos, n_neg)
WITH counted AS (
    SELECT c.widx, c.unit, c.chunk, c.packed, w.n_side, w.n_other
    FROM divergence_counts AS c
    JOIN divergence_words AS w ON w.widx = c.widx
),
sides AS (
    SELECT
        c.widx,
        c.unit,
        c.n_side,
        c.n_other,
        t.total,
        CAST((c.packed >> t.shift) & $field_mask AS BIGINT) AS side
    FROM counted AS c
    JOIN divergence_totals AS t ON t.unit = c.unit AND t.chunk = c.chunk AND NOT t.is_mode
),
partial AS (
    SELECT
        widx,
        unit,
        sum(symmetric_kl_term(
            smoothed_probability(side, n_side, $n_bins, $smoothing),
            smoothed_probability(total - side, n_other, $n_bins, $smoothing)
        )) AS kl,
        sum(side) AS side
    FROM sides
    GROUP BY widx, unit
)
SELECT
    w.word,
    p.unit,
    p.kl + symmetric_kl_term(
        smoothed_probability(w.n_side - p.side, w.n_side, $n_bins, $smoothing),
        smoothed_probability(m.total - (w.n_side - p.side), w.n_other, $n_bins, $smoothing)
    ),
    w.n_pos,
    w.n_neg
FROM partial AS p
JOIN divergence_words AS w ON w.widx = p.widx
JOIN divergence_totals AS m ON m.unit = p.unit AND m.is_mode
UNION ALL
SELECT w.word, b.unit_id, 0.0, w.n_pos, w.n_neg
FROM divergence_words AS w
CROSS JOIN divergence_edges AS b
WHERE b.constant AND b.unit_id >= $unit_lo AND b.unit_id < $unit_hi;
