-- 0014 null sizes: how the chance-level divergence depends on a word's size.
-- Reads: nothing. Writes: table divergence_null_sizes.
--
-- The null KL of a unit scales like c = 1/n_pos + 1/n_neg only for well-filled histograms;
-- for small sides the smoothing pulls it below that rate. Pseudo-words are grouped in size
-- classes (floor(log2(smaller side))), and per class a factor (pooled over all units)
-- corrects the unit's null mean and spread: kl_null = unit null_mean * mean_factor * c,
-- kl_null_sd = unit null_sd * sd_factor * c (sql/divergence/null.sql).
CREATE TABLE divergence_null_sizes (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    size_class INTEGER NOT NULL,     -- floor(log2(least(n_pos, n_neg)))
    n_side_min BIGINT NOT NULL,      -- smallest and largest side among its pseudo-words
    n_side_max BIGINT NOT NULL,
    mean_factor DOUBLE NOT NULL,
    sd_factor DOUBLE NOT NULL,
    n_pseudo INTEGER NOT NULL,
    PRIMARY KEY (model_id, scope, size_class)
);
