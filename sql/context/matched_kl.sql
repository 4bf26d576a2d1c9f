-- context/matched_kl: the symmetric KL divergence (paper eq. 1) of every kept word and unit
-- with category-matched negatives. P+ is the histogram of the word's matched positives;
-- P- = sum_c pi+(c) * hist_{-,c} / n_{-,c}, the negatives of each matched category
-- reweighted to the positives' category mix. A category's negatives are its universe
-- products minus the word's positives, so P-(b) = sum_c weight(c) * (all of c in b) -
-- sum over the positives p in weighted categories of weight(cat(p)) [p in b]: one
-- histogram per category and one weighted pass over the positives, never a pass over each
-- word's negatives. With a negative prior (context/matched_words.sql) the weights also
-- shrink each stratum's negatives towards its group's (group histograms weighted by
-- context_group_weights); P+ still counts only matched positives. As in
-- divergence/counts.sql the rows of each unit's mode bin (divergence_modes) are skipped:
-- its probability is 1 minus the other bins' (for both sides). Both sides are smoothed with
-- smoothed_probability (count = probability, n = 1); constant units get KL 0.
-- Reads: divergence_binned, divergence_modes, divergence_positives, divergence_words,
--        unit_bins (divergence stage), context_universe, context_word_totals,
--        context_weights, context_group_weights (matched_words.sql).
-- Writes: unit_word_divergence (rows of model and scope replaced; n_pos / n_neg = matched
--         positives / negatives of the matched categories); drops the context_* tables.
-- Parameters: $model_id, $scope, $n_bins, $smoothing.

CREATE OR REPLACE TEMP TABLE context_category_hist AS
SELECT c.cidx, b.unit, b.bin, count(*) AS n
FROM divergence_binned AS b
JOIN context_universe AS c ON c.pidx = b.pidx
WHERE b.bin <> (SELECT modes FROM divergence_modes)[b.unit + 1]
GROUP BY c.cidx, b.unit, b.bin;

-- A group's histogram: the sum of its strata's (only read with a negative prior).
CREATE OR REPLACE TEMP TABLE context_group_hist AS
SELECT s.gidx, h.unit, h.bin, sum(h.n) AS n
FROM context_category_hist AS h
JOIN (SELECT DISTINCT cidx, gidx FROM context_universe) AS s ON s.cidx = h.cidx
WHERE EXISTS (SELECT 1 FROM context_group_weights)
GROUP BY s.gidx, h.unit, h.bin;

-- Every positive in a weighted stratum or group, with the weight its negatives' histograms
-- gave it (subtracted below, since it is no negative); only matched ones count in P+.
CREATE OR REPLACE TEMP TABLE context_positive_hist AS
WITH positive_weights AS (
    SELECT
        w.widx,
        p.pidx,
        wt.weight IS NOT NULL AS matched,
        coalesce(wt.weight, 0) + coalesce(gw.weight, 0) AS weight
    FROM divergence_positives AS p
    JOIN divergence_words AS w ON w.word = p.word
    JOIN context_universe AS c ON c.pidx = p.pidx
    LEFT JOIN context_weights AS wt ON wt.widx = w.widx AND wt.cidx = c.cidx
    LEFT JOIN context_group_weights AS gw ON gw.widx = w.widx AND gw.gidx = c.gidx
    WHERE wt.weight IS NOT NULL OR gw.weight IS NOT NULL
)
SELECT pw.widx, b.unit, b.bin, count(*) FILTER (WHERE pw.matched) AS n_pos,
    sum(pw.weight) AS weight
FROM positive_weights AS pw
JOIN divergence_binned AS b ON b.pidx = pw.pidx
WHERE b.bin <> (SELECT modes FROM divergence_modes)[b.unit + 1]
GROUP BY pw.widx, b.unit, b.bin;

DELETE FROM unit_word_divergence WHERE model_id = $model_id AND scope = $scope;

INSERT INTO unit_word_divergence (model_id, scope, word, unit_id, kl, n_pos, n_neg)
WITH weighted AS (
    SELECT wt.widx, h.unit, h.bin, wt.weight * h.n AS mix
    FROM context_weights AS wt
    JOIN context_category_hist AS h ON h.cidx = wt.cidx
    UNION ALL
    SELECT gw.widx, h.unit, h.bin, gw.weight * h.n AS mix
    FROM context_group_weights AS gw
    JOIN context_group_hist AS h ON h.gidx = gw.gidx
),
mixed AS (
    SELECT widx, unit, bin, sum(mix) AS mix FROM weighted GROUP BY widx, unit, bin
),
probabilities AS (
    -- Every bin where a matched positive falls also holds that category's products, so
    -- `mixed` has every non-empty non-mode bin of both sides.
    SELECT
        m.widx,
        m.unit,
        coalesce(p.n_pos, 0) / t.n_pos AS p_pos,
        m.mix - coalesce(p.weight, 0) AS p_neg
    FROM mixed AS m
    JOIN context_word_totals AS t ON t.widx = m.widx
    LEFT JOIN context_positive_hist AS p
        ON p.widx = m.widx AND p.unit = m.unit AND p.bin = m.bin
),
partial AS (
    SELECT
        widx,
        unit,
        sum(symmetric_kl_term(
            smoothed_probability(p_pos, 1, $n_bins, $smoothing),
            smoothed_probability(p_neg, 1, $n_bins, $smoothing)
        )) AS kl,
        sum(p_pos) AS p_pos,
        sum(p_neg) AS p_neg
    FROM probabilities
    GROUP BY widx, unit
),
pairs AS (
    SELECT t.widx, t.word, t.n_pos, t.n_neg, b.unit_id, b.constant
    FROM context_word_totals AS t
    CROSS JOIN unit_bins AS b
    WHERE t.kept AND b.model_id = $model_id AND b.scope = $scope
)
SELECT
    $model_id,
    $scope,
    s.word,
    s.unit_id,
    CASE
        WHEN s.constant THEN 0.0
        -- The mode bin holds the rest of each side's probability mass.
        ELSE coalesce(p.kl, 0.0) + symmetric_kl_term(
            smoothed_probability(1.0 - coalesce(p.p_pos, 0.0), 1, $n_bins, $smoothing),
            smoothed_probability(1.0 - coalesce(p.p_neg, 0.0), 1, $n_bins, $smoothing)
        )
    END,
    s.n_pos,
    s.n_neg
FROM pairs AS s
LEFT JOIN partial AS p ON p.widx = s.widx AND p.unit = s.unit_id;

DROP TABLE context_positive_hist;
DROP TABLE context_group_hist;
DROP TABLE context_category_hist;
DROP TABLE context_group_weights;
DROP TABLE context_weights;
DROP TABLE context_word_totals;
DROP TABLE context_word_categories;
DROP TABLE context_universe;
