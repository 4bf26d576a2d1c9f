-- 0003 cnn: models, their units and max-pooled activations.
-- Reads: nothing. Writes: models, units, activation_vectors, activation_errors; view activations.

CREATE TABLE models (
    model_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,           -- architecture, e.g. efficientnet_lite0, alexnet
    weights VARCHAR NOT NULL,        -- where the weights came from (file path or package)
    weights_sha256 VARCHAR NOT NULL,
    input_size INTEGER NOT NULL,
    mean DOUBLE[],
    std DOUBLE[],
    n_units INTEGER NOT NULL,
    registered_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE units (
    model_id VARCHAR NOT NULL,
    unit_id INTEGER NOT NULL,        -- 0..n_units-1, position in activation_vectors.vals
    layer VARCHAR NOT NULL,
    layer_index INTEGER NOT NULL,    -- 0 = earliest tapped layer
    channel INTEGER NOT NULL,
    PRIMARY KEY (model_id, unit_id)
);

-- One row per (model, image): every unit's max-pooled activation in unit_id order.
CREATE TABLE activation_vectors (
    model_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    vals FLOAT[] NOT NULL,
    PRIMARY KEY (model_id, product_id)
);

CREATE VIEW activations AS
SELECT v.model_id, v.product_id, CAST(u.i - 1 AS INTEGER) AS unit_id, u.value
FROM activation_vectors AS v,
     UNNEST(v.vals) WITH ORDINALITY AS u(value, i);

CREATE TABLE activation_errors (
    model_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    failed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (model_id, product_id)
);
