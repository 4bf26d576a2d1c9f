-- explorer/product_lines: a listing's text lines with their tokens (word and POS tag).
-- Reads: text_lines, tokens. Writes: nothing. Parameters: $product_id.
SELECT
    l.field,
    l.line_no,
    l.text,
    (SELECT list({'word': t.word, 'pos': t.pos} ORDER BY t.position)
     FROM tokens AS t
     WHERE t.product_id = l.product_id AND t.field = l.field AND t.line_no = l.line_no)
        AS tokens
FROM text_lines AS l
WHERE l.product_id = $product_id
ORDER BY l.field, l.line_no;
