-- 0012 timewindows: attributes over time (docs/time.md). Per-period histogram counts of
-- every unit (all products) and of every word's positives, under the scope's fixed bin
-- edges (unit_bins), so any window (a period, or N consecutive periods) is a sum of stored
-- counts and a new period of listings adds counts without recounting the others.
-- Reads: nothing. Writes: time_window_sets, time_periods, time_period_unit_counts,
-- time_period_word_counts, time_period_word_sizes, time_windows, time_window_words,
-- time_window_prime_units; views time_window_trends, time_layer_shifts.

-- A window set: how products are put in periods and windows, per (model, scope).
CREATE TABLE time_window_sets (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    window_set VARCHAR NOT NULL,
    definition JSON NOT NULL,        -- time_field, period, rolling, split, smoothing, ...
    edges_fingerprint UBIGINT NOT NULL, -- hash of the unit_bins edges the counts use
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, window_set)
);

-- Each period of a window set (a month, quarter, year, or a value of the time field) with a
-- fingerprint of what its counts were computed from (its products and their words): a
-- period whose fingerprint changes is recounted, the others are kept.
CREATE TABLE time_periods (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    window_set VARCHAR NOT NULL,
    period VARCHAR NOT NULL,         -- label, e.g. 2015-10 (month) or 2015 (value)
    n_products BIGINT NOT NULL,
    fingerprint UBIGINT NOT NULL,
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, window_set, period)
);

-- Histogram of every unit over a period's products (non-empty bins only).
CREATE TABLE time_period_unit_counts (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    window_set VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    unit_id INTEGER NOT NULL,
    bin UTINYINT NOT NULL,
    n INTEGER NOT NULL
);

-- Histogram of every unit over a period's positives of each word (non-empty bins only).
CREATE TABLE time_period_word_counts (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    window_set VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    word VARCHAR NOT NULL,
    unit_id INTEGER NOT NULL,
    bin UTINYINT NOT NULL,
    n INTEGER NOT NULL
);

-- Positives of each word in a period.
CREATE TABLE time_period_word_sizes (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    window_set VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    word VARCHAR NOT NULL,
    n_pos BIGINT NOT NULL,
    PRIMARY KEY (model_id, scope, window_set, period, word)
);

-- The windows of a set: one period, or `rolling` consecutive periods (labelled by the last).
CREATE TABLE time_windows (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    window_set VARCHAR NOT NULL,
    time_window VARCHAR NOT NULL,
    window_index INTEGER NOT NULL,   -- 0 = earliest
    first_period VARCHAR NOT NULL,
    last_period VARCHAR NOT NULL,
    n_products BIGINT NOT NULL,
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, window_set, time_window)
);

-- Per window and word with enough support: the largest symmetric KL over units and its
-- null-corrected counterpart. kl_null of a unit = the scope's unit_divergence_null mean
-- scaled by 1/n_pos + 1/n_neg of the window (as the divergence stage does); kl_z = (kl -
-- kl_null) / kl_null_sd. max_kl_z ranks the window's units; peak_unit / peak_layer hold it.
CREATE TABLE time_window_words (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    window_set VARCHAR NOT NULL,
    time_window VARCHAR NOT NULL,
    word VARCHAR NOT NULL,
    n_pos BIGINT NOT NULL,
    n_neg BIGINT NOT NULL,
    max_kl DOUBLE NOT NULL,          -- largest raw KL over units
    max_kl_z DOUBLE,                 -- largest kl_z over units (NULL without a null)
    mean_top_kl_z DOUBLE,            -- mean kl_z of the top_k units by kl_z
    peak_unit INTEGER NOT NULL,      -- unit with the largest kl_z (kl without a null)
    peak_layer VARCHAR,
    peak_layer_index INTEGER,
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, window_set, time_window, word)
);

-- Each window's prime units per word (top_k by kl_z, or kl without a null).
CREATE TABLE time_window_prime_units (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    window_set VARCHAR NOT NULL,
    time_window VARCHAR NOT NULL,
    word VARCHAR NOT NULL,
    unit_id INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    kl DOUBLE NOT NULL,
    kl_z DOUBLE
);
