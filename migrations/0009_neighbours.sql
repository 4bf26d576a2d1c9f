-- 0009 neighbours: which attributes the network perceives alike (docs/neighbours.md).
-- Reads: nothing. Writes: word_similarity, word_groups; view word_neighbours.

-- Similarity of two words of one (model, scope) from their divergence profiles over units.
-- method: 'cosine' = cosine of the profiles after centring each unit over the words (so a
-- unit's noise floor, shared by every word, does not make all words alike), 'spearman' =
-- rank correlation of the raw profiles, 'prime_jaccard' = overlap of the top-k prime units.
-- Both orders of a pair are stored (word -> neighbour), so a word's neighbours are one
-- filter. z: the pair's similarity in standard deviations of all pairs of the run (how far
-- it stands above what any two words of this vocabulary share).
CREATE TABLE word_similarity (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    method VARCHAR NOT NULL,
    word VARCHAR NOT NULL,
    neighbour VARCHAR NOT NULL,
    similarity DOUBLE NOT NULL,
    z DOUBLE,
    n_units INTEGER NOT NULL,        -- units compared (prime_jaccard: top-k)
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, method, word, neighbour)
);

-- A clustering of the vocabulary on 1 - similarity (hierarchical, average linkage).
CREATE TABLE word_groups (
    model_id VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    method VARCHAR NOT NULL,
    word VARCHAR NOT NULL,
    group_id INTEGER NOT NULL,       -- 1 = largest group
    group_size INTEGER NOT NULL,
    leaf_order INTEGER NOT NULL,     -- position in the dendrogram (for heat maps)
    run_id BIGINT,
    PRIMARY KEY (model_id, scope, method, word)
);

-- Each word's neighbours ranked (rank 1 = most similar), with both words' support
-- (positives in the divergence run) beside the score.
CREATE VIEW word_neighbours AS
SELECT
    s.model_id,
    s.scope,
    s.method,
    s.word,
    s.neighbour,
    s.similarity,
    s.z,
    row_number() OVER (
        PARTITION BY s.model_id, s.scope, s.method, s.word
        ORDER BY s.similarity DESC, s.neighbour
    ) AS rank,
    a.n_pos AS word_n_pos,
    b.n_pos AS neighbour_n_pos,
    ga.group_id AS word_group,
    gb.group_id AS neighbour_group
FROM word_similarity AS s
LEFT JOIN (
    SELECT DISTINCT model_id, scope, word, n_pos FROM unit_word_divergence WHERE unit_id = 0
) AS a ON a.model_id = s.model_id AND a.scope = s.scope AND a.word = s.word
LEFT JOIN (
    SELECT DISTINCT model_id, scope, word, n_pos FROM unit_word_divergence WHERE unit_id = 0
) AS b ON b.model_id = s.model_id AND b.scope = s.scope AND b.word = s.neighbour
LEFT JOIN word_groups AS ga
    ON ga.model_id = s.model_id AND ga.scope = s.scope AND ga.method = s.method
   AND ga.word = s.word
LEFT JOIN word_groups AS gb
    ON gb.model_id = s.model_id AND gb.scope = s.scope AND gb.method = s.method
   AND gb.word = s.neighbour;
