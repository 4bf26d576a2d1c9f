-- Macros of the divergence stage (paper eq. 1). Used by sql/divergence/*.sql and free for
-- ad-hoc SQL on unit_bins / unit_word_divergence.
--
-- smoothed_probability(count, n, n_bins, smoothing): the probability of one histogram bin
--   holding `count` of `n` values, mixed with the uniform distribution:
--   (1 - smoothing) * count / n + smoothing / n_bins. This is additive smoothing with a
--   pseudo-count of smoothing * n / ((1 - smoothing) * n_bins) per bin, proportional to the
--   sample size, so two sets with the same histogram shape get the same probabilities
--   (KL 0) whatever their sizes. 0 < smoothing < 1 keeps every probability positive.
-- symmetric_kl_term(p, q): one bin's share of the symmetric KL divergence,
--   p log(p / q) + q log(q / p) = (p - q) log(p / q) (one logarithm per bin).
-- symmetric_kl(p, q): the symmetric KL divergence of two probability lists of equal length.
-- equal_width_edge(lo, hi, n_bins, k): edge k (0..n_bins) of n_bins equal-width bins over
--   [lo, hi]; the last edge is hi exactly. sql/divergence/binned_equal.sql computes the
--   same doubles (lo + k * ((hi - lo) / n_bins)), so a value is compared with the very
--   edges stored in unit_bins.

CREATE OR REPLACE MACRO smoothed_probability(count, n, n_bins, smoothing) AS
    (1.0 - smoothing) * count / n + smoothing / n_bins;

CREATE OR REPLACE MACRO symmetric_kl_term(p, q) AS (p - q) * ln(p / q);

CREATE OR REPLACE MACRO symmetric_kl(p, q) AS
    list_sum(list_transform(range(1, len(p) + 1), lambda i: symmetric_kl_term(p[i], q[i])));

CREATE OR REPLACE MACRO equal_width_edge(lo, hi, n_bins, k) AS
    CASE WHEN k = n_bins THEN hi ELSE lo + k * ((hi - lo) / n_bins) END;
