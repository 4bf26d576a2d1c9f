-- 0011 trust: null-corrected divergence, visualness with intervals and support, stability.
-- Reads: nothing. Writes: columns of unit_word_divergence, prime_units, layer_depth and
-- visualness; tables unit_divergence_null, layer_divergence_null, visualness_stability.
--
-- The symmetric KL of a word and a unit is biased upwards for small D+ (plug-in estimate)
-- and differs by unit even when the word says nothing about the image. The divergence
-- stage measures that null with permutation pseudo-words (random D+ of the word's size) in
-- the same SQL pass and stores, per (word, unit), the KL expected by chance and how far the
-- observed KL is above it.

ALTER TABLE unit_word_divergence ADD COLUMN kl_null DOUBLE;     -- KL a random D+ of n_pos gets
ALTER TABLE unit_word_divergence ADD COLUMN kl_null_sd DOUBLE;  -- its standard deviation
ALTER TABLE unit_word_divergence ADD COLUMN kl_z DOUBLE;        -- (kl - kl_null) / kl_null_sd

ALTER TABLE prime_units ADD COLUMN kl_z DOUBLE;                 -- the value prime units rank by

-- Per unit, the null KL of pseudo-words scaled by 1/n_pos + 1/n_neg (the rate at which a
-- plug-in divergence of two samples of one distribution shrinks): kl_null = null_mean *
-- (1/n_pos + 1/n_neg), kl_null_sd = null_sd * (1/n_pos + 1/n_neg).
CREATE TABLE unit_divergence_null (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    unit_id INTEGER NOT NULL,
    null_mean DOUBLE NOT NULL,
    null_sd DOUBLE NOT NULL,
    n_pseudo INTEGER NOT NULL,       -- pseudo-words measured
    PRIMARY KEY (model_id, scope, unit_id)
);

-- A layer with more units has a larger maximum by chance alone. The pseudo-words give,
-- per layer, the distribution of the layer's largest kl_z when the word means nothing.
CREATE TABLE layer_divergence_null (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    layer VARCHAR NOT NULL,
    null_max_z_mean DOUBLE NOT NULL, -- mean over pseudo-words of the layer's largest kl_z
    null_max_z_sd DOUBLE NOT NULL,
    n_pseudo INTEGER NOT NULL,
    PRIMARY KEY (model_id, scope, layer)
);

ALTER TABLE layer_depth ADD COLUMN max_kl_z DOUBLE;     -- the layer's largest kl_z
ALTER TABLE layer_depth ADD COLUMN excess_z DOUBLE;     -- max_kl_z - null_max_z_mean
ALTER TABLE layer_depth ADD COLUMN relative_z DOUBLE;   -- eq. 4 on max(excess_z, 0)

-- Interval and support of every visualness score. accuracy_low/high: 95 % interval of the
-- balanced accuracy (Beta posteriors of the true positive and true negative rates);
-- auc_low/high: 95 % interval of the AUC (Hanley & McNeil); n_test_pos/neg: the test
-- products behind them. For the cross-fitted method every universe product is tested once.
ALTER TABLE visualness ADD COLUMN auc DOUBLE;
ALTER TABLE visualness ADD COLUMN accuracy_low DOUBLE;
ALTER TABLE visualness ADD COLUMN accuracy_high DOUBLE;
ALTER TABLE visualness ADD COLUMN auc_low DOUBLE;
ALTER TABLE visualness ADD COLUMN auc_high DOUBLE;
ALTER TABLE visualness ADD COLUMN n_test_pos BIGINT;
ALTER TABLE visualness ADD COLUMN n_test_neg BIGINT;

-- How much each word's rank moves when the random split (or the cross-fitting folds) are
-- drawn again: one row per (word, method) over n_seeds repetitions.
CREATE TABLE visualness_stability (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    n_seeds INTEGER NOT NULL,
    rank_mean DOUBLE,                -- 1 = most visual
    rank_sd DOUBLE,
    rank_min INTEGER,
    rank_max INTEGER,
    score_mean DOUBLE,
    score_sd DOUBLE,
    seeds INTEGER[] NOT NULL,
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, word, method)
);
