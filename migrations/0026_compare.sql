-- 0026 compare: networks and poolings side by side (docs/compare.md).
-- Reads: nothing. Writes: table metadata_precision; views compare_feature_sets,
-- compare_table1, compare_floor, compare_rank_correlation, compare_word_depth,
-- compare_layer_magnitude, compare_prime_layers.

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

-- Every stored feature set: its network (architecture and weights), how its units were
-- pooled, where its weights came from (model_lineage) and how many images it holds.
CREATE VIEW compare_feature_sets AS
SELECT
    m.model_id,
    m.name,
    coalesce(m.pooling, 'max') AS pooling,
    coalesce(l.kind, 'pretrained') AS kind,
    l.parent_model_id,
    m.weights_sha256,
    m.n_units,
    (SELECT count(*) FROM activation_vectors AS v WHERE v.model_id = m.model_id) AS n_images
FROM models AS m
LEFT JOIN model_lineage AS l ON l.model_id = m.model_id;

-- Paper Table 1 across feature sets: per model, scope and method, the mean visualness
-- (balanced accuracy and AUC) over the scored words with a 95% interval of the mean
-- (mean +- 1.96 sd / sqrt(n_words)), the agreement with human judgments where imported,
-- and per metadata field the text-trained classifiers' precision at k next to the
-- supervised ceiling of the same features on the same words (metadata_precision; the
-- ceiling's classifiers are cross-fitted).
CREATE VIEW compare_table1 AS
WITH scores AS (
    SELECT
        model_id, scope, method,
        count(*) AS n_words,
        avg(accuracy) AS mean_accuracy,
        stddev_samp(accuracy) AS sd_accuracy,
        avg(auc) AS mean_auc,
        stddev_samp(auc) AS sd_auc
    FROM visualness
    WHERE accuracy IS NOT NULL AND method <> 'language_prior'  -- a score, not a classifier
    GROUP BY model_id, scope, method
),
paired_precision AS (
    -- Each text-trained precision beside the ceiling's on the same word.
    SELECT t.model_id, t.scope, t.method, t.field, t.k, t.precision, c.precision AS ceiling
    FROM metadata_precision AS t
    LEFT JOIN metadata_precision AS c
        ON c.labels = 'metadata' AND c.model_id = t.model_id AND c.scope = t.scope
        AND c.field = t.field AND c.k = t.k AND c.word = t.word
    WHERE t.labels = 'text' AND t.precision IS NOT NULL
),
text_precision AS (
    SELECT
        model_id, scope, method, field, k,
        count(*) AS n_attribute_words,
        avg(precision) AS mean_precision,
        stddev_samp(precision) AS sd_precision,
        avg(ceiling) AS ceiling_precision,
        stddev_samp(ceiling) AS sd_ceiling,
        count(ceiling) AS n_ceiling_words
    FROM paired_precision
    GROUP BY model_id, scope, method, field, k
)
SELECT
    s.model_id,
    f.name,
    f.pooling,
    f.kind,
    s.scope,
    s.method,
    s.n_words,
    s.mean_accuracy,
    s.mean_accuracy - 1.96 * s.sd_accuracy / sqrt(s.n_words) AS mean_accuracy_low,
    s.mean_accuracy + 1.96 * s.sd_accuracy / sqrt(s.n_words) AS mean_accuracy_high,
    s.mean_auc,
    s.mean_auc - 1.96 * s.sd_auc / sqrt(s.n_words) AS mean_auc_low,
    s.mean_auc + 1.96 * s.sd_auc / sqrt(s.n_words) AS mean_auc_high,
    a.pearson AS human_pearson,
    a.spearman AS human_spearman,
    a.n_words AS n_human_words,
    t.field,
    t.k,
    t.n_attribute_words,
    t.mean_precision,
    t.mean_precision - 1.96 * t.sd_precision / sqrt(t.n_attribute_words) AS mean_precision_low,
    t.mean_precision + 1.96 * t.sd_precision / sqrt(t.n_attribute_words) AS mean_precision_high,
    t.n_ceiling_words,
    t.ceiling_precision,
    t.ceiling_precision - 1.96 * t.sd_ceiling / sqrt(t.n_ceiling_words) AS ceiling_low,
    t.ceiling_precision + 1.96 * t.sd_ceiling / sqrt(t.n_ceiling_words) AS ceiling_high,
    t.mean_precision / nullif(t.ceiling_precision, 0) AS share_of_ceiling
FROM scores AS s
LEFT JOIN compare_feature_sets AS f ON f.model_id = s.model_id
LEFT JOIN agreement AS a ON a.model_id = s.model_id AND a.scope = s.scope AND a.method = s.method
LEFT JOIN text_precision AS t
    ON t.model_id = s.model_id AND t.scope = s.scope AND t.method = s.method;

-- The floor: every feature set against each randomly initialised network of the same
-- pooling, on the words both scored (paired): mean difference of balanced accuracy and
-- of AUC with 95% intervals (mean +- 1.96 sd / sqrt(n)), and the share of words on which
-- the trained network scores higher. A trained network should clear it.
CREATE VIEW compare_floor AS
WITH scored AS (
    SELECT v.model_id, v.scope, v.method, v.word, v.accuracy, v.auc, f.pooling, f.kind
    FROM visualness AS v
    JOIN compare_feature_sets AS f ON f.model_id = v.model_id
    WHERE v.accuracy IS NOT NULL AND v.method <> 'language_prior'
),
paired AS (
    SELECT
        t.model_id, r.model_id AS floor_model_id, t.scope, t.method, t.pooling, t.word,
        t.accuracy - r.accuracy AS d_accuracy,
        t.auc - r.auc AS d_auc
    FROM scored AS t
    JOIN scored AS r
        ON r.kind = 'random_init' AND r.pooling = t.pooling AND r.scope = t.scope
        AND r.method = t.method AND r.word = t.word AND r.model_id <> t.model_id
)
SELECT
    model_id,
    floor_model_id,
    scope,
    method,
    pooling,
    count(*) AS n_words,
    avg(d_accuracy) AS mean_d_accuracy,
    avg(d_accuracy) - 1.96 * stddev_samp(d_accuracy) / sqrt(count(*)) AS mean_d_accuracy_low,
    avg(d_accuracy) + 1.96 * stddev_samp(d_accuracy) / sqrt(count(*)) AS mean_d_accuracy_high,
    avg(d_auc) AS mean_d_auc,
    avg(d_auc) - 1.96 * stddev_samp(d_auc) / sqrt(count(*)) AS mean_d_auc_low,
    avg(d_auc) + 1.96 * stddev_samp(d_auc) / sqrt(count(*)) AS mean_d_auc_high,
    avg(CAST(d_accuracy > 0 AS DOUBLE)) AS share_words_above
FROM paired
GROUP BY model_id, floor_model_id, scope, method, pooling;

-- How alike two feature sets rank the words: per pair of models, scope and method, the
-- Spearman correlation of their ranking scores (visualness_ranking.ranking_score: the AUC
-- lower bound for crossfit, the accuracy for the paper's methods) over the words both
-- scored, its 95% interval (Fisher z), and how many of each one's 30 most visual words
-- the other's 30 share.
CREATE VIEW compare_rank_correlation AS
WITH pairs AS (
    SELECT
        a.scope, a.method, a.model_id AS model_a, b.model_id AS model_b, a.word,
        a.ranking_score AS score_a, b.ranking_score AS score_b
    FROM visualness_ranking AS a
    JOIN visualness_ranking AS b
        ON b.scope = a.scope AND b.method = a.method AND b.word = a.word
        AND a.model_id < b.model_id
),
ranked AS (
    SELECT
        *,
        rank() OVER (PARTITION BY scope, method, model_a, model_b ORDER BY score_a DESC)
            AS rank_a,
        rank() OVER (PARTITION BY scope, method, model_a, model_b ORDER BY score_b DESC)
            AS rank_b
    FROM pairs
),
correlated AS (
    SELECT
        scope, method, model_a, model_b,
        count(*) AS n_words,
        corr(rank_a, rank_b) AS spearman,
        count(*) FILTER (WHERE rank_a <= 30 AND rank_b <= 30) AS top30_shared
    FROM ranked
    GROUP BY scope, method, model_a, model_b
)
SELECT
    *,
    CASE WHEN n_words > 3 THEN
        tanh(atanh(greatest(least(spearman, 0.999999), -0.999999)) - 1.96 / sqrt(n_words - 3))
    END AS spearman_low,
    CASE WHEN n_words > 3 THEN
        tanh(atanh(greatest(least(spearman, 0.999999), -0.999999)) + 1.96 / sqrt(n_words - 3))
    END AS spearman_high
FROM correlated;

-- Perceptual depth of the same words in every feature set (Table 3 / Fig. 4 per model):
-- each word's peak layer (word_depth_peak) with its position from 0 (first tapped layer)
-- to 1 (last), so networks with different layer counts line up.
CREATE VIEW compare_word_depth AS
WITH n_layers AS (
    SELECT model_id, count(DISTINCT layer_index) AS n_layers FROM units GROUP BY model_id
)
SELECT
    d.model_id,
    f.name,
    f.pooling,
    f.kind,
    d.scope,
    d.word,
    d.peak_layer,
    d.peak_layer_index,
    d.peak_layer_index / greatest(n.n_layers - 1, 1) AS peak_position,
    d.mean_depth / greatest(n.n_layers - 1, 1) AS mean_position,
    d.peak_relative,
    d.peaks_in_last_layer
FROM word_depth_peak AS d
JOIN compare_feature_sets AS f ON f.model_id = d.model_id
JOIN n_layers AS n ON n.model_id = d.model_id;

-- Fig. 4 per feature set: layer_magnitude with the network, pooling and layer position.
CREATE VIEW compare_layer_magnitude AS
WITH n_layers AS (
    SELECT model_id, count(DISTINCT layer_index) AS n_layers FROM units GROUP BY model_id
)
SELECT
    g.model_id,
    f.name,
    f.pooling,
    f.kind,
    g.scope,
    g.layer,
    g.layer_index,
    g.layer_index / greatest(n.n_layers - 1, 1) AS layer_position,
    g.mean_relative,
    g.sd_relative,
    g.mean_relative_z,
    g.mean_excess_z,
    g.n_words
FROM layer_magnitude AS g
JOIN compare_feature_sets AS f ON f.model_id = g.model_id
JOIN n_layers AS n ON n.model_id = g.model_id;

-- Where each feature set's prime units sit: per model, scope, layer and unit pooling (a
-- 'both' set has max and mean units), the prime units there (n_prime, over n_words
-- words), their share of all the scope's prime units, the layer's share of the units, and
-- the ratio (enrichment > 1: the layer holds more prime units than its size explains).
CREATE VIEW compare_prime_layers AS
WITH layer_units AS (
    SELECT
        model_id, layer, layer_index, coalesce(pooling, 'max') AS unit_pooling,
        count(*) AS n_units,
        count(*) / sum(count(*)) OVER (PARTITION BY model_id) AS unit_share
    FROM units
    GROUP BY model_id, layer, layer_index, coalesce(pooling, 'max')
),
scopes AS (
    SELECT model_id, scope, count(*) AS n_prime_total, count(DISTINCT word) AS n_words
    FROM prime_units
    GROUP BY model_id, scope
),
prime AS (
    SELECT p.model_id, p.scope, u.layer_index, coalesce(u.pooling, 'max') AS unit_pooling,
           count(*) AS n_prime
    FROM prime_units AS p
    JOIN units AS u ON u.model_id = p.model_id AND u.unit_id = p.unit_id
    GROUP BY p.model_id, p.scope, u.layer_index, coalesce(u.pooling, 'max')
)
SELECT
    l.model_id,
    f.name,
    f.pooling,
    s.scope,
    l.layer,
    l.layer_index,
    l.unit_pooling,
    coalesce(p.n_prime, 0) AS n_prime,
    s.n_words,
    coalesce(p.n_prime, 0) / s.n_prime_total AS prime_share,
    l.n_units,
    l.unit_share,
    coalesce(p.n_prime, 0) / s.n_prime_total / l.unit_share AS enrichment
FROM layer_units AS l
JOIN scopes AS s ON s.model_id = l.model_id
JOIN compare_feature_sets AS f ON f.model_id = l.model_id
LEFT JOIN prime AS p
    ON p.model_id = l.model_id AND p.scope = s.scope AND p.layer_index = l.layer_index
    AND p.unit_pooling = l.unit_pooling;
