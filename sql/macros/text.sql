-- Word classes used by the vocabulary stage and by analysts' queries on tokens.
-- Reads: nothing. Writes: macros is_adjective(pos), is_noun(pos), is_wordlike(word),
-- is_location_word(word).
-- Parameters: none.

-- Penn adjective tags (the paper's JJ, JJR, JJS) and Sudachi's adjectives: 形容詞
-- (i-adjectives such as 可愛い) and 形状詞 (na-adjectives such as シンプル).
CREATE OR REPLACE MACRO is_adjective(pos) AS
    pos IN ('JJ', 'JJR', 'JJS') OR split_part(pos, '-', 1) IN ('形容詞', '形状詞');

-- Penn noun tags (NN, NNS, NNP, NNPS: spaCy tags a capitalised title word NNP) and Sudachi's
-- nouns (名詞): the words sql/text/product_types.sql reads a product type from.
CREATE OR REPLACE MACRO is_noun(pos) AS
    pos IN ('NN', 'NNS', 'NNP', 'NNPS') OR split_part(pos, '-', 1) = '名詞';

-- A candidate word is runs of letters (any script; a run starts with a letter and may carry
-- combining marks: Devanagari vowel signs, accents) joined by single connectors: a dash
-- (v-neck, t-shirt as whole tags), an apostrophe (men's), a middle dot (デニム・オン・デニム)
-- or a space (multi-word tags). So no digit, symbol or other punctuation: sizes and counts
-- (1p, 5pk, 90s, 3d, height-6), trademarks (div+, nike+), stray punctuation ('s, t-),
-- abbreviations and addresses (dk.grey, www.cat.com) and HTML entity remnants
-- (sporty&rdquo) are no candidates. Kana prolonged-sound marks (ー) are letters (Lm).
CREATE OR REPLACE MACRO is_wordlike(word) AS regexp_matches(
    word, '^\p{L}[\p{L}\p{M}]*(?:[\p{Pd}\x{27}\x{2019}\x{30FB}\x{B7}\x{FF65} ]\p{L}[\p{L}\p{M}]*)*$'
);

-- Words that say where on a product something is, not what it looks like: the closed class
-- of English spatial adjectives ("logo on the left chest", "print on the front", "lower
-- sole", "inner lining") and their Japanese counterparts (nouns: 左, 前, 内側). A scope
-- leaves them out of its vocabulary unless defined with location_words = 'keep'
-- (attrdb.context.scopes): they read as visual only because the parts placed there are.
-- The list is the word class, written out once, not words picked from a ranking; orientation
-- and shape words (horizontal, vertical, high, low, wide) describe appearance and are kept.
CREATE OR REPLACE MACRO is_location_word(word) AS word IN (
    'left', 'right', 'front', 'back', 'rear', 'side', 'top', 'bottom', 'middle', 'centre',
    'center', 'central', 'upper', 'lower', 'inner', 'outer', 'inside', 'outside', 'interior',
    'exterior', 'internal', 'external', 'lateral', 'medial', 'frontal',
    '左', '右', '前', '後ろ', '後', '横', '上', '下', '内側', '外側', '中央', '上部', '下部',
    '前面', '背面', '側面', '表', '裏'
);
