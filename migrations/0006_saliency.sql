-- 0006 saliency: attribute maps per image and word, and their evaluation on human regions.
-- Reads: nothing. Writes: saliency_maps, saliency_eval.

CREATE TABLE saliency_maps (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    product_id VARCHAR NOT NULL,
    word VARCHAR NOT NULL,
    method VARCHAR NOT NULL,         -- kl_occlusion / gradient
    k INTEGER,                       -- number of units accumulated (NULL for gradient)
    height INTEGER NOT NULL,
    width INTEGER NOT NULL,
    map FLOAT[] NOT NULL             -- row-major, values in [0, 1]
);

CREATE TABLE saliency_eval (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    k INTEGER,
    threshold DOUBLE,                -- NULL for threshold-free scores (ap, pointing)
    ap DOUBLE,
    iou DOUBLE,
    pointing DOUBLE,
    n_images BIGINT NOT NULL
);
