-- 0006 saliency: occlusion sweeps, attribute maps per image and word, and their evaluation
-- on human regions.
-- Reads: nothing. Writes: occlusion_mean_images, occlusion_sweeps, saliency_maps,
-- saliency_scores, saliency_eval.

-- The catalogue's mean image at a sweep size: occluding patches are cut from it (pixels in
-- [0, 1] RGB before the model's normalisation, so one mean image serves every model).
CREATE TABLE occlusion_mean_images (
    size INTEGER PRIMARY KEY,        -- side of the square sweep input, pixels
    n_images BIGINT NOT NULL,        -- images averaged
    pixels FLOAT[] NOT NULL          -- 3 x size x size, channel-major, row-major
);

-- One occlusion sweep of one image at one patch size: every unit's max-pooled response with
-- the patch at every position, kept so that maps for any unit, word and K need no new
-- forward pass. delta = base - occluded response (positive: the patch removed evidence).
CREATE TABLE occlusion_sweeps (
    model_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    size INTEGER NOT NULL,           -- square input side the image was resized to
    patch INTEGER NOT NULL,          -- patch side, pixels of the sweep input
    stride INTEGER NOT NULL,
    n_y INTEGER NOT NULL,            -- patch positions down: (size - patch) // stride + 1
    n_x INTEGER NOT NULL,
    n_units INTEGER NOT NULL,
    image_height INTEGER NOT NULL,   -- the original image, for maps at its aspect ratio
    image_width INTEGER NOT NULL,
    base FLOAT[] NOT NULL,           -- unoccluded response per unit, unit_id order
    delta BLOB NOT NULL,             -- float16 little-endian, n_units x n_y x n_x
    swept_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (model_id, product_id, size, patch, stride)
);

CREATE TABLE saliency_maps (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    product_id VARCHAR NOT NULL,
    word VARCHAR NOT NULL,
    method VARCHAR NOT NULL,         -- kl_occlusion / gradient / center_prior
    k INTEGER,                       -- number of units accumulated (NULL for the others)
    height INTEGER NOT NULL,
    width INTEGER NOT NULL,
    "map" FLOAT[] NOT NULL,           -- row-major, values in [0, 1]
    run_id BIGINT
);

-- Per-image evaluation scores against the human region of the word (threshold NULL: the
-- threshold-free scores ap and pointing; otherwise iou of the map thresholded there).
CREATE TABLE saliency_scores (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    k INTEGER,
    product_id VARCHAR NOT NULL,
    threshold DOUBLE,
    ap DOUBLE,
    iou DOUBLE,
    pointing DOUBLE,
    run_id BIGINT
);

-- Means of saliency_scores over the evaluated images (Fig. 6).
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
