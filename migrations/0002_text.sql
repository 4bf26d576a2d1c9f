-- 0002 text: tokens, lines, stop words, synonyms, near-duplicate groups, vocabulary, splits.
-- Reads: products. Writes: the tables below (filled by `attrdb text|dedup|vocab|split`).

CREATE TABLE text_lines (
    product_id VARCHAR NOT NULL,
    field VARCHAR NOT NULL,          -- title / description / tag
    line_no INTEGER NOT NULL,        -- line or sentence index within the field, from 0
    text VARCHAR NOT NULL,
    PRIMARY KEY (product_id, field, line_no)
);

-- One row per word occurrence. word = norm rewritten through `synonyms`, so every later
-- query reads merged words; norm keeps the tagger's own form so merges can be redone.
CREATE TABLE tokens (
    product_id VARCHAR NOT NULL,
    word VARCHAR NOT NULL,           -- norm, or its synonyms.canonical when it has one
    pos VARCHAR,                     -- Penn tag (JJ, NN, ...) or Sudachi POS (形容詞-一般, ...)
    field VARCHAR NOT NULL,          -- title / description / tag
    line_no INTEGER NOT NULL,
    position INTEGER NOT NULL,       -- token index within the line
    surface VARCHAR,                 -- the text as written
    lang VARCHAR,                    -- en / ja
    norm VARCHAR NOT NULL            -- lower-cased (English) / Sudachi normalized_form (Japanese)
);

