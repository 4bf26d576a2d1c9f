-- 0017 phrases: two-word phrase candidates per scope (docs/phrases.md), written by
-- `attrdb vocab --phrases N`; the selected ones join the vocabulary with kind 'phrase'.
-- Reads: nothing. Writes: phrase_candidates.

-- Adjective-noun and noun-noun bigrams within a sentence, with their frequency and
-- association over all adjacent token pairs of the scope's titles and descriptions:
-- pmi = ln(n12 N / (n1 n2)), llr = Dunning's G^2 of the 2x2 table (chi-square, 1 df).
CREATE TABLE phrase_candidates (
    scope VARCHAR NOT NULL DEFAULT 'default',
    phrase VARCHAR NOT NULL,         -- 'first second'
    first VARCHAR NOT NULL,
    second VARCHAR NOT NULL,
    n_occurrences BIGINT NOT NULL,   -- adjacent occurrences (n12)
    n_products BIGINT NOT NULL,      -- scope products holding it (any tags) = |D+|
    n_kind BIGINT NOT NULL,          -- of those, holding it tagged adjective/noun + noun
    pmi DOUBLE NOT NULL,
    llr DOUBLE NOT NULL,
    rank INTEGER NOT NULL,           -- 1 = largest n_kind (then llr)
    selected BOOLEAN NOT NULL DEFAULT false, -- added to the vocabulary
    PRIMARY KEY (scope, phrase)
);
