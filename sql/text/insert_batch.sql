-- Write one batch of tagged products (the caller wraps it in a transaction).
-- Reads: token_batch, line_batch, done_batch (registered Arrow), synonyms,
--        tokenized_products. Writes: tokens, text_lines, tokenized_products.
-- Parameters: $lang_option (en/ja/auto as asked), $run_id.
-- Products already marked done are skipped, so a batch can never be written twice.
INSERT INTO tokens (product_id, word, pos, field, line_no, position, surface, lang, norm)
SELECT b.product_id, coalesce(s.canonical, b.norm), b.pos, b.field, b.line_no, b.position,
       b.surface, b.lang, b.norm
FROM token_batch AS b
LEFT JOIN synonyms AS s ON s.term = b.norm
ANTI JOIN tokenized_products AS d ON d.product_id = b.product_id;

INSERT INTO text_lines (product_id, field, line_no, text)
SELECT b.product_id, b.field, b.line_no, b.text
FROM line_batch AS b
ANTI JOIN tokenized_products AS d ON d.product_id = b.product_id;

INSERT INTO tokenized_products (product_id, lang_option, n_tokens, run_id)
SELECT b.product_id, $lang_option, b.n_tokens, $run_id
FROM done_batch AS b
ANTI JOIN tokenized_products AS d ON d.product_id = b.product_id;
