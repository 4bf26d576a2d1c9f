-- 0005 visualness: classifier accuracy per word, per-image scores, human judgments, agreement.
-- Reads: nothing. Writes: visualness, predictions, human_judgments, human_visualness, agreement.

CREATE TABLE visualness (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    method VARCHAR NOT NULL,         -- random / initial / resample / language_prior
    accuracy DOUBLE,                 -- balanced test accuracy (V(u) for resample)
    n_train BIGINT,
    n_test BIGINT,
    seed BIGINT
);

CREATE TABLE predictions (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    score DOUBLE NOT NULL            -- classifier confidence that the image shows the word
);

CREATE TABLE human_judgments (
    word VARCHAR NOT NULL,
    pair_id VARCHAR NOT NULL,
    positive_votes INTEGER NOT NULL,
    n_annotators INTEGER NOT NULL,
    source VARCHAR
);

CREATE TABLE human_visualness (
    word VARCHAR PRIMARY KEY,
    h DOUBLE NOT NULL,
    source VARCHAR
);

CREATE TABLE agreement (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    method VARCHAR NOT NULL,
    pearson DOUBLE,
    spearman DOUBLE,
    n_words BIGINT NOT NULL
);
