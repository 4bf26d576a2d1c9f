-- Macros of context-robust discovery (sql/context/*.sql, sql/vocab/scope_products.sql);
-- free for ad-hoc SQL on products, text_lines and scopes.
--
-- line_key(text): a line's boilerplate key: lower case, every run of digits as '0', every
--   run of other non-letters as one space, trimmed ('Height-6'', Shoulders-18"' and
--   'height 5 shoulders 17' share 'height 0 shoulders 0'). Unicode letters are kept, so
--   Japanese lines keep their text.
-- metadata_value(metadata, path): the string at `path` of a products.metadata JSON object:
--   'key', or 'key.subkey' where the key's value is a JSON object or a JSON text (Myntra's
--   article_attributes is stored as text: 'article_attributes.Pattern'). NULL when absent.
--   A path without '$' is a plain key to DuckDB's JSON functions, so keys need no quoting
--   (a key starting with '$' or '/' would be read as a JSON path or pointer).
-- scope_field_value(field, category, metadata): a product's value of a scope's category
--   field: 'category' = products.category, 'metadata.<path>' = metadata_value(metadata, path).
-- scope_stratum(field, match_shop, category, metadata, shop): the group within which a
--   category-matched scope compares positives with negatives: the product's value of the
--   match field, and with match_shop its shop too ('<value> chr(31) <shop>'; a missing value
--   or shop is ''), so one shop's house style is never taken for an attribute.
-- scope_admits(definition, category, metadata): whether a scope definition (scopes.definition
--   JSON) admits a product: true without a category_field, else the product's value of that
--   field is one of the definition's categories.
-- value_words(text): the lower-case words of an attribute value ('Navy Blue' -> [navy, blue]).

CREATE OR REPLACE MACRO line_key(text) AS
    trim(regexp_replace(
        regexp_replace(lower(text), '\p{N}+', '0', 'g'), '[^\p{L}\p{N}]+', ' ', 'g'));

CREATE OR REPLACE MACRO metadata_value(metadata, path) AS
    CASE
        WHEN NOT contains(path, '.') THEN json_extract_string(metadata, path)
        ELSE try(json_extract_string(
            json_extract_string(metadata, split_part(path, '.', 1)),
            substr(path, strpos(path, '.') + 1)))
    END;

CREATE OR REPLACE MACRO scope_field_value(field, category, metadata) AS
    CASE
        WHEN field = 'category' THEN category
        WHEN starts_with(field, 'metadata.') THEN metadata_value(metadata, substr(field, 10))
    END;

CREATE OR REPLACE MACRO scope_stratum(field, match_shop, category, metadata, shop) AS
    CASE
        WHEN match_shop
            THEN coalesce(scope_field_value(field, category, metadata), '') || chr(31)
                || coalesce(shop, '')
        ELSE scope_field_value(field, category, metadata)
    END;

CREATE OR REPLACE MACRO scope_admits(definition, category, metadata) AS
    json_extract_string(definition, '$.category_field') IS NULL
    OR coalesce(list_contains(
        CAST(json_extract(definition, '$.categories') AS VARCHAR[]),
        scope_field_value(json_extract_string(definition, '$.category_field'), category, metadata)
    ), false);

CREATE OR REPLACE MACRO value_words(text) AS
    list_filter(regexp_split_to_array(lower(text), '[^\p{L}]+'), lambda w: w <> '');
