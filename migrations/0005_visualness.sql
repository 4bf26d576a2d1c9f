-- 0005 visualness: classifier accuracy per word (eq. 2), the trained classifiers, per-image
-- scores (the purifier), the language-prior baseline, human judgments (eq. 3), agreement.
-- Reads: nothing. Writes: visualness, classifiers, predictions, language_prior,
-- language_prior_nouns, human_judgments, human_rejects, human_visualness, agreement;
-- views purifier_ranked, purifier_examples.

-- One row per (model, scope, word, method). accuracy is the balanced test accuracy of the
-- method's classifier (V(u) for 'resample'); NULL when the word has too few train or test
-- positives (n_train / n_test say how many it had). For 'language_prior' accuracy holds the
-- language score (see language_prior) and n_train / n_test the word's occurrences and
-- modifying occurrences. params: every hyper-parameter of the run (JSON), so a rerun with
-- other settings recomputes instead of mixing results.
CREATE TABLE visualness (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    method VARCHAR NOT NULL,         -- random / initial / resample / language_prior
    accuracy DOUBLE,                 -- balanced test accuracy (V(u) for resample)
    n_train BIGINT,
    n_test BIGINT,
    seed BIGINT,
    n_units INTEGER,                 -- features the classifier saw (NULL for language_prior)
    params JSON,
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, word, method)
);

-- The trained classifiers, so other stages (saliency) can score or back-propagate:
-- score(x) = sigmoid(sum_i ((x[unit_ids[i]] - mean[i]) / scale[i]) * coef[i] + intercept),
-- with unit_ids NULL meaning every unit in unit_id order (x = activation_vectors.vals).
-- The macro classifier_score(vals, unit_ids, coef, intercept, mean, scale) computes it in SQL.
CREATE TABLE classifiers (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    method VARCHAR NOT NULL,         -- random / initial / resample
    unit_ids INTEGER[],              -- feature i is unit unit_ids[i]; NULL = all units
    coef DOUBLE[] NOT NULL,          -- weights on the standardised features
    intercept DOUBLE NOT NULL,
    mean DOUBLE[] NOT NULL,          -- standardisation, fitted on the training sample
    scale DOUBLE[] NOT NULL,
    n_train BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    params JSON,
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, word, method)
);

-- Each classifier's score for every product of the scope that has activations (train, test
-- and val splits), the purifier's raw material. No key: the stage replaces a word's rows in
-- the same transaction that writes them, and an index over millions of rows costs memory.
CREATE TABLE predictions (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    score DOUBLE NOT NULL            -- classifier confidence that the image shows the word
);

-- The language-prior baseline (Table 1's last row), from the catalogue's own text instead
-- of Google Books n-grams: how often the word stands right before a frequent product noun.
CREATE TABLE language_prior (
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    n_occurrences BIGINT NOT NULL,   -- tokens of the word in the scope's products
    n_modifying BIGINT NOT NULL,     -- of those, immediately followed by a product noun
    score DOUBLE NOT NULL,           -- n_modifying / n_occurrences
    PRIMARY KEY (scope, word)
);

-- The product nouns the language prior counted (most frequent nouns of the scope).
CREATE TABLE language_prior_nouns (
    scope VARCHAR NOT NULL DEFAULT 'default',
    noun VARCHAR NOT NULL,
    n_products BIGINT NOT NULL,
    rank INTEGER NOT NULL,
    PRIMARY KEY (scope, noun)
);

-- Imported crowd votes: for one image pair of a word, how many of n_annotators judged the
-- word visible (the pair "visual").
CREATE TABLE human_judgments (
    word VARCHAR NOT NULL,
    pair_id VARCHAR NOT NULL,
    positive_votes INTEGER NOT NULL,
    n_annotators INTEGER NOT NULL,
    source VARCHAR,
    source_row BIGINT,
    PRIMARY KEY (word, pair_id)
);

-- Every imported human-judgment row that was not accepted, with why.
CREATE TABLE human_rejects (
    source VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    raw VARCHAR,
    reason VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- H(u), eq. 3: share of the word's pairs with more than theta positive votes, or a per-word
-- score imported directly (theta and n_pairs NULL then).
CREATE TABLE human_visualness (
    word VARCHAR PRIMARY KEY,
    h DOUBLE NOT NULL,
    n_pairs BIGINT,
    theta INTEGER,
    source VARCHAR
);

-- Table 1: Pearson and Spearman correlation between each method's scores and H(u) over the
-- words both have.
CREATE TABLE agreement (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    method VARCHAR NOT NULL,
    pearson DOUBLE,
    spearman DOUBLE,
    n_words BIGINT NOT NULL,
    computed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (model_id, scope, method)
);

-- The purifier (paper Fig. 3): every scored product ranked within D+ and within D- of its
-- word. confident_rank 1 = the classifier's surest member of that set (highest score in D+,
-- lowest in D-); doubtful_rank 1 = its least sure member, i.e. the likeliest false positive
-- (D+) or false negative (D-). Filter on model_id, scope, word, method first.
CREATE VIEW purifier_ranked AS
WITH labelled AS (
    SELECT
        p.model_id,
        p.scope,
        p.word,
        p.method,
        p.product_id,
        s.split,
        p.score,
        EXISTS (
            SELECT 1
            FROM word_products AS wp
            WHERE wp.scope = p.scope AND wp.word = p.word AND wp.product_id = p.product_id
        ) AS in_positive_set
    FROM predictions AS p
    LEFT JOIN splits AS s ON s.product_id = p.product_id
)
SELECT
    model_id,
    scope,
    word,
    method,
    product_id,
    split,
    CASE WHEN in_positive_set THEN 'D+' ELSE 'D-' END AS subset,
    score,
    row_number() OVER (
        PARTITION BY model_id, scope, word, method, in_positive_set
        ORDER BY CASE WHEN in_positive_set THEN -score ELSE score END, product_id
    ) AS confident_rank,
    row_number() OVER (
        PARTITION BY model_id, scope, word, method, in_positive_set
        ORDER BY CASE WHEN in_positive_set THEN score ELSE -score END, product_id
    ) AS doubtful_rank
FROM labelled;

-- Ten images of each kind per (model, scope, word, method), with the product's title and
-- image: the surest positives and negatives, and the likeliest false positives (D+ images
-- the classifier rejects) and false negatives (D- images it accepts). In a set of fewer than
-- twenty images one image can appear under both of its set's kinds.
CREATE VIEW purifier_examples AS
WITH picked AS (
    SELECT
        model_id, scope, word, method, subset, product_id, split, score,
        CASE WHEN subset = 'D+' THEN 'confident positive' ELSE 'confident negative' END AS kind,
        confident_rank AS kind_rank
    FROM purifier_ranked
    WHERE confident_rank <= 10
    UNION ALL
    SELECT
        model_id, scope, word, method, subset, product_id, split, score,
        CASE WHEN subset = 'D+' THEN 'likely false positive' ELSE 'likely false negative' END,
        doubtful_rank
    FROM purifier_ranked
    WHERE doubtful_rank <= 10
)
SELECT
    k.model_id, k.scope, k.word, k.method, k.kind, k.kind_rank, k.subset, k.product_id,
    k.split, k.score, pr.title, pr.image_path
FROM picked AS k
LEFT JOIN products AS pr ON pr.product_id = k.product_id;
