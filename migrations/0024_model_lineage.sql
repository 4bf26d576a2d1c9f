-- 0024 model lineage and fine-tuning (docs/finetune.md): where a network's weights came
-- from, each fine-tuning epoch, and the attribute-tuned network's own per-word average
-- precision on the test split (the paper's "Attribute-tuned" row).
-- Reads: nothing. Writes: weights_lineage, finetune_epochs, finetune_word_ap; view
-- model_lineage.
-- Lineage belongs to the weights (their sha256), not to a model id: the same network
-- registered under another pooling is another model id with the same lineage.

-- How weights attrdb made were made: fine-tuned from a parent, or randomly initialised.
-- Weights attrdb did not make (embedded or user files) have no row: model_lineage calls
-- them 'pretrained'.
CREATE TABLE weights_lineage (
    weights_sha256 VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL
        CHECK (kind IN ('pretrained', 'attribute_tuned', 'category_tuned', 'random_init')),
    name VARCHAR NOT NULL,           -- architecture
    weights VARCHAR NOT NULL,        -- the file written
    parent_model_id VARCHAR,         -- the registered model it was fine-tuned from
    parent_weights_sha256 VARCHAR,   -- that model's weights (kept if the id is reused)
    training_run_id BIGINT,          -- runs.run_id of the finetune run that finished it
    seed BIGINT,                     -- random initialisation / data order seed
    settings JSON,                   -- labels, epochs, input size, trainable layers, ...
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Every registered model with the lineage of its weights.
CREATE VIEW model_lineage AS
SELECT
    m.model_id,
    m.name,
    m.weights_sha256,
    coalesce(l.kind, 'pretrained') AS kind,
    l.parent_model_id,
    l.parent_weights_sha256,
    l.training_run_id,
    l.seed
FROM models AS m
LEFT JOIN weights_lineage AS l ON l.weights_sha256 = m.weights_sha256;

-- One row per finished fine-tuning epoch (a resumed run continues the same model's rows).
CREATE TABLE finetune_epochs (
    model_id VARCHAR NOT NULL,       -- the model being trained (registered when done)
    epoch INTEGER NOT NULL,          -- 1-based
    run_id BIGINT NOT NULL,          -- the finetune run that trained this epoch
    train_loss DOUBLE NOT NULL,      -- mean loss over the epoch's batches
    n_images INTEGER NOT NULL,
    seconds DOUBLE NOT NULL,         -- wall time of the epoch
    device VARCHAR NOT NULL,
    PRIMARY KEY (model_id, epoch)
);

-- Average precision of the attribute-tuned network's own prediction of each word on the
-- test split, with a bootstrap interval and its support; chance = n_pos / n_test.
CREATE TABLE finetune_word_ap (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    ap DOUBLE,                       -- NULL when the test split holds no positive
    ap_low DOUBLE,                   -- 95% percentile bootstrap interval over test images
    ap_high DOUBLE,
    chance DOUBLE NOT NULL,
    n_pos INTEGER NOT NULL,          -- test images whose text has the word
    n_test INTEGER NOT NULL,         -- test images scored
    n_train_pos INTEGER NOT NULL,    -- training positives the network saw
    run_id BIGINT NOT NULL,
    PRIMARY KEY (model_id, scope, word)
);
