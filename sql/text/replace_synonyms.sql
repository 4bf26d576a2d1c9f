-- Replace the merge table with a new one.
-- Reads: synonym_batch (registered Arrow: term, canonical, source). Writes: synonyms.
-- Parameters: none.
DELETE FROM synonyms;

INSERT INTO synonyms (term, canonical, source)
SELECT term, canonical, source
FROM synonym_batch;
