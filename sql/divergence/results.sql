-- divergence/results: the run's temp table of KL rows. Every unit block appends its rows
-- (kl.sql); publish_kl.sql replaces the model's and scope's unit_word_divergence rows with
-- them at the end, in the transaction of the run's writes, so the blocks' working tables
-- are built and freed outside it (DuckDB frees a replaced table only when the transaction
-- that replaced it ends).
-- Reads: nothing. Writes: temp table divergence_kl (empty).
-- Parameters: none.

CREATE OR REPLACE TEMP TABLE divergence_kl (
    word VARCHAR NOT NULL,
    unit_id INTEGER NOT NULL,
    kl DOUBLE NOT NULL,
    n_pos BIGINT NOT NULL,
    n_neg BIGINT NOT NULL
);
