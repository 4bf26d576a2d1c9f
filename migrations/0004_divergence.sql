-- 0004 divergence: histogram bins, symmetric KL per unit and word, prime units, layer depth.
-- Reads: nothing. Writes: unit_bins, unit_word_divergence, prime_units, layer_depth.

CREATE TABLE unit_bins (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    unit_id INTEGER NOT NULL,
    edges DOUBLE[] NOT NULL,         -- n_bins + 1 ascending; numpy.histogram semantics
    constant BOOLEAN NOT NULL,       -- the unit never varies over the training split
    PRIMARY KEY (model_id, scope, unit_id)
);

CREATE TABLE unit_word_divergence (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    unit_id INTEGER NOT NULL,
    kl DOUBLE NOT NULL,
    n_pos BIGINT NOT NULL,
    n_neg BIGINT NOT NULL
);

CREATE TABLE prime_units (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    unit_id INTEGER NOT NULL,
    rank INTEGER NOT NULL,           -- 1 = highest KL
    kl DOUBLE NOT NULL
);

CREATE TABLE layer_depth (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    layer VARCHAR NOT NULL,
    layer_index INTEGER NOT NULL,
    max_kl DOUBLE NOT NULL,
    relative DOUBLE NOT NULL         -- eq. 4: max_kl / sum over layers of max_kl
);
