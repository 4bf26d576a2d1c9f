-- 0008 context: context-robust discovery. Boilerplate lines found per scope, the category
-- each word's positives fall in, how much of a word's positives category-matched negatives
-- could cover, and how the classifiers' surest predictions agree with catalogue metadata.
-- Reads: nothing. Writes: boilerplate_lines, boilerplate_product_lines, category_bound_words,
-- matched_coverage, metadata_agreement; views boilerplate_text_lines, visualness_context,
-- metadata_agreement_summary (filled by `attrdb vocab`, `attrdb divergence` on a
-- category-matched scope, `attrdb metadata-check`; see docs/context.md).

-- Description lines whose normalised text (line_key: lower case, digits as 0, punctuation as
-- spaces) recurs across the scope's listings: in at least min_count listings and
-- min_share of the listings of some shop, or in at least min_listings listings overall.
-- A flagged line is boilerplate in every shop of the scope. rank 1 = in most listings.
CREATE TABLE boilerplate_lines (
    scope VARCHAR NOT NULL,
    line_key VARCHAR NOT NULL,
    n_products BIGINT NOT NULL,      -- scope listings holding the line
    n_shops BIGINT NOT NULL,         -- shops of those listings
    n_shops_flagged BIGINT NOT NULL, -- shops where it passes min_count and min_share
    max_shop_share DOUBLE NOT NULL,  -- largest share of one shop's listings holding it
    example VARCHAR NOT NULL,        -- one line as written
    rank INTEGER NOT NULL,
    PRIMARY KEY (scope, line_key)
);

-- Every description line of a scope product that is boilerplate. excluded: the scope drops
-- boilerplate, so the vocabulary and the D+ sets ignore this line's tokens.
CREATE TABLE boilerplate_product_lines (
    scope VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    line_no INTEGER NOT NULL,
    line_key VARCHAR NOT NULL,
    excluded BOOLEAN NOT NULL,
    PRIMARY KEY (scope, product_id, field, line_no)
);

-- The boilerplate lines of each scope with their text, for inspection.
CREATE VIEW boilerplate_text_lines AS
SELECT b.scope, b.product_id, p.shop, b.field, b.line_no, l.text, b.line_key, b.excluded
FROM boilerplate_product_lines AS b
JOIN text_lines AS l
    ON l.product_id = b.product_id AND l.field = b.field AND l.line_no = b.line_no
LEFT JOIN products AS p ON p.product_id = b.product_id;

-- How each vocabulary word's positives (D+) spread over the scope's categories (the
-- scope's match_field): a word whose largest category holds at least bound_share of its
-- positives is category-bound, its visualness may be that of the category, not the word.
CREATE TABLE category_bound_words (
    scope VARCHAR NOT NULL,
    word VARCHAR NOT NULL,
    match_field VARCHAR NOT NULL,    -- 'category' or 'metadata.<key>'
    n_products BIGINT NOT NULL,      -- |D+| in the scope
    n_categories BIGINT NOT NULL,    -- categories holding a positive (NULL counts as one)
    top_category VARCHAR,            -- the category holding most positives
    top_share DOUBLE NOT NULL,       -- its share of the positives
    bound BOOLEAN NOT NULL,          -- top_share >= the scope's bound_share
    PRIMARY KEY (scope, word)
);

-- Category-matched divergence: per word, the positives of the split whose category also
-- has negatives (n_pos, compared with the negatives reweighted to their category mix) and
-- those left out because every universe product of their category has the word.
CREATE TABLE matched_coverage (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,
    word VARCHAR NOT NULL,
    n_pos BIGINT NOT NULL,           -- matched positives
    n_pos_unmatched BIGINT NOT NULL, -- positives in categories without negatives
    n_neg BIGINT NOT NULL,           -- negatives in the matched categories
    n_categories BIGINT NOT NULL,    -- matched categories
    kept BOOLEAN NOT NULL,           -- enough matched positives and negatives for a KL
    PRIMARY KEY (model_id, scope, word)
);

-- Do the classifiers' surest test predictions agree with structured catalogue attributes
-- the method never reads (products.metadata)? For each word that names a value of the
-- attribute (e.g. 'red' in base_colour 'Red', 'striped' in Pattern 'Striped'): of the k
-- test products with a known attribute value scored highest, the share whose value holds
-- the word (precision), against the share among all those test products (base_rate) and
-- among the test products whose text has the word (text_precision, the label's own noise).
-- category_rate is what the categories alone explain: the mean, over the ranked products, of
-- the share of test products of the same category (the scope's match_field) that agree; a
-- classifier that only recognises product types has precision close to category_rate.
CREATE TABLE metadata_agreement (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,      -- a name, e.g. colour / pattern
    path VARCHAR NOT NULL,           -- metadata key, 'key.subkey' into a nested JSON value
    word VARCHAR NOT NULL,
    k INTEGER NOT NULL,
    n_ranked BIGINT NOT NULL,        -- products ranked (min(k, test products with a value))
    n_agree BIGINT NOT NULL,
    precision DOUBLE,                -- n_agree / n_ranked
    base_rate DOUBLE,
    category_rate DOUBLE,            -- expected precision of the ranked products' categories
    text_precision DOUBLE,
    n_text BIGINT NOT NULL,          -- test products with a value whose text has the word
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, method, attribute, word, k)
);

-- Mean agreement over the words of each (model, scope, method, attribute, k).
CREATE VIEW metadata_agreement_summary AS
SELECT
    model_id,
    scope,
    method,
    attribute,
    k,
    count(*) AS n_words,
    avg(precision) AS mean_precision,
    avg(base_rate) AS mean_base_rate,
    avg(category_rate) AS mean_category_rate,
    avg(text_precision) AS mean_text_precision,
    sum(n_agree) / nullif(sum(n_ranked), 0) AS pooled_precision
FROM metadata_agreement
GROUP BY model_id, scope, method, attribute, k;

-- Visualness ranking with the context checks beside it: the scope's negatives option, and
-- whether the word is category-bound (then a high score may be the category's).
CREATE VIEW visualness_context AS
SELECT
    r.model_id,
    r.scope,
    r.method,
    r.word,
    r.accuracy,
    r.visual_rank,
    r.nonvisual_rank,
    r.n_words,
    coalesce(json_extract_string(s.definition, '$.negatives'), 'random') AS negatives,
    coalesce(json_extract_string(s.definition, '$.boilerplate'), 'keep') AS boilerplate,
    b.bound AS category_bound,
    b.top_category,
    b.top_share,
    b.n_categories
FROM visualness_ranking AS r
LEFT JOIN scopes AS s ON s.scope = r.scope
LEFT JOIN category_bound_words AS b ON b.scope = r.scope AND b.word = r.word;
