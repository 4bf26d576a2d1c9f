-- 0007 reporting: read-only views for dashboards, `attrdb report` and ad-hoc SQL.
-- Reads: products, product_rejects, duplicate_groups, vocabulary, models, units,
-- activation_vectors, activation_errors, prime_units, layer_depth, visualness,
-- human_visualness, saliency_eval, runs. Writes: views only (no data).
-- Every view is a plain SELECT over the contract tables, so dashboards that open the file
-- with plain DuckDB see the same numbers as the report.

-- One row: how much data each stage holds (the report's first table).
CREATE VIEW dataset_summary AS
SELECT
    (SELECT count(*) FROM products) AS n_products,
    (SELECT count(*) FROM product_rejects) AS n_rejected,
    (SELECT count(DISTINCT shop) FROM products) AS n_shops,
    (SELECT count(DISTINCT category) FROM products) AS n_categories,
    (SELECT count(*) FROM products WHERE image_path IS NOT NULL) AS n_with_image,
    (SELECT count(*) FROM duplicate_groups) AS n_deduplicated,
    (SELECT count(*) FROM duplicate_groups WHERE kept) AS n_kept,
    (SELECT count(*) FROM duplicate_groups WHERE NOT kept) AS n_duplicates_removed,
    (SELECT count(DISTINCT group_id) FROM duplicate_groups) AS n_duplicate_groups,
    (SELECT count(*) FROM vocabulary) AS n_vocabulary_rows,
    (SELECT count(*) FROM models) AS n_models,
    (SELECT count(*) FROM activation_vectors) AS n_activation_vectors,
    (SELECT count(*) FROM activation_errors) AS n_activation_errors;

-- Near-duplicate removal per shop: products, groups, kept and removed.
CREATE VIEW shop_dedup_summary AS
SELECT
    p.shop,
    count(*) AS n_products,
    count(g.product_id) AS n_deduplicated,
    count(DISTINCT g.group_id) AS n_groups,
    count(*) FILTER (WHERE g.kept) AS n_kept,
    count(*) FILTER (WHERE NOT g.kept) AS n_removed,
    count(*) FILTER (WHERE NOT g.kept) / nullif(count(g.product_id), 0) AS removed_share
FROM products AS p
LEFT JOIN duplicate_groups AS g USING (product_id)
GROUP BY p.shop;

-- Rejected input rows per source and reason.
CREATE VIEW reject_reasons AS
SELECT source, reason, count(*) AS n_rows
FROM product_rejects
GROUP BY source, reason;

-- Visualness per (model, scope, method) ranked both ways: visual_rank 1 = most visual word,
-- nonvisual_rank 1 = least visual; words with NULL accuracy (too few examples) are left out.
-- h is the human score when imported (NULL otherwise). Paper Table 2.
CREATE VIEW visualness_ranking AS
SELECT
    v.model_id,
    v.scope,
    v.method,
    v.word,
    v.accuracy,
    v.n_train,
    v.n_test,
    voc.n_products,
    h.h,
    rank() OVER (PARTITION BY v.model_id, v.scope, v.method ORDER BY v.accuracy DESC, v.word)
        AS visual_rank,
    rank() OVER (PARTITION BY v.model_id, v.scope, v.method ORDER BY v.accuracy ASC, v.word)
        AS nonvisual_rank,
    count(*) OVER (PARTITION BY v.model_id, v.scope, v.method) AS n_words
FROM visualness AS v
LEFT JOIN vocabulary AS voc ON voc.scope = v.scope AND voc.word = v.word
LEFT JOIN human_visualness AS h ON h.word = v.word
WHERE v.accuracy IS NOT NULL;

-- One row per (model, scope, word) with each method's score side by side.
CREATE VIEW visualness_wide AS
SELECT
    v.model_id,
    v.scope,
    v.word,
    max(v.accuracy) FILTER (WHERE v.method = 'random') AS random,
    max(v.accuracy) FILTER (WHERE v.method = 'initial') AS initial,
    max(v.accuracy) FILTER (WHERE v.method = 'resample') AS resample,
    max(v.accuracy) FILTER (WHERE v.method = 'language_prior') AS language_prior,
    any_value(h.h) AS h
FROM visualness AS v
LEFT JOIN human_visualness AS h ON h.word = v.word
GROUP BY v.model_id, v.scope, v.word;

-- Prime units with the layer and channel they sit in.
CREATE VIEW prime_unit_layers AS
SELECT
    p.model_id,
    p.scope,
    p.word,
    p.rank,
    p.unit_id,
    p.kl,
    u.layer,
    u.layer_index,
    u.channel
FROM prime_units AS p
JOIN units AS u ON u.model_id = p.model_id AND u.unit_id = p.unit_id;

-- Paper Table 3: words ranked within each layer by relative magnitude (eq. 4);
-- layer_rank 1 = the word whose KL is most concentrated in this layer.
CREATE VIEW layer_salient_words AS
SELECT
    model_id,
    scope,
    layer,
    layer_index,
    word,
    relative,
    max_kl,
    rank() OVER (PARTITION BY model_id, scope, layer_index ORDER BY relative DESC, word)
        AS layer_rank
FROM layer_depth;

-- Where each word's divergence peaks: the layer of largest relative magnitude, whether that
-- is the model's last tapped layer, and the relative-magnitude-weighted mean layer index.
CREATE VIEW word_depth_peak AS
WITH last_layer AS (
    SELECT model_id, max(layer_index) AS last_index
    FROM units
    GROUP BY model_id
)
SELECT
    d.model_id,
    d.scope,
    d.word,
    arg_max(d.layer, d.relative) AS peak_layer,
    arg_max(d.layer_index, d.relative) AS peak_layer_index,
    max(d.relative) AS peak_relative,
    sum(d.relative * d.layer_index) / nullif(sum(d.relative), 0) AS mean_depth,
    arg_max(d.layer_index, d.relative) = any_value(l.last_index) AS peaks_in_last_layer,
    count(*) AS n_layers
FROM layer_depth AS d
LEFT JOIN last_layer AS l ON l.model_id = d.model_id
GROUP BY d.model_id, d.scope, d.word;

-- Paper Fig. 4: per layer, the relative magnitude and max KL averaged over words.
CREATE VIEW layer_magnitude AS
SELECT
    model_id,
    scope,
    layer,
    layer_index,
    avg(relative) AS mean_relative,
    stddev_samp(relative) AS sd_relative,
    avg(max_kl) AS mean_max_kl,
    count(*) AS n_words
FROM layer_depth
GROUP BY model_id, scope, layer, layer_index;

-- Paper Fig. 5: per layer, how well a word's divergence in that layer (max KL and relative
-- magnitude) follows the human visualness score h, over the words that have both.
-- Spearman = Pearson of average ranks (ties share the mean of their ranks).
CREATE VIEW layer_human_correlation AS
WITH joined AS (
    SELECT d.model_id, d.scope, d.layer, d.layer_index, d.word, d.max_kl, d.relative, h.h
    FROM layer_depth AS d
    JOIN human_visualness AS h ON h.word = d.word
),
ranked AS (
    SELECT
        *,
        rank() OVER w_kl + (count(*) OVER (PARTITION BY model_id, scope, layer_index, max_kl) - 1) / 2.0
            AS r_kl,
        rank() OVER w_h + (count(*) OVER (PARTITION BY model_id, scope, layer_index, h) - 1) / 2.0
            AS r_h
    FROM joined
    WINDOW
        w_kl AS (PARTITION BY model_id, scope, layer_index ORDER BY max_kl),
        w_h AS (PARTITION BY model_id, scope, layer_index ORDER BY h)
)
SELECT
    model_id,
    scope,
    layer,
    layer_index,
    corr(max_kl, h) AS pearson_max_kl,
    corr(r_kl, r_h) AS spearman_max_kl,
    corr(relative, h) AS pearson_relative,
    count(*) AS n_words
FROM ranked
GROUP BY model_id, scope, layer, layer_index;

-- Paper Figs. 6-8: saliency scores per method and K averaged over the evaluated words.
CREATE VIEW saliency_curves AS
SELECT
    model_id,
    scope,
    method,
    k,
    threshold,
    avg(ap) AS mean_ap,
    avg(iou) AS mean_iou,
    avg(pointing) AS mean_pointing,
    count(DISTINCT word) AS n_words,
    CAST(sum(n_images) AS BIGINT) AS n_images
FROM saliency_eval
GROUP BY model_id, scope, method, k, threshold;

-- The newest run of every (stage, scope), with its duration in seconds.
CREATE VIEW latest_runs AS
SELECT
    stage,
    scope,
    run_id,
    status,
    started_at,
    finished_at,
    epoch(finished_at) - epoch(started_at) AS seconds,
    params,
    inputs_fingerprint,
    summary,
    error
FROM runs
QUALIFY row_number() OVER (PARTITION BY stage, scope ORDER BY run_id DESC) = 1;