-- Products the text stage has finished (also those whose text gave no token), so a rerun
-- skips them and an interrupted run resumes where it stopped.
CREATE TABLE tokenized_products (
    product_id VARCHAR PRIMARY KEY,
    lang_option VARCHAR NOT NULL,    -- en / ja / auto, as asked
    n_tokens INTEGER NOT NULL,
    run_id BIGINT,
    tokenized_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- English stop words left out of the near-duplicate bags of words
-- (scikit-learn's ENGLISH_STOP_WORDS, 318 words).
CREATE TABLE stop_words (word VARCHAR PRIMARY KEY);
INSERT INTO stop_words (word) VALUES
    ('a'), ('about'), ('above'), ('across'), ('after'), ('afterwards'), ('again'), ('against'), ('all'), ('almost'),
    ('alone'), ('along'), ('already'), ('also'), ('although'), ('always'), ('am'), ('among'), ('amongst'), ('amoungst'),
    ('amount'), ('an'), ('and'), ('another'), ('any'), ('anyhow'), ('anyone'), ('anything'), ('anyway'), ('anywhere'),
    ('are'), ('around'), ('as'), ('at'), ('back'), ('be'), ('became'), ('because'), ('become'), ('becomes'),
    ('becoming'), ('been'), ('before'), ('beforehand'), ('behind'), ('being'), ('below'), ('beside'), ('besides'), ('between'),
    ('beyond'), ('bill'), ('both'), ('bottom'), ('but'), ('by'), ('call'), ('can'), ('cannot'), ('cant'),
    ('co'), ('con'), ('could'), ('couldnt'), ('cry'), ('de'), ('describe'), ('detail'), ('do'), ('done'),
    ('down'), ('due'), ('during'), ('each'), ('eg'), ('eight'), ('either'), ('eleven'), ('else'), ('elsewhere'),
    ('empty'), ('enough'), ('etc'), ('even'), ('ever'), ('every'), ('everyone'), ('everything'), ('everywhere'), ('except'),
    ('few'), ('fifteen'), ('fifty'), ('fill'), ('find'), ('fire'), ('first'), ('five'), ('for'), ('former'),
    ('formerly'), ('forty'), ('found'), ('four'), ('from'), ('front'), ('full'), ('further'), ('get'), ('give'),
    ('go'), ('had'), ('has'), ('hasnt'), ('have'), ('he'), ('hence'), ('her'), ('here'), ('hereafter'),
    ('hereby'), ('herein'), ('hereupon'), ('hers'), ('herself'), ('him'), ('himself'), ('his'), ('how'), ('however'),
    ('hundred'), ('i'), ('ie'), ('if'), ('in'), ('inc'), ('indeed'), ('interest'), ('into'), ('is'),
    ('it'), ('its'), ('itself'), ('keep'), ('last'), ('latter'), ('latterly'), ('least'), ('less'), ('ltd'),
    ('made'), ('many'), ('may'), ('me'), ('meanwhile'), ('might'), ('mill'), ('mine'), ('more'), ('moreover'),
    ('most'), ('mostly'), ('move'), ('much'), ('must'), ('my'), ('myself'), ('name'), ('namely'), ('neither'),
    ('never'), ('nevertheless'), ('next'), ('nine'), ('no'), ('nobody'), ('none'), ('noone'), ('nor'), ('not'),
    ('nothing'), ('now'), ('nowhere'), ('of'), ('off'), ('often'), ('on'), ('once'), ('one'), ('only'),
    ('onto'), ('or'), ('other'), ('others'), ('otherwise'), ('our'), ('ours'), ('ourselves'), ('out'), ('over'),
    ('own'), ('part'), ('per'), ('perhaps'), ('please'), ('put'), ('rather'), ('re'), ('same'), ('see'),
    ('seem'), ('seemed'), ('seeming'), ('seems'), ('serious'), ('several'), ('she'), ('should'), ('show'), ('side'),
    ('since'), ('sincere'), ('six'), ('sixty'), ('so'), ('some'), ('somehow'), ('someone'), ('something'), ('sometime'),
    ('sometimes'), ('somewhere'), ('still'), ('such'), ('system'), ('take'), ('ten'), ('than'), ('that'), ('the'),
    ('their'), ('them'), ('themselves'), ('then'), ('thence'), ('there'), ('thereafter'), ('thereby'), ('therefore'), ('therein'),
    ('thereupon'), ('these'), ('they'), ('thick'), ('thin'), ('third'), ('this'), ('those'), ('though'), ('three'),
    ('through'), ('throughout'), ('thru'), ('thus'), ('to'), ('together'), ('too'), ('top'), ('toward'), ('towards'),
    ('twelve'), ('twenty'), ('two'), ('un'), ('under'), ('until'), ('up'), ('upon'), ('us'), ('very'),
    ('via'), ('was'), ('we'), ('well'), ('were'), ('what'), ('whatever'), ('when'), ('whence'), ('whenever'),
    ('where'), ('whereafter'), ('whereas'), ('whereby'), ('wherein'), ('whereupon'), ('wherever'), ('whether'), ('which'), ('while'),
    ('whither'), ('who'), ('whoever'), ('whole'), ('whom'), ('whose'), ('why'), ('will'), ('with'), ('within'),
    ('without'), ('would'), ('yet'), ('you'), ('your'), ('yours'), ('yourself'), ('yourselves');

-- Merge table: a token whose norm equals term gets word = canonical (see `attrdb text
-- --synonyms`). source names the file the row came from.
CREATE TABLE synonyms (
    term VARCHAR PRIMARY KEY,
    canonical VARCHAR NOT NULL,
    source VARCHAR
);

CREATE TABLE duplicate_groups (
    product_id VARCHAR PRIMARY KEY,
    shop VARCHAR,
    group_id VARCHAR NOT NULL,       -- smallest product_id of the group
    kept BOOLEAN NOT NULL
);

CREATE VIEW kept_products AS
SELECT p.*
FROM products AS p
JOIN duplicate_groups AS g USING (product_id)
WHERE g.kept;

-- The universe of each scope (written by `attrdb vocab`, sql/vocab/scope_products.sql).
CREATE TABLE scope_products (
    scope VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    PRIMARY KEY (scope, product_id)
);

CREATE TABLE vocabulary (
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    n_products BIGINT NOT NULL,      -- scope products whose text holds the word = |D+|
    n_kind BIGINT NOT NULL,          -- of those, products holding it as the kind (e.g. as JJ)
    rank INTEGER NOT NULL,           -- 1 = largest n_kind
    kind VARCHAR NOT NULL,           -- adjective / tag / phrase / all
    PRIMARY KEY (scope, word)
);

-- D+ membership: which products' text has each vocabulary word (per scope).
CREATE TABLE word_products (
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    PRIMARY KEY (scope, word, product_id)
);

CREATE TABLE splits (
    product_id VARCHAR PRIMARY KEY,
    split VARCHAR NOT NULL CHECK (split IN ('train', 'test', 'val'))
);
