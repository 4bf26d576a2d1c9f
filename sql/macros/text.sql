-- Word classes used by the vocabulary stage and by analysts' queries on tokens.
-- Reads: nothing. Writes: macros is_adjective(pos), is_wordlike(word). Parameters: none.

-- Penn adjective tags (the paper's JJ, JJR, JJS) and Sudachi's adjectives: 形容詞
-- (i-adjectives such as 可愛い) and 形状詞 (na-adjectives such as シンプル).
CREATE OR REPLACE MACRO is_adjective(pos) AS
    pos IN ('JJ', 'JJR', 'JJS') OR split_part(pos, '-', 1) IN ('形容詞', '形状詞');

-- A word has at least one letter (any script): drops punctuation, numbers and sizes.
CREATE OR REPLACE MACRO is_wordlike(word) AS regexp_matches(word, '\p{L}');
