-- 0001 core: provenance, scopes and the accepted / rejected input listings.
-- Reads: nothing. Writes: runs, scopes, products, product_rejects, ingest_sources.

CREATE SEQUENCE run_id_seq START 1;

-- One row per stage run; params and summary are JSON text.
CREATE TABLE runs (
    run_id BIGINT PRIMARY KEY DEFAULT nextval('run_id_seq'),
    stage VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    params JSON,
    inputs_fingerprint VARCHAR,
    summary JSON,
    attrdb_version VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at TIMESTAMP,
    status VARCHAR NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
    error VARCHAR
);

-- A scope names a subset of products and the options that shape its results
-- (category filter, boilerplate handling, negatives); every per-word result row carries
-- its scope so results of different scopes never mix. 'default' = all kept products.
CREATE TABLE scopes (
    scope VARCHAR PRIMARY KEY,
    definition JSON NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
INSERT INTO scopes (scope, definition) VALUES ('default', '{}');

-- Accepted input listings. image_path is absolute (resolved against the images root).
-- metadata keeps input columns the method must not read (for evaluation only).
CREATE TABLE products (
    product_id VARCHAR PRIMARY KEY,
    shop VARCHAR,
    title VARCHAR,
    description VARCHAR,
    category VARCHAR,
    image_path VARCHAR,
    tags VARCHAR[],
    metadata JSON,
    source VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    ingested_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Every input row that was not accepted, with why. raw is the row as read: a JSON object
-- keyed by column name, or the line's text when it could not be parsed. reason is a short
-- code to group by (missing_id, duplicate_id, image_missing, ...: docs/ingest.md); detail
-- says it for this row (the path not found, the row holding the same id, ...).
-- source_row: CSV record number after the header, JSON Lines line number, Parquet row (from 1).
CREATE TABLE product_rejects (
    source VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    product_id VARCHAR,
    raw VARCHAR,
    reason VARCHAR NOT NULL,
    detail VARCHAR,
    ingested_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One row per ingested file content: ingesting the same bytes again (from any path) is a
-- no-op. n_rows = n_accepted + n_rejected.
CREATE TABLE ingest_sources (
    source VARCHAR NOT NULL,
    sha256 VARCHAR PRIMARY KEY,
    format VARCHAR NOT NULL,
    n_rows BIGINT NOT NULL,
    n_accepted BIGINT NOT NULL,
    n_rejected BIGINT NOT NULL,
    run_id BIGINT,
    ingested_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
