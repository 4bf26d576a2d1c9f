-- Macros of phrase candidates (sql/phrases/*.sql); free for ad-hoc SQL.
--
-- llr_term(k, e): one cell's share of Dunning's log-likelihood ratio G^2 = 2 * sum k ln(k/e)
--   over a 2x2 contingency table (k observed, e expected under independence); an empty
--   cell adds 0.
-- is_phrase_head(pos) / is_phrase_noun(pos): Penn tags that may start (adjective or noun)
--   and end (noun) a candidate phrase. spaCy tags title-case words NNP, so proper nouns count.

CREATE OR REPLACE MACRO llr_term(k, e) AS CASE WHEN k > 0 THEN k * ln(k / e) ELSE 0.0 END;

CREATE OR REPLACE MACRO is_phrase_noun(pos) AS pos IN ('NN', 'NNS', 'NNP', 'NNPS');

CREATE OR REPLACE MACRO is_phrase_head(pos) AS
    pos IN ('JJ', 'JJR', 'JJS', 'NN', 'NNS', 'NNP', 'NNPS');
