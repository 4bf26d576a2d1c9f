-- 0010 explorer: the views `attrdb serve` pages query (docs/explorer.md), so a BI tool can
-- rebuild any page from the same relations.
-- Reads: products, ingest_sources, runs, vocabulary, prime_units, visualness, units,
-- unit_word_divergence, word_depth_peak, human_visualness, activation_vectors, unit_bins,
-- scope_products, splits, word_products, predictions. Writes: views only (no data).
-- Columns that later migrations add to visualness or unit_word_divergence (intervals,
-- null-corrected KL) appear in these views by themselves: DuckDB binds `*` when a view is
-- queried, not when it is created.

-- Every accepted listing's image with the images root of the ingest run that added it (the
-- run's images_root option, else the folder of the ingested file): the explorer serves an
-- image only when its real path lies under that root.
CREATE VIEW explorer_images AS
WITH ingest_runs AS (
    SELECT
        s.source,
        r.started_at,
        coalesce(
            json_extract_string(r.params, '$.images_root'),
            regexp_replace(s.source, '/[^/]*$', '')
        ) AS images_root
    FROM ingest_sources AS s
    JOIN runs AS r ON r.run_id = s.run_id
)
SELECT p.product_id, p.image_path, r.images_root
FROM products AS p
ASOF LEFT JOIN ingest_runs AS r ON r.source = p.source AND p.ingested_at >= r.started_at;

-- One row per (model, scope, vocabulary word) for every model with results in the scope:
-- the word's kind and |D+| (n_products), its strongest prime unit's KL and number of prime
-- units, where its divergence peaks (word_depth_peak) and the human score when imported.
CREATE VIEW explorer_words AS
WITH model_scopes AS (
    SELECT DISTINCT model_id, scope FROM prime_units
    UNION
    SELECT DISTINCT model_id, scope FROM visualness
),
prime AS (
    SELECT model_id, scope, word, max(kl) AS max_kl, count(*) AS n_prime_units
    FROM prime_units
    GROUP BY model_id, scope, word
)
SELECT
    m.model_id,
    voc.scope,
    voc.word,
    voc.kind,
    voc.rank AS vocabulary_rank,
    voc.n_products,
    voc.n_kind,
    p.max_kl,
    p.n_prime_units,
    d.peak_layer,
    d.peak_layer_index,
    d.peak_relative,
    d.mean_depth,
    h.h
FROM vocabulary AS voc
JOIN model_scopes AS m ON m.scope = voc.scope
LEFT JOIN prime AS p ON p.model_id = m.model_id AND p.scope = voc.scope AND p.word = voc.word
LEFT JOIN word_depth_peak AS d
    ON d.model_id = m.model_id AND d.scope = voc.scope AND d.word = voc.word
LEFT JOIN human_visualness AS h ON h.word = voc.word;

-- explorer_words with one visualness method's scores (every visualness column: accuracy,
-- n_train, n_test and any interval columns); method is NULL for a word no method scored.
CREATE VIEW explorer_vocabulary AS
SELECT w.*, v.* EXCLUDE (model_id, scope, word)
FROM explorer_words AS w
LEFT JOIN visualness AS v ON v.model_id = w.model_id AND v.scope = w.scope AND v.word = w.word;

-- Prime units of each word with their layer and every unit_word_divergence column (kl,
-- n_pos, n_neg and any null-corrected columns).
CREATE VIEW explorer_prime_units AS
SELECT
    p.model_id,
    p.scope,
    p.word,
    p.rank,
    p.unit_id,
    u.layer,
    u.layer_index,
    u.channel,
    d.* EXCLUDE (model_id, scope, word, unit_id)
FROM prime_units AS p
JOIN units AS u ON u.model_id = p.model_id AND u.unit_id = p.unit_id
LEFT JOIN unit_word_divergence AS d
    ON d.model_id = p.model_id AND d.scope = p.scope AND d.word = p.word
    AND d.unit_id = p.unit_id;

-- One unit's max-pooled activation on every image (activation_vectors indexed by the unit's
-- position; filter on model_id and unit_id).
CREATE VIEW explorer_unit_activations AS
SELECT
    v.model_id,
    u.unit_id,
    u.layer,
    u.channel,
    v.product_id,
    v.vals[u.unit_id + 1] AS value
FROM activation_vectors AS v
JOIN units AS u ON u.model_id = v.model_id;

-- The histogram of one unit's activations in D+ and D- of a word, per split, over the
-- scope's products and the unit's stored bins (unit_bins, numpy.histogram semantics: bin b
-- holds edges[b] <= v < edges[b + 1], the last bin closed; values outside the edges, from
-- splits the bins were not fitted on, fall in the first or last bin). n_neg counts every
-- scope product without the word: in a category-matched scope the divergence stage
-- reweights negatives, this view does not. Filter on model_id, scope, word and unit_id.
CREATE VIEW explorer_unit_histogram AS
WITH valued AS (
    SELECT
        b.model_id,
        b.scope,
        w.word,
        b.unit_id,
        s.split,
        b.edges,
        v.vals[b.unit_id + 1] AS value,
        EXISTS (
            SELECT 1
            FROM word_products AS wp
            WHERE wp.scope = b.scope AND wp.word = w.word AND wp.product_id = sp.product_id
        ) AS positive
    FROM unit_bins AS b
    JOIN vocabulary AS w ON w.scope = b.scope
    JOIN scope_products AS sp ON sp.scope = b.scope
    JOIN splits AS s ON s.product_id = sp.product_id
    JOIN activation_vectors AS v ON v.model_id = b.model_id AND v.product_id = sp.product_id
),
binned AS (
    SELECT
        *,
        least(len(list_filter(edges[2:len(edges) - 1], lambda e: e <= value)), len(edges) - 2)
            AS bin
    FROM valued
)
SELECT
    model_id,
    scope,
    word,
    unit_id,
    split,
    CAST(bin AS INTEGER) AS bin,
    any_value(edges[bin + 1]) AS lower_edge,
    any_value(edges[bin + 2]) AS upper_edge,
    count(*) FILTER (WHERE positive) AS n_pos,
    count(*) FILTER (WHERE NOT positive) AS n_neg
FROM binned
GROUP BY model_id, scope, word, unit_id, split, bin;

-- Every word a classifier scored on an image, with whether the image's own text has it.
-- Filter on product_id (and model_id, scope, method).
CREATE VIEW explorer_image_words AS
SELECT
    p.model_id,
    p.scope,
    p.method,
    p.product_id,
    p.word,
    p.score,
    EXISTS (
        SELECT 1
        FROM word_products AS wp
        WHERE wp.scope = p.scope AND wp.word = p.word AND wp.product_id = p.product_id
    ) AS in_text
FROM predictions AS p;
