-- divergence/block: per unit block (the units binned into divergence_binned), every unit's
-- histogram over the whole universe (totals), from which the other side follows by
-- subtraction instead of a second scan, and each unit's fullest bin (`is_mode`, and the list
-- divergence_modes.modes by unit_id, NULL outside the block): counts.sql skips its rows,
-- because a side's count in that bin is its size minus its counts in the other bins, so the
-- histograms never join the most common activations (a filter by list position; deleting
-- the rows instead costs more than it saves). Empties divergence_counts for the block.
-- Reads: divergence_binned, divergence_edges.
-- Writes: temp tables divergence_totals(unit, bin, chunk, shift, total, is_mode) (non-empty
--         bins only; shift = the bin's bit offset in its chunk's counter),
--         divergence_modes(modes) (one row: each unit's mode bin at position unit_id + 1),
--         divergence_counts (empty; filled per chunk).
-- Parameters: $bins_per_chunk, $field_bits.

CREATE OR REPLACE TEMP TABLE divergence_totals AS
SELECT
    unit,
    bin,
    CAST(bin // $bins_per_chunk AS INTEGER) AS chunk,
    CAST($field_bits * (bin % $bins_per_chunk) AS INTEGER) AS shift,
    total,
    row_number() OVER (PARTITION BY unit ORDER BY total DESC, bin) = 1 AS is_mode
FROM (
    SELECT unit, bin, count(*) AS total
    FROM divergence_binned
    GROUP BY unit, bin
);

CREATE OR REPLACE TEMP TABLE divergence_modes AS
SELECT list(t.bin ORDER BY b.unit_id) AS modes
FROM divergence_edges AS b
LEFT JOIN divergence_totals AS t ON t.unit = b.unit_id AND t.is_mode;

CREATE OR REPLACE TEMP TABLE divergence_counts (
    widx INTEGER NOT NULL,
    unit INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    packed HUGEINT NOT NULL
);
