-- Forget every token so the next text run tags all products again (`attrdb text --rebuild`).
-- Reads: nothing. Writes: tokens, text_lines, tokenized_products. Parameters: none.
DELETE FROM tokens;

DELETE FROM text_lines;

DELETE FROM tokenized_products;
