-- 0026 compare: networks and poolings side by side (docs/compare.md).
-- Reads: nothing. Writes: table metadata_precision.

-- Precision at k of a classifier's surest products against a metadata field the method
-- never reads (e.g. base_colour): per model, scope, method and word, of the k products with
-- a value that the classifier scores highest (out-of-fold for crossfit), the share whose
-- value is the word's. labels 'text' = the classifier learnt the word from the listings'
-- text (the method); 'metadata' = it learnt the field itself (the supervised ceiling of
-- the same features and code path, scope '<scope>:<field>'). Written by `attrdb compare`.
CREATE TABLE metadata_precision (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,          -- the scope compared (the ceiling's scope is derived)
    method VARCHAR NOT NULL,
    labels VARCHAR NOT NULL CHECK (labels IN ('text', 'metadata')),
    field VARCHAR NOT NULL,          -- metadata key, e.g. base_colour
    word VARCHAR NOT NULL,
    value VARCHAR NOT NULL,          -- the field value the word names, e.g. Red
    k INTEGER NOT NULL,
    n_ranked BIGINT NOT NULL,        -- products ranked: min(k, products with a value)
    n_agree BIGINT NOT NULL,
    precision DOUBLE,                -- n_agree / n_ranked
    precision_low DOUBLE,            -- 95% Jeffreys interval
    precision_high DOUBLE,
    base_rate DOUBLE,                -- share of the ranked pool with the value (chance)
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, method, labels, field, word, k)
);
