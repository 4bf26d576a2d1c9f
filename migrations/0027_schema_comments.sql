-- 0027 schema comments: what every table, view and column means, as COMMENT ON, so any
-- DuckDB client shows it (duckdb_tables(), duckdb_views(), duckdb_columns(): `comment`) and
-- docs/schema.md's reference is read back from the catalogue (attrdb.report.schemadoc).
-- Reads: nothing. Writes: comments only.
-- Texts: the comments of the migrations that create each relation and the public contract.
-- Every relation has a comment; every column of the public contract has one (tests check
-- both). A migration that creates a relation, adds a column or recreates a view (which
-- drops its comments) writes the COMMENT ON statements for it.
COMMENT ON TABLE runs IS 'One row per stage run; params and summary are JSON text.';
COMMENT ON COLUMN runs.run_id IS 'Run number, from the sequence run_id_seq; result rows point here.';
COMMENT ON COLUMN runs.stage IS 'Stage name: ingest, text, dedup, vocab, split, extract, divergence, depth, visualness, saliency, ...';
COMMENT ON COLUMN runs.scope IS 'The scope the run worked on (''default'' for stages without one).';
COMMENT ON COLUMN runs.params IS 'Every parameter of the run, as JSON (defaults filled in).';
COMMENT ON COLUMN runs.inputs_fingerprint IS 'Hash of the run''s inputs and parameters: attrdb run skips a stage whose fingerprint is unchanged.';
COMMENT ON COLUMN runs.summary IS 'What the run did (counts, seconds per phase), as JSON; NULL until it finishes.';
COMMENT ON COLUMN runs.attrdb_version IS 'attrdb version that ran it.';
COMMENT ON COLUMN runs.started_at IS 'When the run started.';
COMMENT ON COLUMN runs.finished_at IS 'When it ended; NULL while running.';
COMMENT ON COLUMN runs.status IS 'running / ok / failed / interrupted / crashed (a running row whose process died, closed by the next writer).';
COMMENT ON COLUMN runs.error IS 'One-line reason of a failed, interrupted or crashed run.';

COMMENT ON TABLE scopes IS 'A scope names a subset of products and the options that shape its results (category filter, boilerplate handling, negatives); every per-word result row carries its scope so results of different scopes never mix. ''default'' = all kept products.';
COMMENT ON COLUMN scopes.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN scopes.definition IS 'The scope''s options as JSON (category filter, boilerplate, negatives, match field, ...).';
COMMENT ON COLUMN scopes.created_at IS 'When the scope was defined.';

COMMENT ON TABLE products IS 'Accepted input listings. image_path is absolute (resolved against the images root). metadata keeps input columns the method must not read (for evaluation only).';
COMMENT ON COLUMN products.product_id IS 'Listing id from the catalogue''s id column, NFC-normalised; unique.';
COMMENT ON COLUMN products.shop IS 'Shop or brand (near-duplicates are grouped within a shop).';
COMMENT ON COLUMN products.title IS 'Listing title.';
COMMENT ON COLUMN products.description IS 'Listing description (may hold HTML; the text stage cleans it).';
COMMENT ON COLUMN products.category IS 'Product category, used by category-matched negatives and reports.';
COMMENT ON COLUMN products.image_path IS 'Absolute path of the image, resolved under the images root; NULL only with --allow-text-only.';
COMMENT ON COLUMN products.tags IS 'User tags of the listing.';
COMMENT ON COLUMN products.metadata IS 'Input columns kept for evaluation only (--metadata-columns), as JSON; the method never reads them.';
COMMENT ON COLUMN products.source IS 'The ingested file (ingest_sources.source).';
COMMENT ON COLUMN products.source_row IS 'Row number in the source file: CSV record after the header, JSON Lines line, Parquet row (from 1).';
COMMENT ON COLUMN products.ingested_at IS 'When the row was ingested.';

COMMENT ON TABLE product_rejects IS 'Every input row that was not accepted, with why. raw is the row as read: a JSON object keyed by column name, or the line''s text when it could not be parsed. reason is a short code to group by (missing_id, duplicate_id, image_missing, ...: docs/ingest.md); detail says it for this row (the path not found, the row holding the same id, ...). source_row: CSV record number after the header, JSON Lines line number, Parquet row (from 1).';
COMMENT ON COLUMN product_rejects.source IS 'The ingested file (ingest_sources.source).';
COMMENT ON COLUMN product_rejects.source_row IS 'Row number in the source file: CSV record after the header, JSON Lines line, Parquet row (from 1).';
COMMENT ON COLUMN product_rejects.product_id IS 'The row''s id when one could be read.';
COMMENT ON COLUMN product_rejects.raw IS 'The row as read: a JSON object keyed by column name, or the line''s text when it could not be parsed.';
COMMENT ON COLUMN product_rejects.reason IS 'Short code to group by: missing_id, duplicate_id, image_missing, ... (docs/ingest.md).';
COMMENT ON COLUMN product_rejects.detail IS 'The reason for this row: the path not found, the row holding the same id, ...';
COMMENT ON COLUMN product_rejects.ingested_at IS 'When the row was ingested.';

COMMENT ON TABLE ingest_sources IS 'One row per ingested file content: ingesting the same bytes again (from any path) is a no-op. n_rows = n_accepted + n_rejected.';
COMMENT ON COLUMN ingest_sources.source IS 'Path of the ingested file as given.';
COMMENT ON COLUMN ingest_sources.sha256 IS 'sha256 of the file''s bytes: the same content again adds nothing.';
COMMENT ON COLUMN ingest_sources.format IS 'csv / jsonl / parquet.';
COMMENT ON COLUMN ingest_sources.n_rows IS 'Input rows = n_accepted + n_rejected.';
COMMENT ON COLUMN ingest_sources.n_accepted IS 'Rows added to products.';
COMMENT ON COLUMN ingest_sources.n_rejected IS 'Rows written to product_rejects.';
COMMENT ON COLUMN ingest_sources.run_id IS 'The run that wrote the row (runs.run_id).';
COMMENT ON COLUMN ingest_sources.ingested_at IS 'When the row was ingested.';

COMMENT ON TABLE text_lines IS 'The text of each product split into lines / sentences per field.';
COMMENT ON COLUMN text_lines.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN text_lines.field IS 'title / description / tag';
COMMENT ON COLUMN text_lines.line_no IS 'line or sentence index within the field, from 0';

COMMENT ON TABLE tokens IS 'One row per word occurrence. word = norm rewritten through `synonyms`, so every later query reads merged words; norm keeps the tagger''s own form so merges can be redone.';
COMMENT ON COLUMN tokens.product_id IS 'The listing the word occurs in (products.product_id).';
COMMENT ON COLUMN tokens.word IS 'norm, or its synonyms.canonical when it has one';
COMMENT ON COLUMN tokens.pos IS 'Penn tag (JJ, NN, ...) or Sudachi POS (形容詞-一般, ...)';
COMMENT ON COLUMN tokens.field IS 'title / description / tag';
COMMENT ON COLUMN tokens.line_no IS 'Line or sentence of the field (text_lines.line_no).';
COMMENT ON COLUMN tokens.position IS 'token index within the line';
COMMENT ON COLUMN tokens.surface IS 'the text as written';
COMMENT ON COLUMN tokens.lang IS 'en / ja';
COMMENT ON COLUMN tokens.norm IS 'lower-cased (English) / Sudachi normalized_form (Japanese)';

COMMENT ON TABLE tokenized_products IS 'Products the text stage has finished (also those whose text gave no token), so a rerun skips them and an interrupted run resumes where it stopped.';
COMMENT ON COLUMN tokenized_products.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN tokenized_products.lang_option IS 'en / ja / auto, as asked';
COMMENT ON COLUMN tokenized_products.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE stop_words IS 'English stop words left out of the near-duplicate bags of words (scikit-learn''s ENGLISH_STOP_WORDS, 318 words).';
COMMENT ON COLUMN stop_words.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';

COMMENT ON TABLE synonyms IS 'Merge table: a token whose norm equals term gets word = canonical (see `attrdb text --synonyms`). source names the file the row came from.';

COMMENT ON TABLE duplicate_groups IS 'Near-duplicate clusters per shop; one product kept per group.';
COMMENT ON COLUMN duplicate_groups.product_id IS 'A listing of the shop (products.product_id).';
COMMENT ON COLUMN duplicate_groups.shop IS 'The shop the group lies in: listings are compared within a shop only.';
COMMENT ON COLUMN duplicate_groups.group_id IS 'smallest product_id of the group';
COMMENT ON COLUMN duplicate_groups.kept IS 'True for the one listing kept per group (chosen at random by seed).';

COMMENT ON VIEW kept_products IS 'The products kept by near-duplicate removal (products joined with duplicate_groups where kept).';
COMMENT ON COLUMN kept_products.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN kept_products.shop IS 'Shop or brand of the listing.';
COMMENT ON COLUMN kept_products.title IS 'Listing title as ingested.';
COMMENT ON COLUMN kept_products.category IS 'Category of the listing as ingested.';
COMMENT ON COLUMN kept_products.image_path IS 'Absolute path of the product image (NULL for a text-only listing).';
COMMENT ON COLUMN kept_products.source_row IS 'Row number in the source file: CSV record after the header, JSON Lines line, Parquet row (from 1).';
COMMENT ON COLUMN kept_products.ingested_at IS 'When the row was ingested.';

COMMENT ON TABLE scope_products IS 'The universe of each scope (written by `attrdb vocab`, sql/vocab/scope_products.sql).';
COMMENT ON COLUMN scope_products.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN scope_products.product_id IS 'A listing (products.product_id).';

COMMENT ON TABLE vocabulary IS 'Candidate attribute words of a scope (kind: adjective / tag / phrase / all).';
COMMENT ON COLUMN vocabulary.scope IS 'The scope the vocabulary was chosen for.';
COMMENT ON COLUMN vocabulary.word IS 'The candidate attribute word (or phrase).';
COMMENT ON COLUMN vocabulary.n_products IS 'scope products whose text holds the word = |D+|';
COMMENT ON COLUMN vocabulary.n_kind IS 'of those, products holding it as the kind (e.g. as JJ)';
COMMENT ON COLUMN vocabulary.rank IS '1 = largest n_kind';
COMMENT ON COLUMN vocabulary.kind IS 'adjective / tag / phrase / all';

COMMENT ON TABLE word_products IS 'D+ membership: which products'' text has each vocabulary word (per scope).';
COMMENT ON COLUMN word_products.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN word_products.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN word_products.product_id IS 'A listing (products.product_id).';

COMMENT ON TABLE splits IS 'Every product''s split: train / test / val.';
COMMENT ON COLUMN splits.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN splits.split IS 'train / test / val, 50/25/25 by md5(''split:'' || seed || '':'' || product_id).';

COMMENT ON TABLE models IS 'A CNN and its exact weights.';
COMMENT ON COLUMN models.model_id IS 'Registered model id (e.g. efficientnet_lite0); one id, one set of weights.';
COMMENT ON COLUMN models.name IS 'architecture, e.g. efficientnet_lite0, alexnet';
COMMENT ON COLUMN models.weights IS 'where the weights came from (file path or package)';
COMMENT ON COLUMN models.weights_sha256 IS 'sha256 of the weights: the same model_id with other weights is refused.';
COMMENT ON COLUMN models.input_size IS 'Side of the square input image, pixels.';
COMMENT ON COLUMN models.mean IS 'Per-channel mean the inputs are normalised with (RGB, [0, 1] scale).';
COMMENT ON COLUMN models.std IS 'Per-channel standard deviation the inputs are normalised with.';
COMMENT ON COLUMN models.n_units IS 'Units over all tapped layers = length of activation_vectors.vals.';
COMMENT ON COLUMN models.registered_at IS 'When the model was registered.';
COMMENT ON COLUMN models.pooling IS 'How conv maps were pooled over space into units: max (the paper), mean, or both.';

COMMENT ON TABLE units IS 'Every unit (channel) of every tapped layer of a model.';
COMMENT ON COLUMN units.model_id IS 'The model (models.model_id).';
COMMENT ON COLUMN units.unit_id IS '0..n_units-1, position in activation_vectors.vals';
COMMENT ON COLUMN units.layer IS 'Tapped layer name, e.g. stage3, pool5.';
COMMENT ON COLUMN units.layer_index IS '0 = earliest tapped layer';
COMMENT ON COLUMN units.channel IS 'Channel within the layer.';
COMMENT ON COLUMN units.pooling IS 'The pooling this unit holds: max or mean (a ''both'' model lists its max units first).';

COMMENT ON TABLE activation_vectors IS 'One row per (model, image): every unit''s activation, pooled over space (units.pooling), in unit_id order.';
COMMENT ON COLUMN activation_vectors.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN activation_vectors.product_id IS 'A listing (products.product_id).';

COMMENT ON VIEW activations IS 'Activation per (model, product, unit), pooled over space: activation_vectors unnested, one row per unit.';
COMMENT ON COLUMN activations.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN activations.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN activations.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';
COMMENT ON COLUMN activations.value IS 'The unit''s activation on the image, pooled over space (units.pooling).';

COMMENT ON TABLE activation_errors IS 'Images that could not be processed, with why.';
COMMENT ON COLUMN activation_errors.model_id IS 'The model the extraction ran for.';
COMMENT ON COLUMN activation_errors.product_id IS 'The listing whose image failed.';
COMMENT ON COLUMN activation_errors.reason IS 'Why: missing, truncated, empty, not an image, too large, ...';
COMMENT ON COLUMN activation_errors.failed_at IS 'When it failed.';

COMMENT ON TABLE unit_bins IS 'Histogram binning per unit: a value v falls in bin b when edges[b] <= v < edges[b+1], the last bin closed (numpy.histogram semantics).';
COMMENT ON COLUMN unit_bins.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN unit_bins.scope IS 'The scope whose training split the edges were fitted on.';
COMMENT ON COLUMN unit_bins.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';
COMMENT ON COLUMN unit_bins.edges IS 'n_bins + 1 ascending; numpy.histogram semantics';
COMMENT ON COLUMN unit_bins.constant IS 'the unit never varies over the training split';

COMMENT ON TABLE unit_word_divergence IS 'Symmetric KL divergence (eq. 1) of every unit and word; the split, bin count and smoothing used are in the stage''s runs.params.';
COMMENT ON COLUMN unit_word_divergence.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN unit_word_divergence.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN unit_word_divergence.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN unit_word_divergence.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';
COMMENT ON COLUMN unit_word_divergence.kl IS 'Symmetric KL divergence of the unit between the word''s D+ and D- histograms (eq. 1).';
COMMENT ON COLUMN unit_word_divergence.n_pos IS 'Training products of D+ (the word''s positives) the histogram counts.';
COMMENT ON COLUMN unit_word_divergence.n_neg IS 'Training products of D- (the others) the histogram counts.';
COMMENT ON COLUMN unit_word_divergence.kl_null IS 'KL a random D+ of n_pos products gets (the chance level).';
COMMENT ON COLUMN unit_word_divergence.kl_null_sd IS 'Standard deviation of kl_null.';
COMMENT ON COLUMN unit_word_divergence.kl_z IS '(kl - kl_null) / kl_null_sd: the divergence in standard deviations above chance; NULL when no null was measured.';

COMMENT ON TABLE prime_units IS 'The top units of each word by KL (rank 1 = highest).';
COMMENT ON COLUMN prime_units.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN prime_units.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN prime_units.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN prime_units.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';
COMMENT ON COLUMN prime_units.rank IS '1 = highest KL';
COMMENT ON COLUMN prime_units.kl IS 'The unit''s symmetric KL for the word.';
COMMENT ON COLUMN prime_units.kl_z IS 'The unit''s null-corrected KL, the value prime units rank by when a null was measured.';

COMMENT ON TABLE layer_depth IS 'Per word and layer, the largest KL of the layer''s units and its share of the sum over layers (eq. 4).';
COMMENT ON COLUMN layer_depth.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN layer_depth.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN layer_depth.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN layer_depth.layer IS 'Name of a tapped layer (units.layer).';
COMMENT ON COLUMN layer_depth.layer_index IS 'Position of the layer among the model''s tapped layers, 0 = earliest.';
COMMENT ON COLUMN layer_depth.max_kl IS 'Largest KL of the layer''s units for the word.';
COMMENT ON COLUMN layer_depth.relative IS 'eq. 4: max_kl / sum over layers of max_kl';
COMMENT ON COLUMN layer_depth.max_kl_z IS 'The layer''s largest kl_z.';
COMMENT ON COLUMN layer_depth.excess_z IS 'max_kl_z - null_max_z_mean: the layer''s largest kl_z above what chance gives a layer of its size.';
COMMENT ON COLUMN layer_depth.relative_z IS 'Eq. 4 on max(excess_z, 0): the null-corrected relative magnitude.';

COMMENT ON TABLE visualness IS 'One row per (model, scope, word, method). accuracy is the balanced test accuracy of the method''s classifier (V(u) for ''resample''); NULL when the word has too few train or test positives (n_train / n_test say how many it had). For ''language_prior'' accuracy holds the language score (see language_prior) and n_train / n_test the word''s occurrences and modifying occurrences. params: every hyper-parameter of the run (JSON), so a rerun with other settings recomputes instead of mixing results.';
COMMENT ON COLUMN visualness.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN visualness.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN visualness.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN visualness.method IS 'random / initial / resample (the paper''s three), crossfit (cross-fitted, every universe product tested once), language_prior (the text baseline).';
COMMENT ON COLUMN visualness.accuracy IS 'balanced test accuracy (V(u) for resample)';
COMMENT ON COLUMN visualness.n_train IS 'Training products (positives and negatives) of the classifier.';
COMMENT ON COLUMN visualness.n_test IS 'Test products the accuracy is measured on.';
COMMENT ON COLUMN visualness.seed IS 'Seed of the split and the negatives'' sampling.';
COMMENT ON COLUMN visualness.n_units IS 'features the classifier saw (NULL for language_prior)';
COMMENT ON COLUMN visualness.params IS 'Every hyper-parameter of the run (JSON): a rerun with other settings recomputes.';
COMMENT ON COLUMN visualness.run_id IS 'The run that wrote the row (runs.run_id).';
COMMENT ON COLUMN visualness.auc IS 'Area under the ROC curve of the classifier''s test scores.';
COMMENT ON COLUMN visualness.accuracy_low IS 'Lower end of the 95 % interval of the balanced accuracy.';
COMMENT ON COLUMN visualness.accuracy_high IS 'Upper end of the 95 % interval of the balanced accuracy.';
COMMENT ON COLUMN visualness.auc_low IS 'Lower end of the 95 % interval of the AUC (Hanley & McNeil).';
COMMENT ON COLUMN visualness.auc_high IS 'Upper end of the 95 % interval of the AUC (Hanley & McNeil).';
COMMENT ON COLUMN visualness.n_test_pos IS 'Test positives behind the score.';
COMMENT ON COLUMN visualness.n_test_neg IS 'Test negatives behind the score.';

COMMENT ON TABLE classifiers IS 'The trained classifiers, so other stages (saliency) can score or back-propagate: score(x) = sigmoid(sum_i ((x[unit_ids[i]] - mean[i]) / scale[i]) * coef[i] + intercept), with unit_ids NULL meaning every unit in unit_id order (x = activation_vectors.vals). The macro classifier_score(vals, unit_ids, coef, intercept, mean, scale) computes it in SQL.';
COMMENT ON COLUMN classifiers.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN classifiers.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN classifiers.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN classifiers.method IS 'random / initial / resample / crossfit.';
COMMENT ON COLUMN classifiers.unit_ids IS 'feature i is unit unit_ids[i]; NULL = all units';
COMMENT ON COLUMN classifiers.coef IS 'weights on the standardised features';
COMMENT ON COLUMN classifiers.mean IS 'standardisation, fitted on the training sample';
COMMENT ON COLUMN classifiers.n_train IS 'Training products of the classifier.';
COMMENT ON COLUMN classifiers.seed IS 'Random seed of the split or the classifier''s sampling.';
COMMENT ON COLUMN classifiers.params IS 'Every parameter of the run, as JSON.';
COMMENT ON COLUMN classifiers.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE predictions IS 'Each classifier''s score for every product of the scope that has activations (train, test and val splits), the purifier''s raw material. No key: the stage replaces a word''s rows in the same transaction that writes them, and an index over millions of rows costs memory.';
COMMENT ON COLUMN predictions.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN predictions.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN predictions.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN predictions.method IS 'random / initial / resample / crossfit: the classifier that scored.';
COMMENT ON COLUMN predictions.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN predictions.score IS 'classifier confidence that the image shows the word';

COMMENT ON TABLE language_prior IS 'The language-prior baseline (Table 1''s last row), from the catalogue''s own text instead of Google Books n-grams: how often the word stands right before a frequent product noun.';
COMMENT ON COLUMN language_prior.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN language_prior.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN language_prior.n_occurrences IS 'tokens of the word in the scope''s products';
COMMENT ON COLUMN language_prior.n_modifying IS 'of those, immediately followed by a product noun';
COMMENT ON COLUMN language_prior.score IS 'n_modifying / n_occurrences';

COMMENT ON TABLE language_prior_nouns IS 'The product nouns the language prior counted (most frequent nouns of the scope).';
COMMENT ON COLUMN language_prior_nouns.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';

COMMENT ON TABLE human_judgments IS 'Imported crowd votes: for one image pair of a word, how many of n_annotators judged the word visible (the pair "visual").';
COMMENT ON COLUMN human_judgments.word IS 'The word judged.';
COMMENT ON COLUMN human_judgments.pair_id IS 'The image pair shown (an id from the imported file).';
COMMENT ON COLUMN human_judgments.positive_votes IS 'Annotators who judged the word visible in the pair.';
COMMENT ON COLUMN human_judgments.n_annotators IS 'Annotators who judged the pair.';
COMMENT ON COLUMN human_judgments.source IS 'The imported file.';
COMMENT ON COLUMN human_judgments.source_row IS 'Row number in the source file: CSV record after the header, JSON Lines line, Parquet row (from 1).';

COMMENT ON TABLE human_rejects IS 'Every imported human-judgment row that was not accepted, with why.';
COMMENT ON COLUMN human_rejects.source_row IS 'Row number in the source file: CSV record after the header, JSON Lines line, Parquet row (from 1).';

COMMENT ON TABLE human_visualness IS 'H(u), eq. 3: share of the word''s pairs with more than theta positive votes, or a per-word score imported directly (theta and n_pairs NULL then).';
COMMENT ON COLUMN human_visualness.word IS 'The word scored.';
COMMENT ON COLUMN human_visualness.h IS 'H(u), eq. 3: share of the word''s pairs with more than theta positive votes (or the imported score).';
COMMENT ON COLUMN human_visualness.n_pairs IS 'Pairs judged (NULL for a directly imported score).';
COMMENT ON COLUMN human_visualness.theta IS 'Vote threshold theta (NULL for a directly imported score).';
COMMENT ON COLUMN human_visualness.source IS 'The imported file.';

COMMENT ON TABLE agreement IS 'Table 1: Pearson and Spearman correlation between each method''s scores and H(u) over the words both have.';
COMMENT ON COLUMN agreement.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN agreement.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN agreement.method IS 'The visualness method compared with H(u).';
COMMENT ON COLUMN agreement.pearson IS 'Pearson correlation of the method''s scores with H(u).';
COMMENT ON COLUMN agreement.spearman IS 'Spearman rank correlation of the method''s scores with H(u).';
COMMENT ON COLUMN agreement.n_words IS 'Words scored by both (the support of the correlations).';
COMMENT ON COLUMN agreement.computed_at IS 'When it was computed.';

COMMENT ON VIEW purifier_ranked IS 'The purifier (paper Fig. 3): every scored product ranked within D+ and within D- of its word. confident_rank 1 = the classifier''s surest member of that set (highest score in D+, lowest in D-); doubtful_rank 1 = its least sure member, i.e. the likeliest false positive (D+) or false negative (D-). Filter on model_id, scope, word, method first.';
COMMENT ON COLUMN purifier_ranked.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN purifier_ranked.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN purifier_ranked.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN purifier_ranked.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN purifier_ranked.split IS 'train / test / val (splits.split).';

COMMENT ON VIEW purifier_examples IS 'Ten images of each kind per (model, scope, word, method), with the product''s title and image: the surest positives and negatives, and the likeliest false positives (D+ images the classifier rejects) and false negatives (D- images it accepts). In a set of fewer than twenty images one image can appear under both of its set''s kinds.';
COMMENT ON COLUMN purifier_examples.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN purifier_examples.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN purifier_examples.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN purifier_examples.kind_rank IS '1 = the surest (or likeliest mistaken) image of its kind.';
COMMENT ON COLUMN purifier_examples.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN purifier_examples.split IS 'train / test / val (splits.split).';
COMMENT ON COLUMN purifier_examples.title IS 'Listing title as ingested.';
COMMENT ON COLUMN purifier_examples.image_path IS 'Absolute path of the product image (NULL for a text-only listing).';

COMMENT ON TABLE occlusion_mean_images IS 'The catalogue''s mean image at a sweep size: occluding patches are cut from it (pixels in [0, 1] RGB before the model''s normalisation, so one mean image serves every model).';
COMMENT ON COLUMN occlusion_mean_images.size IS 'side of the square sweep input, pixels';
COMMENT ON COLUMN occlusion_mean_images.n_images IS 'images averaged';
COMMENT ON COLUMN occlusion_mean_images.pixels IS '3 x size x size, channel-major, row-major';

COMMENT ON TABLE occlusion_sweeps IS 'One occlusion sweep of one image at one patch size: every unit''s max-pooled response with the patch at every position, kept so that maps for any unit, word and K need no new forward pass. delta = base - occluded response (positive: the patch removed evidence).';
COMMENT ON COLUMN occlusion_sweeps.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN occlusion_sweeps.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN occlusion_sweeps.size IS 'square input side the image was resized to';
COMMENT ON COLUMN occlusion_sweeps.patch IS 'patch side, pixels of the sweep input';
COMMENT ON COLUMN occlusion_sweeps.n_y IS 'patch positions down: (size - patch) // stride + 1';
COMMENT ON COLUMN occlusion_sweeps.image_height IS 'the original image, for maps at its aspect ratio';
COMMENT ON COLUMN occlusion_sweeps.base IS 'unoccluded response per unit, unit_id order';
COMMENT ON COLUMN occlusion_sweeps.delta IS 'float16 little-endian, n_units x n_y x n_x';

COMMENT ON TABLE saliency_maps IS 'Attribute maps per image and word: KL-weighted occlusion of the word''s top-k prime units (eq. 5, kl_occlusion) and the baselines (gradient, center_prior).';
COMMENT ON COLUMN saliency_maps.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN saliency_maps.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN saliency_maps.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN saliency_maps.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN saliency_maps.method IS 'kl_occlusion / gradient / center_prior';
COMMENT ON COLUMN saliency_maps.k IS 'number of units accumulated (NULL for the others)';
COMMENT ON COLUMN saliency_maps.height IS 'Map rows (the image''s aspect ratio).';
COMMENT ON COLUMN saliency_maps.width IS 'Map columns.';
COMMENT ON COLUMN saliency_maps.map IS 'height x width values, row-major; larger = more of the word there.';
COMMENT ON COLUMN saliency_maps.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE saliency_scores IS 'Per-image evaluation scores against the human region of the word (threshold NULL: the threshold-free scores ap and pointing; otherwise iou of the map thresholded there).';
COMMENT ON COLUMN saliency_scores.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN saliency_scores.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN saliency_scores.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN saliency_scores.method IS 'kl_occlusion / gradient / center_prior (saliency_maps.method).';
COMMENT ON COLUMN saliency_scores.k IS 'Units accumulated (NULL for the baselines).';
COMMENT ON COLUMN saliency_scores.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN saliency_scores.threshold IS 'NULL for the threshold-free scores (ap, pointing).';
COMMENT ON COLUMN saliency_scores.ap IS 'Average precision of the map against the human region.';
COMMENT ON COLUMN saliency_scores.iou IS 'Intersection over union of the map thresholded at threshold with the human region.';
COMMENT ON COLUMN saliency_scores.pointing IS '1 when the map''s maximum falls in the human region, else 0.';
COMMENT ON COLUMN saliency_scores.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE saliency_eval IS 'Means of saliency_scores over the evaluated images (Fig. 6).';
COMMENT ON COLUMN saliency_eval.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN saliency_eval.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN saliency_eval.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN saliency_eval.method IS 'kl_occlusion / gradient / center_prior (saliency_maps.method).';
COMMENT ON COLUMN saliency_eval.k IS 'Units accumulated (NULL for the baselines).';
COMMENT ON COLUMN saliency_eval.threshold IS 'NULL for threshold-free scores (ap, pointing)';
COMMENT ON COLUMN saliency_eval.ap IS 'Mean average precision of the map against the human region.';
COMMENT ON COLUMN saliency_eval.iou IS 'Mean intersection over union of the thresholded map with the human region.';
COMMENT ON COLUMN saliency_eval.pointing IS 'Share of images whose map maximum falls in the human region.';
COMMENT ON COLUMN saliency_eval.n_images IS 'Images evaluated.';

COMMENT ON VIEW dataset_summary IS 'One row: how much data each stage holds (the report''s first table).';

COMMENT ON VIEW shop_dedup_summary IS 'Near-duplicate removal per shop: products, groups, kept and removed.';
COMMENT ON COLUMN shop_dedup_summary.shop IS 'Shop or brand of the listing.';

COMMENT ON VIEW reject_reasons IS 'Rejected input rows per source and reason.';

COMMENT ON VIEW visualness_ranking IS 'Visualness per (model, scope, method) ranked both ways: visual_rank 1 = most visual word, nonvisual_rank 1 = least visual; words with NULL accuracy (too few examples) are left out. h is the human score when imported (NULL otherwise). Paper Table 2.';
COMMENT ON COLUMN visualness_ranking.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN visualness_ranking.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN visualness_ranking.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN visualness_ranking.accuracy IS 'Balanced test accuracy of the method''s classifier (V(u) for resample); NULL when the word had too few train or test positives.';
COMMENT ON COLUMN visualness_ranking.n_train IS 'Training products of the classifier.';
COMMENT ON COLUMN visualness_ranking.n_test IS 'Test products of the classifier.';
COMMENT ON COLUMN visualness_ranking.h IS 'Human visualness H(u) (eq. 3, human_visualness.h); NULL when none was imported.';
COMMENT ON COLUMN visualness_ranking.visual_rank IS '1 = most visual word of the (model, scope, method).';
COMMENT ON COLUMN visualness_ranking.nonvisual_rank IS '1 = least visual word of the (model, scope, method).';
COMMENT ON COLUMN visualness_ranking.n_words IS 'Words the value is computed over.';
COMMENT ON COLUMN visualness_ranking.accuracy_low IS 'Lower end of the 95 % interval of the balanced accuracy.';
COMMENT ON COLUMN visualness_ranking.accuracy_high IS 'Upper end of the 95 % interval of the balanced accuracy.';
COMMENT ON COLUMN visualness_ranking.auc IS 'Area under the ROC curve of the classifier''s test scores.';
COMMENT ON COLUMN visualness_ranking.auc_low IS 'Lower end of the 95 % interval of the AUC (Hanley & McNeil).';
COMMENT ON COLUMN visualness_ranking.auc_high IS 'Upper end of the 95 % interval of the AUC (Hanley & McNeil).';
COMMENT ON COLUMN visualness_ranking.n_test_pos IS 'Test positives behind the score.';
COMMENT ON COLUMN visualness_ranking.n_test_neg IS 'Test negatives behind the score.';
COMMENT ON COLUMN visualness_ranking.rank_sd IS 'Standard deviation of the word''s rank over the seeds (visualness_stability).';
COMMENT ON COLUMN visualness_ranking.rank_min IS 'Best rank over the seeds.';
COMMENT ON COLUMN visualness_ranking.rank_max IS 'Worst rank over the seeds.';
COMMENT ON COLUMN visualness_ranking.n_seeds IS 'Seeds (or fold draws) the stability is measured over.';

COMMENT ON VIEW visualness_wide IS 'One row per (model, scope, word) with each method''s score side by side.';
COMMENT ON COLUMN visualness_wide.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN visualness_wide.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN visualness_wide.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN visualness_wide.h IS 'Human visualness H(u) (eq. 3, human_visualness.h); NULL when none was imported.';

COMMENT ON VIEW prime_unit_layers IS 'Prime units with the layer and channel they sit in.';
COMMENT ON COLUMN prime_unit_layers.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN prime_unit_layers.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN prime_unit_layers.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN prime_unit_layers.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';
COMMENT ON COLUMN prime_unit_layers.kl IS 'Symmetric KL divergence of the unit between the word''s D+ and D- histograms (eq. 1).';
COMMENT ON COLUMN prime_unit_layers.layer IS 'Name of a tapped layer (units.layer).';
COMMENT ON COLUMN prime_unit_layers.layer_index IS 'Position of the layer among the model''s tapped layers, 0 = earliest.';
COMMENT ON COLUMN prime_unit_layers.channel IS 'Channel of the unit within its layer.';
COMMENT ON COLUMN prime_unit_layers.kl_z IS '(kl - kl_null) / kl_null_sd: the divergence in standard deviations above chance; NULL when no null was measured.';

COMMENT ON VIEW layer_salient_words IS 'Paper Table 3: words ranked within each layer by relative magnitude (eq. 4); layer_rank 1 = the word whose KL is most concentrated in this layer.';
COMMENT ON COLUMN layer_salient_words.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN layer_salient_words.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN layer_salient_words.layer IS 'Name of a tapped layer (units.layer).';
COMMENT ON COLUMN layer_salient_words.layer_index IS 'Position of the layer among the model''s tapped layers, 0 = earliest.';
COMMENT ON COLUMN layer_salient_words.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN layer_salient_words.relative IS 'Relative magnitude (eq. 4): max_kl of the layer / sum over layers of max_kl.';
COMMENT ON COLUMN layer_salient_words.max_kl IS 'Largest KL over the units considered.';
COMMENT ON COLUMN layer_salient_words.relative_z IS 'Eq. 4 on max(excess_z, 0): the null-corrected relative magnitude.';
COMMENT ON COLUMN layer_salient_words.max_kl_z IS 'Largest kl_z over the units considered (NULL without a null).';
COMMENT ON COLUMN layer_salient_words.excess_z IS 'max_kl_z - null_max_z_mean: the layer''s largest kl_z above what chance gives a layer of its size.';

COMMENT ON VIEW word_depth_peak IS 'Where each word''s divergence peaks: the layer of largest relative magnitude, whether that is the model''s last tapped layer, and the relative-magnitude-weighted mean layer index.';
COMMENT ON COLUMN word_depth_peak.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN word_depth_peak.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN word_depth_peak.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN word_depth_peak.peak_layer IS 'Layer of largest relative magnitude for the word (word_depth_peak).';
COMMENT ON COLUMN word_depth_peak.peak_layer_index IS 'layer_index of peak_layer.';
COMMENT ON COLUMN word_depth_peak.peak_relative IS 'Relative magnitude of the word at its peak layer.';
COMMENT ON COLUMN word_depth_peak.mean_depth IS 'Relative-magnitude-weighted mean layer index of the word.';

COMMENT ON VIEW layer_magnitude IS 'Paper Fig. 4: per layer, the relative magnitude and max KL averaged over words.';
COMMENT ON COLUMN layer_magnitude.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN layer_magnitude.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN layer_magnitude.layer IS 'Name of a tapped layer (units.layer).';
COMMENT ON COLUMN layer_magnitude.layer_index IS 'Position of the layer among the model''s tapped layers, 0 = earliest.';
COMMENT ON COLUMN layer_magnitude.n_words IS 'Words the value is computed over.';

COMMENT ON VIEW layer_human_correlation IS 'Paper Fig. 5: per layer, how well a word''s divergence in that layer (max KL and relative magnitude) follows the human visualness score h, over the words that have both. Spearman = Pearson of average ranks (ties share the mean of their ranks).';
COMMENT ON COLUMN layer_human_correlation.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN layer_human_correlation.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN layer_human_correlation.layer IS 'Name of a tapped layer (units.layer).';
COMMENT ON COLUMN layer_human_correlation.layer_index IS 'Position of the layer among the model''s tapped layers, 0 = earliest.';
COMMENT ON COLUMN layer_human_correlation.n_words IS 'Words the value is computed over.';

COMMENT ON VIEW saliency_curves IS 'Paper Figs. 6-8: saliency scores per method and K averaged over the evaluated words.';
COMMENT ON COLUMN saliency_curves.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN saliency_curves.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN saliency_curves.n_words IS 'Words the value is computed over.';

COMMENT ON VIEW latest_runs IS 'The newest run of every (stage, scope), with its duration in seconds.';
COMMENT ON COLUMN latest_runs.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN latest_runs.run_id IS 'The run that wrote the row (runs.run_id).';
COMMENT ON COLUMN latest_runs.params IS 'Every parameter of the run, as JSON.';

COMMENT ON TABLE boilerplate_lines IS 'Description lines whose normalised text (line_key: lower case, digits as 0, punctuation as spaces) recurs across the scope''s listings: in at least min_count listings and min_share of the listings of some shop, or in at least min_listings listings overall. A flagged line is boilerplate in every shop of the scope. rank 1 = in most listings.';
COMMENT ON COLUMN boilerplate_lines.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN boilerplate_lines.line_key IS 'Normalised line text: lower case, digits as 0, punctuation as spaces.';
COMMENT ON COLUMN boilerplate_lines.n_products IS 'scope listings holding the line';
COMMENT ON COLUMN boilerplate_lines.n_shops IS 'shops of those listings';
COMMENT ON COLUMN boilerplate_lines.n_shops_flagged IS 'shops where it passes min_count and min_share';
COMMENT ON COLUMN boilerplate_lines.max_shop_share IS 'largest share of one shop''s listings holding it';
COMMENT ON COLUMN boilerplate_lines.example IS 'one line as written';

COMMENT ON TABLE boilerplate_product_lines IS 'Every description line of a scope product that is boilerplate. excluded: the scope drops boilerplate, so the vocabulary and the D+ sets ignore this line''s tokens.';
COMMENT ON COLUMN boilerplate_product_lines.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN boilerplate_product_lines.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN boilerplate_product_lines.line_no IS 'Line or sentence index within the field, from 0.';
COMMENT ON COLUMN boilerplate_product_lines.line_key IS 'Normalised line text: lower case, digits as 0, punctuation as spaces.';

COMMENT ON VIEW boilerplate_text_lines IS 'The boilerplate lines of each scope with their text, for inspection.';
COMMENT ON COLUMN boilerplate_text_lines.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN boilerplate_text_lines.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN boilerplate_text_lines.shop IS 'Shop or brand of the listing.';
COMMENT ON COLUMN boilerplate_text_lines.line_no IS 'Line or sentence index within the field, from 0.';
COMMENT ON COLUMN boilerplate_text_lines.line_key IS 'Normalised line text: lower case, digits as 0, punctuation as spaces.';

COMMENT ON TABLE category_bound_words IS 'How each vocabulary word''s positives (D+) spread over the scope''s categories (the scope''s match_field): a word whose largest category holds at least bound_share of its positives is category-bound, its visualness may be that of the category, not the word.';
COMMENT ON COLUMN category_bound_words.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN category_bound_words.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN category_bound_words.match_field IS '''category'' or ''metadata.<key>''';
COMMENT ON COLUMN category_bound_words.n_products IS '|D+| in the scope';
COMMENT ON COLUMN category_bound_words.n_categories IS 'categories holding a positive (NULL counts as one)';
COMMENT ON COLUMN category_bound_words.top_category IS 'the category holding most positives';
COMMENT ON COLUMN category_bound_words.top_share IS 'its share of the positives';
COMMENT ON COLUMN category_bound_words.bound IS 'top_share >= the scope''s bound_share';

COMMENT ON TABLE matched_coverage IS 'Category-matched divergence: per word, the positives of the split whose category also has negatives (n_pos, compared with the negatives reweighted to their category mix) and those left out because every universe product of their category has the word.';
COMMENT ON COLUMN matched_coverage.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN matched_coverage.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN matched_coverage.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN matched_coverage.n_pos IS 'matched positives';
COMMENT ON COLUMN matched_coverage.n_pos_unmatched IS 'positives in categories without negatives';
COMMENT ON COLUMN matched_coverage.n_neg IS 'negatives in the matched categories';
COMMENT ON COLUMN matched_coverage.n_categories IS 'matched categories';
COMMENT ON COLUMN matched_coverage.kept IS 'enough matched positives and negatives for a KL';

COMMENT ON TABLE metadata_agreement IS 'Do the classifiers'' surest test predictions agree with structured catalogue attributes the method never reads (products.metadata)? For each word that names a value of the attribute (e.g. ''red'' in base_colour ''Red'', ''striped'' in Pattern ''Striped''): of the k test products with a known attribute value scored highest, the share whose value holds the word (precision), against the share among all those test products (base_rate) and among the test products whose text has the word (text_precision, the label''s own noise). category_rate is what the categories alone explain: the mean, over the ranked products, of the share of test products of the same category (the scope''s match_field) that agree; a classifier that only recognises product types has precision close to category_rate.';
COMMENT ON COLUMN metadata_agreement.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN metadata_agreement.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN metadata_agreement.attribute IS 'a name, e.g. colour / pattern';
COMMENT ON COLUMN metadata_agreement.path IS 'metadata key, ''key.subkey'' into a nested JSON value';
COMMENT ON COLUMN metadata_agreement.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN metadata_agreement.n_ranked IS 'products ranked (min(k, test products with a value))';
COMMENT ON COLUMN metadata_agreement.precision IS 'n_agree / n_ranked';
COMMENT ON COLUMN metadata_agreement.category_rate IS 'expected precision of the ranked products'' categories';
COMMENT ON COLUMN metadata_agreement.n_text IS 'test products with a value whose text has the word';
COMMENT ON COLUMN metadata_agreement.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON VIEW metadata_agreement_summary IS 'Mean agreement over the words of each (model, scope, method, attribute, k).';
COMMENT ON COLUMN metadata_agreement_summary.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN metadata_agreement_summary.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN metadata_agreement_summary.n_words IS 'Words the value is computed over.';

COMMENT ON VIEW visualness_context IS 'Visualness ranking with the context checks beside it: the scope''s negatives option, and whether the word is category-bound (then a high score may be the category''s).';
COMMENT ON COLUMN visualness_context.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN visualness_context.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN visualness_context.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN visualness_context.accuracy IS 'Balanced test accuracy of the method''s classifier (V(u) for resample); NULL when the word had too few train or test positives.';
COMMENT ON COLUMN visualness_context.visual_rank IS '1 = most visual word of the (model, scope, method).';
COMMENT ON COLUMN visualness_context.nonvisual_rank IS '1 = least visual word of the (model, scope, method).';
COMMENT ON COLUMN visualness_context.n_words IS 'Words the value is computed over.';
COMMENT ON COLUMN visualness_context.accuracy_low IS 'Lower end of the 95 % interval of the balanced accuracy.';
COMMENT ON COLUMN visualness_context.accuracy_high IS 'Upper end of the 95 % interval of the balanced accuracy.';
COMMENT ON COLUMN visualness_context.n_test_pos IS 'Test positives behind the score.';
COMMENT ON COLUMN visualness_context.n_test_neg IS 'Test negatives behind the score.';

COMMENT ON TABLE word_similarity IS 'Similarity of two words of one (model, scope) from their divergence profiles over units. method: ''cosine'' = cosine of the profiles after centring each unit over the words (so a unit''s noise floor, shared by every word, does not make all words alike), ''spearman'' = rank correlation of the raw profiles, ''prime_jaccard'' = overlap of the top-k prime units. Both orders of a pair are stored (word -> neighbour), so a word''s neighbours are one filter. z: the pair''s similarity in standard deviations of all pairs of the run (how far it stands above what any two words of this vocabulary share).';
COMMENT ON COLUMN word_similarity.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN word_similarity.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN word_similarity.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN word_similarity.n_units IS 'units compared (prime_jaccard: top-k)';
COMMENT ON COLUMN word_similarity.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE word_groups IS 'A clustering of the vocabulary on 1 - similarity (hierarchical, average linkage).';
COMMENT ON COLUMN word_groups.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN word_groups.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN word_groups.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN word_groups.group_id IS '1 = largest group';
COMMENT ON COLUMN word_groups.leaf_order IS 'position in the dendrogram (for heat maps)';
COMMENT ON COLUMN word_groups.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON VIEW word_neighbours IS 'Each word''s neighbours ranked (rank 1 = most similar), with both words'' support (positives in the divergence run) beside the score.';
COMMENT ON COLUMN word_neighbours.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN word_neighbours.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN word_neighbours.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';

COMMENT ON VIEW explorer_images IS 'Every accepted listing''s image with the images root of the ingest run that added it (the run''s images_root option, else the folder of the ingested file): the explorer serves an image only when its real path lies under that root.';
COMMENT ON COLUMN explorer_images.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN explorer_images.image_path IS 'Absolute path of the product image (NULL for a text-only listing).';

COMMENT ON VIEW explorer_words IS 'One row per (model, scope, vocabulary word) for every model with results in the scope: the word''s kind and |D+| (n_products), its strongest prime unit''s KL and number of prime units, where its divergence peaks (word_depth_peak) and the human score when imported.';
COMMENT ON COLUMN explorer_words.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN explorer_words.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN explorer_words.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN explorer_words.max_kl IS 'Largest KL over the units considered.';
COMMENT ON COLUMN explorer_words.peak_layer IS 'Layer of largest relative magnitude for the word (word_depth_peak).';
COMMENT ON COLUMN explorer_words.peak_layer_index IS 'layer_index of peak_layer.';
COMMENT ON COLUMN explorer_words.peak_relative IS 'Relative magnitude of the word at its peak layer.';
COMMENT ON COLUMN explorer_words.mean_depth IS 'Relative-magnitude-weighted mean layer index of the word.';
COMMENT ON COLUMN explorer_words.h IS 'Human visualness H(u) (eq. 3, human_visualness.h); NULL when none was imported.';
COMMENT ON COLUMN explorer_words.max_kl_z IS 'Largest kl_z over the units considered (NULL without a null).';

COMMENT ON VIEW explorer_vocabulary IS 'explorer_words with one visualness method''s scores (every visualness column: accuracy, n_train, n_test and any interval columns); method is NULL for a word no method scored.';
COMMENT ON COLUMN explorer_vocabulary.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN explorer_vocabulary.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN explorer_vocabulary.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN explorer_vocabulary.max_kl IS 'Largest KL over the units considered.';
COMMENT ON COLUMN explorer_vocabulary.peak_layer IS 'Layer of largest relative magnitude for the word (word_depth_peak).';
COMMENT ON COLUMN explorer_vocabulary.peak_layer_index IS 'layer_index of peak_layer.';
COMMENT ON COLUMN explorer_vocabulary.peak_relative IS 'Relative magnitude of the word at its peak layer.';
COMMENT ON COLUMN explorer_vocabulary.mean_depth IS 'Relative-magnitude-weighted mean layer index of the word.';
COMMENT ON COLUMN explorer_vocabulary.h IS 'Human visualness H(u) (eq. 3, human_visualness.h); NULL when none was imported.';
COMMENT ON COLUMN explorer_vocabulary.accuracy IS 'Balanced test accuracy of the method''s classifier (V(u) for resample); NULL when the word had too few train or test positives.';
COMMENT ON COLUMN explorer_vocabulary.n_train IS 'Training products of the classifier.';
COMMENT ON COLUMN explorer_vocabulary.n_test IS 'Test products of the classifier.';
COMMENT ON COLUMN explorer_vocabulary.seed IS 'Random seed of the split or the classifier''s sampling.';
COMMENT ON COLUMN explorer_vocabulary.params IS 'Every parameter of the run, as JSON.';
COMMENT ON COLUMN explorer_vocabulary.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON VIEW explorer_prime_units IS 'Prime units of each word with their layer and every unit_word_divergence column (kl, n_pos, n_neg and any null-corrected columns).';
COMMENT ON COLUMN explorer_prime_units.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN explorer_prime_units.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN explorer_prime_units.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN explorer_prime_units.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';
COMMENT ON COLUMN explorer_prime_units.layer IS 'Name of a tapped layer (units.layer).';
COMMENT ON COLUMN explorer_prime_units.layer_index IS 'Position of the layer among the model''s tapped layers, 0 = earliest.';
COMMENT ON COLUMN explorer_prime_units.channel IS 'Channel of the unit within its layer.';
COMMENT ON COLUMN explorer_prime_units.kl IS 'Symmetric KL divergence of the unit between the word''s D+ and D- histograms (eq. 1).';
COMMENT ON COLUMN explorer_prime_units.n_pos IS 'Positives (D+ products) behind the value.';
COMMENT ON COLUMN explorer_prime_units.n_neg IS 'Negatives (D- products) behind the value.';

COMMENT ON VIEW explorer_unit_activations IS 'One unit''s max-pooled activation on every image (activation_vectors indexed by the unit''s position; filter on model_id and unit_id).';
COMMENT ON COLUMN explorer_unit_activations.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN explorer_unit_activations.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';
COMMENT ON COLUMN explorer_unit_activations.layer IS 'Name of a tapped layer (units.layer).';
COMMENT ON COLUMN explorer_unit_activations.channel IS 'Channel of the unit within its layer.';
COMMENT ON COLUMN explorer_unit_activations.product_id IS 'A listing (products.product_id).';

COMMENT ON VIEW explorer_unit_histogram IS 'The histogram of one unit''s activations in D+ and D- of a word, per split, over the scope''s products and the unit''s stored bins (unit_bins, numpy.histogram semantics: bin b holds edges[b] <= v < edges[b + 1], the last bin closed; values outside the edges, from splits the bins were not fitted on, fall in the first or last bin). n_neg counts every scope product without the word: in a category-matched scope the divergence stage reweights negatives, this view does not. Filter on model_id, scope, word and unit_id.';
COMMENT ON COLUMN explorer_unit_histogram.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN explorer_unit_histogram.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN explorer_unit_histogram.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN explorer_unit_histogram.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';
COMMENT ON COLUMN explorer_unit_histogram.split IS 'train / test / val (splits.split).';
COMMENT ON COLUMN explorer_unit_histogram.n_pos IS 'Positives (D+ products) behind the value.';
COMMENT ON COLUMN explorer_unit_histogram.n_neg IS 'Negatives (D- products) behind the value.';

COMMENT ON VIEW explorer_image_words IS 'Every word a classifier scored on an image, with whether the image''s own text has it. Filter on product_id (and model_id, scope, method).';
COMMENT ON COLUMN explorer_image_words.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN explorer_image_words.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN explorer_image_words.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN explorer_image_words.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';

COMMENT ON TABLE unit_divergence_null IS 'Per unit, the null KL of pseudo-words scaled by 1/n_pos + 1/n_neg (the rate at which a plug-in divergence of two samples of one distribution shrinks): kl_null = null_mean * (1/n_pos + 1/n_neg), kl_null_sd = null_sd * (1/n_pos + 1/n_neg).';
COMMENT ON COLUMN unit_divergence_null.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN unit_divergence_null.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN unit_divergence_null.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';
COMMENT ON COLUMN unit_divergence_null.n_pseudo IS 'pseudo-words measured';

COMMENT ON TABLE layer_divergence_null IS 'A layer with more units has a larger maximum by chance alone. The pseudo-words give, per layer, the distribution of the layer''s largest kl_z when the word means nothing.';
COMMENT ON COLUMN layer_divergence_null.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN layer_divergence_null.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN layer_divergence_null.layer IS 'Name of a tapped layer (units.layer).';
COMMENT ON COLUMN layer_divergence_null.null_max_z_mean IS 'mean over pseudo-words of the layer''s largest kl_z';

COMMENT ON TABLE visualness_stability IS 'How much each word''s rank moves when the random split (or the cross-fitting folds) are drawn again: one row per (word, method) over n_seeds repetitions.';
COMMENT ON COLUMN visualness_stability.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN visualness_stability.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN visualness_stability.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN visualness_stability.n_seeds IS 'Seeds (or fold draws) the stability is measured over.';
COMMENT ON COLUMN visualness_stability.rank_mean IS '1 = most visual';
COMMENT ON COLUMN visualness_stability.rank_sd IS 'Standard deviation of the word''s rank over the seeds (visualness_stability).';
COMMENT ON COLUMN visualness_stability.rank_min IS 'Best rank over the seeds.';
COMMENT ON COLUMN visualness_stability.rank_max IS 'Worst rank over the seeds.';
COMMENT ON COLUMN visualness_stability.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE time_window_sets IS 'A window set: how products are put in periods and windows, per (model, scope).';
COMMENT ON COLUMN time_window_sets.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_window_sets.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_window_sets.window_set IS 'The window set (time_window_sets.window_set).';
COMMENT ON COLUMN time_window_sets.definition IS 'time_field, period, rolling, split, smoothing, ...';
COMMENT ON COLUMN time_window_sets.edges_fingerprint IS 'hash of the unit_bins edges the counts use';
COMMENT ON COLUMN time_window_sets.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE time_periods IS 'Each period of a window set (a month, quarter, year, or a value of the time field) with a fingerprint of what its counts were computed from (its products and their words): a period whose fingerprint changes is recounted, the others are kept.';
COMMENT ON COLUMN time_periods.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_periods.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_periods.window_set IS 'The window set (time_window_sets.window_set).';
COMMENT ON COLUMN time_periods.period IS 'label, e.g. 2015-10 (month) or 2015 (value)';
COMMENT ON COLUMN time_periods.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE time_period_unit_counts IS 'Histogram of every unit over a period''s products (non-empty bins only).';
COMMENT ON COLUMN time_period_unit_counts.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_period_unit_counts.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_period_unit_counts.window_set IS 'The window set (time_window_sets.window_set).';
COMMENT ON COLUMN time_period_unit_counts.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';

COMMENT ON TABLE time_period_word_counts IS 'Histogram of every unit over a period''s positives of each word (non-empty bins only).';
COMMENT ON COLUMN time_period_word_counts.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_period_word_counts.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_period_word_counts.window_set IS 'The window set (time_window_sets.window_set).';
COMMENT ON COLUMN time_period_word_counts.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN time_period_word_counts.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';

COMMENT ON TABLE time_period_word_sizes IS 'Positives of each word in a period.';
COMMENT ON COLUMN time_period_word_sizes.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_period_word_sizes.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_period_word_sizes.window_set IS 'The window set (time_window_sets.window_set).';
COMMENT ON COLUMN time_period_word_sizes.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN time_period_word_sizes.n_pos IS 'Positives (D+ products) behind the value.';

COMMENT ON TABLE time_windows IS 'The windows of a set: one period, or `rolling` consecutive periods (labelled by the last).';
COMMENT ON COLUMN time_windows.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_windows.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_windows.window_set IS 'The window set (time_window_sets.window_set).';
COMMENT ON COLUMN time_windows.time_window IS 'Label of the window (the label of its last period).';
COMMENT ON COLUMN time_windows.window_index IS '0 = earliest';
COMMENT ON COLUMN time_windows.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE time_window_words IS 'Per window and word with enough support: the largest symmetric KL over units and its null-corrected counterpart. kl_null of a unit = the scope''s unit_divergence_null mean scaled by 1/n_pos + 1/n_neg of the window (as the divergence stage does); kl_z = (kl - kl_null) / kl_null_sd. max_kl_z ranks the window''s units; peak_unit / peak_layer hold it.';
COMMENT ON COLUMN time_window_words.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_window_words.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_window_words.window_set IS 'The window set (time_window_sets.window_set).';
COMMENT ON COLUMN time_window_words.time_window IS 'Label of the window (the label of its last period).';
COMMENT ON COLUMN time_window_words.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN time_window_words.n_pos IS 'Positives (D+ products) behind the value.';
COMMENT ON COLUMN time_window_words.n_neg IS 'Negatives (D- products) behind the value.';
COMMENT ON COLUMN time_window_words.max_kl IS 'largest raw KL over units';
COMMENT ON COLUMN time_window_words.max_kl_z IS 'largest kl_z over units (NULL without a null)';
COMMENT ON COLUMN time_window_words.mean_top_kl_z IS 'mean kl_z of the top_k units by kl_z';
COMMENT ON COLUMN time_window_words.peak_unit IS 'unit with the largest kl_z (kl without a null)';
COMMENT ON COLUMN time_window_words.peak_layer IS 'Layer of largest relative magnitude for the word (word_depth_peak).';
COMMENT ON COLUMN time_window_words.peak_layer_index IS 'layer_index of peak_layer.';
COMMENT ON COLUMN time_window_words.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE time_window_prime_units IS 'Each window''s prime units per word (top_k by kl_z, or kl without a null).';
COMMENT ON COLUMN time_window_prime_units.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_window_prime_units.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_window_prime_units.window_set IS 'The window set (time_window_sets.window_set).';
COMMENT ON COLUMN time_window_prime_units.time_window IS 'Label of the window (the label of its last period).';
COMMENT ON COLUMN time_window_prime_units.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN time_window_prime_units.unit_id IS 'A unit (units.unit_id): its position in activation_vectors.vals.';
COMMENT ON COLUMN time_window_prime_units.kl IS 'Symmetric KL divergence of the unit between the word''s D+ and D- histograms (eq. 1).';
COMMENT ON COLUMN time_window_prime_units.kl_z IS '(kl - kl_null) / kl_null_sd: the divergence in standard deviations above chance; NULL when no null was measured.';

COMMENT ON TABLE divergence_null_sizes IS 'How the chance-level divergence depends on a word''s size. The null KL of a unit scales like c = 1/n_pos + 1/n_neg only for well-filled histograms; for small sides the smoothing pulls it below that rate. Pseudo-words are grouped in size classes (floor(log2(smaller side))), and per class a factor (pooled over all units) corrects the unit''s null mean and spread: kl_null = unit null_mean * mean_factor * c, kl_null_sd = unit null_sd * sd_factor * c (sql/divergence/null.sql).';
COMMENT ON COLUMN divergence_null_sizes.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN divergence_null_sizes.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN divergence_null_sizes.size_class IS 'floor(log2(least(n_pos, n_neg)))';
COMMENT ON COLUMN divergence_null_sizes.n_side_min IS 'smallest and largest side among its pseudo-words';

COMMENT ON VIEW time_window_trends IS 'Per word and window set: how the word''s divergence moves across windows. value = the mean kl_z of the window''s top-k units (max_kl without a null). slope: least-squares change per window; t: its t statistic (r * sqrt((n - 2) / (1 - r^2))); direction is ''rising'' / ''falling'' when |t| exceeds the two-sided 5 % critical value of Student''s t with n - 2 degrees of freedom (windows are disjoint product sets when rolling = 1), else ''flat''; NULL below 3 windows. Support: the smallest and total positives over the windows.';
COMMENT ON COLUMN time_window_trends.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_window_trends.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_window_trends.window_set IS 'The window set (time_window_sets.window_set).';
COMMENT ON COLUMN time_window_trends.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN time_window_trends.n_windows IS 'Windows the word has results in.';
COMMENT ON COLUMN time_window_trends.first_window IS 'Earliest window the word has results in.';
COMMENT ON COLUMN time_window_trends.last_window IS 'Latest window the word has results in.';

COMMENT ON VIEW time_layer_shifts IS 'Per word and window set: the layer of the word''s peak unit in each window, in time order, and whether it differs between the first and the last window the word has results in.';
COMMENT ON COLUMN time_layer_shifts.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_layer_shifts.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_layer_shifts.window_set IS 'The window set (time_window_sets.window_set).';
COMMENT ON COLUMN time_layer_shifts.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN time_layer_shifts.n_windows IS 'Windows the word has results in.';

COMMENT ON VIEW time_scope_visualness IS 'Visualness of scopes that hold one value of a field (`attrdb time scope`, e.g. year = 2015): the visualness stage''s scores, intervals and support per window.';
COMMENT ON COLUMN time_scope_visualness.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_scope_visualness.time_field IS 'The field the windows are cut on: ''category'' or ''metadata.<key>''.';
COMMENT ON COLUMN time_scope_visualness.time_window IS 'Label of the window (the label of its last period).';
COMMENT ON COLUMN time_scope_visualness.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN time_scope_visualness.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN time_scope_visualness.accuracy IS 'Balanced test accuracy of the method''s classifier (V(u) for resample); NULL when the word had too few train or test positives.';
COMMENT ON COLUMN time_scope_visualness.accuracy_low IS 'Lower end of the 95 % interval of the balanced accuracy.';
COMMENT ON COLUMN time_scope_visualness.accuracy_high IS 'Upper end of the 95 % interval of the balanced accuracy.';
COMMENT ON COLUMN time_scope_visualness.auc IS 'Area under the ROC curve of the classifier''s test scores.';
COMMENT ON COLUMN time_scope_visualness.n_test_pos IS 'Test positives behind the score.';
COMMENT ON COLUMN time_scope_visualness.n_test_neg IS 'Test negatives behind the score.';

COMMENT ON VIEW time_visualness_trends IS 'Per word: its visualness in the earliest and the latest window it is scored in, and whether it rose or fell beyond the intervals (the later interval entirely above or below the earlier one), ''overlap'' otherwise.';
COMMENT ON COLUMN time_visualness_trends.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN time_visualness_trends.time_field IS 'The field the windows are cut on: ''category'' or ''metadata.<key>''.';
COMMENT ON COLUMN time_visualness_trends.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN time_visualness_trends.n_windows IS 'Windows the word has results in.';
COMMENT ON COLUMN time_visualness_trends.first_window IS 'Earliest window the word has results in.';
COMMENT ON COLUMN time_visualness_trends.last_window IS 'Latest window the word has results in.';

COMMENT ON TABLE phrase_candidates IS 'Adjective-noun and noun-noun bigrams within a sentence, with their frequency and association over all adjacent token pairs of the scope''s titles and descriptions: pmi = ln(n12 N / (n1 n2)), llr = Dunning''s G^2 of the 2x2 table (chi-square, 1 df).';
COMMENT ON COLUMN phrase_candidates.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN phrase_candidates.phrase IS '''first second''';
COMMENT ON COLUMN phrase_candidates.n_occurrences IS 'adjacent occurrences (n12)';
COMMENT ON COLUMN phrase_candidates.n_products IS 'scope products holding it (any tags) = |D+|';
COMMENT ON COLUMN phrase_candidates.n_kind IS 'of those, holding it tagged adjective/noun + noun';
COMMENT ON COLUMN phrase_candidates.rank IS '1 = largest n_kind (then llr)';
COMMENT ON COLUMN phrase_candidates.selected IS 'added to the vocabulary';

COMMENT ON TABLE weights_lineage IS 'How weights attrdb made were made: fine-tuned from a parent, or randomly initialised. Weights attrdb did not make (embedded or user files) have no row: model_lineage calls them ''pretrained''.';
COMMENT ON COLUMN weights_lineage.weights_sha256 IS 'sha256 of the weights file (models.weights_sha256).';
COMMENT ON COLUMN weights_lineage.name IS 'architecture';
COMMENT ON COLUMN weights_lineage.weights IS 'the file written';
COMMENT ON COLUMN weights_lineage.parent_model_id IS 'the registered model it was fine-tuned from';
COMMENT ON COLUMN weights_lineage.parent_weights_sha256 IS 'that model''s weights (kept if the id is reused)';
COMMENT ON COLUMN weights_lineage.training_run_id IS 'runs.run_id of the finetune run that finished it';
COMMENT ON COLUMN weights_lineage.seed IS 'random initialisation / data order seed';
COMMENT ON COLUMN weights_lineage.settings IS 'labels, epochs, input size, trainable layers, ...';

COMMENT ON VIEW model_lineage IS 'Every registered model with the lineage of its weights.';
COMMENT ON COLUMN model_lineage.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN model_lineage.weights_sha256 IS 'sha256 of the weights file (models.weights_sha256).';
COMMENT ON COLUMN model_lineage.seed IS 'Random seed of the split or the classifier''s sampling.';

COMMENT ON TABLE finetune_epochs IS 'One row per finished fine-tuning epoch (a resumed run continues the same model''s rows).';
COMMENT ON COLUMN finetune_epochs.model_id IS 'the model being trained (registered when done)';
COMMENT ON COLUMN finetune_epochs.epoch IS '1-based';
COMMENT ON COLUMN finetune_epochs.run_id IS 'the finetune run that trained this epoch';
COMMENT ON COLUMN finetune_epochs.train_loss IS 'mean loss over the epoch''s batches';
COMMENT ON COLUMN finetune_epochs.seconds IS 'wall time of the epoch';

COMMENT ON TABLE finetune_word_ap IS 'Average precision of the attribute-tuned network''s own prediction of each word on the test split, with a bootstrap interval and its support; chance = n_pos / n_test.';
COMMENT ON COLUMN finetune_word_ap.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN finetune_word_ap.scope IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN finetune_word_ap.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN finetune_word_ap.ap IS 'NULL when the test split holds no positive';
COMMENT ON COLUMN finetune_word_ap.ap_low IS '95% percentile bootstrap interval over test images';
COMMENT ON COLUMN finetune_word_ap.n_pos IS 'test images whose text has the word';
COMMENT ON COLUMN finetune_word_ap.n_test IS 'test images scored';
COMMENT ON COLUMN finetune_word_ap.n_train_pos IS 'training positives the network saw';
COMMENT ON COLUMN finetune_word_ap.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON TABLE metadata_precision IS 'Precision at k of a classifier''s surest products against a metadata field the method never reads (e.g. base_colour): per model, scope, method and word, of the k products with a value that the classifier scores highest (out-of-fold for crossfit), the share whose value is the word''s. labels ''text'' = the classifier learnt the word from the listings'' text (the method); ''metadata'' = it learnt the field itself (the supervised ceiling of the same features and code path, scope ''<scope>:<field>''). Written by `attrdb compare`.';
COMMENT ON COLUMN metadata_precision.model_id IS 'The CNN and its weights (models.model_id).';
COMMENT ON COLUMN metadata_precision.scope IS 'the scope compared (the ceiling''s scope is derived)';
COMMENT ON COLUMN metadata_precision.field IS 'metadata key, e.g. base_colour';
COMMENT ON COLUMN metadata_precision.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN metadata_precision.value IS 'the field value the word names, e.g. Red';
COMMENT ON COLUMN metadata_precision.n_ranked IS 'products ranked: min(k, products with a value)';
COMMENT ON COLUMN metadata_precision.precision IS 'n_agree / n_ranked';
COMMENT ON COLUMN metadata_precision.precision_low IS '95% Jeffreys interval';
COMMENT ON COLUMN metadata_precision.base_rate IS 'share of the ranked pool with the value (chance)';
COMMENT ON COLUMN metadata_precision.run_id IS 'The run that wrote the row (runs.run_id).';

COMMENT ON VIEW compare_feature_sets IS 'Every stored feature set: its network (architecture and weights), how its units were pooled, where its weights came from (model_lineage) and how many images it holds.';

COMMENT ON VIEW compare_table1 IS 'Paper Table 1 across feature sets: per model, scope and method, the mean visualness (balanced accuracy and AUC) over the scored words with a 95% interval of the mean (mean +- 1.96 sd / sqrt(n_words)), the agreement with human judgments where imported, and per metadata field the text-trained classifiers'' precision at k next to the supervised ceiling of the same features (metadata_precision; ceiling from crossfit).';

COMMENT ON VIEW compare_floor IS 'The floor: every feature set against each randomly initialised network of the same pooling, on the words both scored (paired): mean difference of balanced accuracy and of AUC with 95% intervals (mean +- 1.96 sd / sqrt(n)), and the share of words on which the trained network scores higher. A trained network should clear it.';

COMMENT ON VIEW compare_rank_correlation IS 'How alike two feature sets rank the words: per pair of models, scope and method, the Spearman correlation of their ranking scores (visualness_ranking.ranking_score: the AUC lower bound for crossfit, the accuracy for the paper''s methods) over the words both scored, its 95% interval (Fisher z), and how many of each one''s 30 most visual words the other''s 30 share.';

COMMENT ON VIEW compare_word_depth IS 'Perceptual depth of the same words in every feature set (Table 3 / Fig. 4 per model): each word''s peak layer (word_depth_peak) with its position from 0 (first tapped layer) to 1 (last), so networks with different layer counts line up.';

COMMENT ON VIEW compare_layer_magnitude IS 'Fig. 4 per feature set: layer_magnitude with the network, pooling and layer position.';

COMMENT ON VIEW compare_prime_layers IS 'Where each feature set''s prime units sit: per model, scope, layer and unit pooling (a ''both'' set has max and mean units), the prime units there (n_prime, over n_words words), their share of all the scope''s prime units, the layer''s share of the units, and the ratio (enrichment > 1: the layer holds more prime units than its size explains).';

COMMENT ON TABLE schema_version IS 'One row per applied migration: its number and name, the attrdb and sqlglot versions that applied it, and when.';
COMMENT ON COLUMN schema_version.version IS 'Migration number (NNNN of migrations/NNNN_name.sql).';
COMMENT ON COLUMN schema_version.name IS 'Migration name (the file name without number and extension).';
COMMENT ON COLUMN schema_version.attrdb_version IS 'attrdb version that applied it.';
COMMENT ON COLUMN schema_version.sqlglot_version IS 'sqlglot version installed when it was applied.';
COMMENT ON COLUMN schema_version.applied_at IS 'When it was applied.';

-- Columns of the dashboard, explorer, context, time and lineage relations.
COMMENT ON COLUMN text_lines.text IS 'The line or sentence, cleaned (HTML, emoji and odd Unicode removed).';
COMMENT ON COLUMN tokenized_products.n_tokens IS 'Tokens the product''s text gave (0 is a valid result).';
COMMENT ON COLUMN tokenized_products.tokenized_at IS 'When the product was tokenised.';
COMMENT ON COLUMN synonyms.term IS 'A token norm to rewrite.';
COMMENT ON COLUMN synonyms.canonical IS 'The word it becomes (tokens.word).';
COMMENT ON COLUMN synonyms.source IS 'The merge file the row came from.';
COMMENT ON COLUMN kept_products.description IS 'Listing description (products.description).';
COMMENT ON COLUMN kept_products.tags IS 'User tags of the listing (products.tags).';
COMMENT ON COLUMN kept_products.metadata IS 'Evaluation-only input columns (products.metadata).';
COMMENT ON COLUMN kept_products.source IS 'The ingested file (products.source).';
COMMENT ON COLUMN activation_vectors.vals IS 'Every unit''s activation in unit_id order (length models.n_units).';
COMMENT ON COLUMN classifiers.intercept IS 'Intercept of the logistic regression on the standardised features.';
COMMENT ON COLUMN classifiers.scale IS 'Standard deviation per feature, fitted on the training sample.';
COMMENT ON COLUMN language_prior_nouns.noun IS 'A frequent product noun of the scope.';
COMMENT ON COLUMN language_prior_nouns.n_products IS 'Scope products whose text has the noun.';
COMMENT ON COLUMN language_prior_nouns.rank IS '1 = the most frequent noun.';
COMMENT ON COLUMN human_rejects.source IS 'The imported file.';
COMMENT ON COLUMN human_rejects.raw IS 'The row as read.';
COMMENT ON COLUMN human_rejects.reason IS 'Why it was not accepted.';
COMMENT ON COLUMN human_rejects.imported_at IS 'When the file was imported.';
COMMENT ON COLUMN purifier_ranked.method IS 'The classifier''s visualness method: random / initial / resample / crossfit.';
COMMENT ON COLUMN purifier_ranked.subset IS 'D+ (the product''s text has the word) or D- (it does not).';
COMMENT ON COLUMN purifier_ranked.score IS 'The classifier''s confidence that the image shows the word (predictions.score).';
COMMENT ON COLUMN purifier_ranked.confident_rank IS '1 = the classifier''s surest member of the subset.';
COMMENT ON COLUMN purifier_ranked.doubtful_rank IS '1 = its least sure member: the likeliest false positive (D+) or false negative (D-).';
COMMENT ON COLUMN purifier_examples.method IS 'The classifier''s visualness method: random / initial / resample / crossfit.';
COMMENT ON COLUMN purifier_examples.kind IS 'confident positive / confident negative / likely false positive / likely false negative.';
COMMENT ON COLUMN purifier_examples.subset IS 'D+ or D- (purifier_ranked.subset).';
COMMENT ON COLUMN purifier_examples.score IS 'The classifier''s confidence that the image shows the word.';
COMMENT ON COLUMN occlusion_sweeps.stride IS 'Step between patch positions, pixels of the sweep input.';
COMMENT ON COLUMN occlusion_sweeps.n_x IS 'Patch positions across: (size - patch) // stride + 1.';
COMMENT ON COLUMN occlusion_sweeps.n_units IS 'Units of the model (rows of delta).';
COMMENT ON COLUMN occlusion_sweeps.image_width IS 'Width of the original image.';
COMMENT ON COLUMN occlusion_sweeps.swept_at IS 'When the sweep was computed.';
COMMENT ON COLUMN dataset_summary.n_products IS 'Accepted listings (products).';
COMMENT ON COLUMN dataset_summary.n_rejected IS 'Rejected input rows (product_rejects).';
COMMENT ON COLUMN dataset_summary.n_shops IS 'Distinct shops.';
COMMENT ON COLUMN dataset_summary.n_categories IS 'Distinct categories.';
COMMENT ON COLUMN dataset_summary.n_with_image IS 'Listings with an image file.';
COMMENT ON COLUMN dataset_summary.n_deduplicated IS 'Listings the near-duplicate stage grouped (duplicate_groups rows).';
COMMENT ON COLUMN dataset_summary.n_kept IS 'Listings kept after near-duplicate removal.';
COMMENT ON COLUMN dataset_summary.n_duplicates_removed IS 'Listings removed as near-duplicates.';
COMMENT ON COLUMN dataset_summary.n_duplicate_groups IS 'Near-duplicate groups.';
COMMENT ON COLUMN dataset_summary.n_vocabulary_rows IS 'Vocabulary rows over all scopes.';
COMMENT ON COLUMN dataset_summary.n_models IS 'Registered models.';
COMMENT ON COLUMN dataset_summary.n_activation_vectors IS 'Stored activation vectors (images x models).';
COMMENT ON COLUMN dataset_summary.n_activation_errors IS 'Images that could not be processed.';
COMMENT ON COLUMN shop_dedup_summary.n_products IS 'Listings of the shop.';
COMMENT ON COLUMN shop_dedup_summary.n_deduplicated IS 'Listings of the shop the near-duplicate stage grouped.';
COMMENT ON COLUMN shop_dedup_summary.n_groups IS 'Near-duplicate groups in the shop.';
COMMENT ON COLUMN shop_dedup_summary.n_kept IS 'Listings kept.';
COMMENT ON COLUMN shop_dedup_summary.n_removed IS 'Listings removed as near-duplicates.';
COMMENT ON COLUMN shop_dedup_summary.removed_share IS 'n_removed / n_deduplicated.';
COMMENT ON COLUMN reject_reasons.source IS 'The ingested file.';
COMMENT ON COLUMN reject_reasons.reason IS 'Reject reason code (product_rejects.reason).';
COMMENT ON COLUMN reject_reasons.n_rows IS 'Rows rejected for it.';
COMMENT ON COLUMN visualness_ranking.method IS 'Visualness method (visualness.method): random / initial / resample / crossfit / language_prior.';
COMMENT ON COLUMN visualness_ranking.n_products IS '|D+|: scope products whose text has the word (vocabulary.n_products).';
COMMENT ON COLUMN visualness_ranking.ranking_score IS 'What the ranks order by: auc_low for crossfit, the balanced accuracy for the paper''s methods.';
COMMENT ON COLUMN visualness_wide.random IS 'Balanced accuracy of the random method.';
COMMENT ON COLUMN visualness_wide.initial IS 'Balanced accuracy of the initial method.';
COMMENT ON COLUMN visualness_wide.resample IS 'Balanced accuracy of the resample method (the paper''s V(u)).';
COMMENT ON COLUMN visualness_wide.language_prior IS 'The language-prior score (language_prior.score).';
COMMENT ON COLUMN visualness_wide.crossfit IS 'Balanced accuracy of the cross-fitted method.';
COMMENT ON COLUMN visualness_wide.crossfit_low IS 'Lower end of its 95 % interval.';
COMMENT ON COLUMN visualness_wide.crossfit_high IS 'Upper end of its 95 % interval.';
COMMENT ON COLUMN prime_unit_layers.rank IS '1 = the word''s strongest prime unit (prime_units.rank).';
COMMENT ON COLUMN layer_salient_words.layer_rank IS '1 = the word whose KL is most concentrated in this layer.';
COMMENT ON COLUMN word_depth_peak.peaks_in_last_layer IS 'Whether the peak layer is the model''s last tapped layer.';
COMMENT ON COLUMN word_depth_peak.n_layers IS 'Layers the word has a depth row in.';
COMMENT ON COLUMN layer_magnitude.mean_relative IS 'Mean relative magnitude (eq. 4) of the layer over words.';
COMMENT ON COLUMN layer_magnitude.sd_relative IS 'Its standard deviation over words.';
COMMENT ON COLUMN layer_magnitude.mean_max_kl IS 'Mean over words of the layer''s largest KL.';
COMMENT ON COLUMN layer_magnitude.mean_relative_z IS 'Mean null-corrected relative magnitude (relative_z).';
COMMENT ON COLUMN layer_magnitude.mean_excess_z IS 'Mean excess_z of the layer over words.';
COMMENT ON COLUMN layer_human_correlation.pearson_max_kl IS 'Pearson correlation of the layer''s max KL with h over words.';
COMMENT ON COLUMN layer_human_correlation.spearman_max_kl IS 'Spearman correlation of the layer''s max KL with h (average ranks for ties).';
COMMENT ON COLUMN layer_human_correlation.pearson_relative IS 'Pearson correlation of the layer''s relative magnitude with h.';
COMMENT ON COLUMN saliency_curves.method IS 'Saliency method: kl_occlusion / gradient / center_prior.';
COMMENT ON COLUMN saliency_curves.k IS 'Units accumulated (NULL for the baselines).';
COMMENT ON COLUMN saliency_curves.threshold IS 'Map threshold of the IoU (NULL for ap and pointing).';
COMMENT ON COLUMN saliency_curves.mean_ap IS 'Mean average precision over the evaluated words.';
COMMENT ON COLUMN saliency_curves.mean_iou IS 'Mean IoU over the evaluated words.';
COMMENT ON COLUMN saliency_curves.mean_pointing IS 'Mean pointing-game hit rate over the evaluated words.';
COMMENT ON COLUMN saliency_curves.n_images IS 'Images evaluated.';
COMMENT ON COLUMN latest_runs.stage IS 'Stage name (runs.stage).';
COMMENT ON COLUMN latest_runs.status IS 'running / ok / failed / interrupted / crashed.';
COMMENT ON COLUMN latest_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN latest_runs.finished_at IS 'When it ended (NULL while running).';
COMMENT ON COLUMN latest_runs.seconds IS 'finished_at - started_at in seconds (NULL while running).';
COMMENT ON COLUMN latest_runs.inputs_fingerprint IS 'Hash of the run''s inputs and parameters.';
COMMENT ON COLUMN latest_runs.summary IS 'What the run did, as JSON.';
COMMENT ON COLUMN latest_runs.error IS 'One-line reason of a run that did not finish ok.';
COMMENT ON COLUMN boilerplate_lines.rank IS '1 = in most listings.';
COMMENT ON COLUMN boilerplate_lines.reason IS 'Why the line is not informative: constant (in half of some shop''s listings), long (a long sentence repeated verbatim) or template (inside a run of recurring lines holding a constant or long one); NULL for rows written before migration 0016.';
COMMENT ON COLUMN boilerplate_product_lines.field IS 'The field of the line (description).';
COMMENT ON COLUMN boilerplate_product_lines.excluded IS 'The scope drops boilerplate: the line''s tokens are left out of the vocabulary and D+/D-.';
COMMENT ON COLUMN boilerplate_text_lines.field IS 'The field of the line.';
COMMENT ON COLUMN boilerplate_text_lines.text IS 'The line as cleaned (text_lines.text).';
COMMENT ON COLUMN boilerplate_text_lines.excluded IS 'The line''s tokens are left out of the vocabulary and D+/D-.';
COMMENT ON COLUMN metadata_agreement.method IS 'The classifier''s visualness method: random / initial / resample / crossfit.';
COMMENT ON COLUMN metadata_agreement.k IS 'Precision cut-off: the k surest test products.';
COMMENT ON COLUMN metadata_agreement.n_agree IS 'Ranked products whose attribute value holds the word.';
COMMENT ON COLUMN metadata_agreement.base_rate IS 'Share of all test products with a value that agree (chance).';
COMMENT ON COLUMN metadata_agreement.text_precision IS 'Share of the test products whose text has the word that agree (the label''s own noise).';
COMMENT ON COLUMN metadata_agreement_summary.method IS 'The classifier''s visualness method: random / initial / resample / crossfit.';
COMMENT ON COLUMN metadata_agreement_summary.attribute IS 'The attribute checked (metadata_agreement.attribute).';
COMMENT ON COLUMN metadata_agreement_summary.k IS 'Precision cut-off.';
COMMENT ON COLUMN metadata_agreement_summary.mean_precision IS 'Mean precision at k over the words.';
COMMENT ON COLUMN metadata_agreement_summary.mean_base_rate IS 'Mean base rate (chance) over the words.';
COMMENT ON COLUMN metadata_agreement_summary.mean_category_rate IS 'Mean precision the categories alone explain.';
COMMENT ON COLUMN metadata_agreement_summary.mean_text_precision IS 'Mean precision of the text labels themselves.';
COMMENT ON COLUMN metadata_agreement_summary.pooled_precision IS 'sum(n_agree) / sum(n_ranked) over the words.';
COMMENT ON COLUMN visualness_context.method IS 'Visualness method (visualness.method): random / initial / resample / crossfit / language_prior.';
COMMENT ON COLUMN visualness_context.negatives IS 'The scope''s negatives option: random or category_matched.';
COMMENT ON COLUMN visualness_context.boilerplate IS 'The scope''s boilerplate option: drop or keep.';
COMMENT ON COLUMN visualness_context.category_bound IS 'The word''s positives sit mostly in one category (category_bound_words.bound).';
COMMENT ON COLUMN visualness_context.top_category IS 'The category holding most of the word''s positives.';
COMMENT ON COLUMN visualness_context.top_share IS 'Its share of the positives.';
COMMENT ON COLUMN visualness_context.n_categories IS 'Categories holding a positive.';
COMMENT ON COLUMN word_similarity.method IS 'Similarity measure: cosine / spearman / prime_jaccard.';
COMMENT ON COLUMN word_similarity.neighbour IS 'The other word of the pair.';
COMMENT ON COLUMN word_similarity.similarity IS 'Similarity of the two words'' divergence profiles (by method).';
COMMENT ON COLUMN word_similarity.z IS 'The similarity in standard deviations of all pairs of the run.';
COMMENT ON COLUMN word_groups.method IS 'Similarity measure: cosine / spearman / prime_jaccard.';
COMMENT ON COLUMN word_groups.group_size IS 'Words in the group.';
COMMENT ON COLUMN word_neighbours.method IS 'Similarity measure: cosine / spearman / prime_jaccard.';
COMMENT ON COLUMN word_neighbours.neighbour IS 'The neighbouring word.';
COMMENT ON COLUMN word_neighbours.similarity IS 'Similarity of the two words'' divergence profiles.';
COMMENT ON COLUMN word_neighbours.z IS 'The similarity in standard deviations of all pairs of the run.';
COMMENT ON COLUMN word_neighbours.rank IS '1 = the word''s most similar neighbour.';
COMMENT ON COLUMN word_neighbours.word_n_pos IS 'Positives of the word in the divergence run (its support).';
COMMENT ON COLUMN word_neighbours.neighbour_n_pos IS 'Positives of the neighbour in the divergence run.';
COMMENT ON COLUMN word_neighbours.word_group IS 'The word''s group (word_groups.group_id).';
COMMENT ON COLUMN word_neighbours.neighbour_group IS 'The neighbour''s group.';
COMMENT ON COLUMN explorer_images.images_root IS 'The folder the image must lie under to be served.';
COMMENT ON COLUMN explorer_words.kind IS 'The vocabulary kind: adjective / tag / phrase / all.';
COMMENT ON COLUMN explorer_words.vocabulary_rank IS 'vocabulary.rank of the word.';
COMMENT ON COLUMN explorer_words.n_products IS '|D+|: scope products whose text has the word.';
COMMENT ON COLUMN explorer_words.n_kind IS 'Of those, products holding it as the kind.';
COMMENT ON COLUMN explorer_words.n_prime_units IS 'Prime units stored for the word.';
COMMENT ON COLUMN explorer_vocabulary.kind IS 'The vocabulary kind: adjective / tag / phrase / all.';
COMMENT ON COLUMN explorer_vocabulary.vocabulary_rank IS 'vocabulary.rank of the word.';
COMMENT ON COLUMN explorer_vocabulary.n_products IS '|D+|: scope products whose text has the word.';
COMMENT ON COLUMN explorer_vocabulary.n_kind IS 'Of those, products holding it as the kind.';
COMMENT ON COLUMN explorer_vocabulary.n_prime_units IS 'Prime units stored for the word.';
COMMENT ON COLUMN explorer_vocabulary.method IS 'Visualness method (visualness.method): random / initial / resample / crossfit / language_prior.';
COMMENT ON COLUMN explorer_vocabulary.n_units IS 'Features the classifier saw (visualness.n_units).';
COMMENT ON COLUMN explorer_prime_units.rank IS '1 = the word''s strongest prime unit.';
COMMENT ON COLUMN explorer_unit_activations.value IS 'The unit''s activation on the image.';
COMMENT ON COLUMN explorer_unit_histogram.bin IS 'Bin number, from 0 (unit_bins.edges).';
COMMENT ON COLUMN explorer_unit_histogram.lower_edge IS 'edges[bin].';
COMMENT ON COLUMN explorer_unit_histogram.upper_edge IS 'edges[bin + 1].';
COMMENT ON COLUMN explorer_image_words.method IS 'The classifier''s visualness method: random / initial / resample / crossfit.';
COMMENT ON COLUMN explorer_image_words.score IS 'The classifier''s confidence that the image shows the word.';
COMMENT ON COLUMN explorer_image_words.in_text IS 'Whether the image''s own text has the word.';
COMMENT ON COLUMN unit_divergence_null.null_mean IS 'Mean null KL of the unit over pseudo-words, per unit of 1/n_pos + 1/n_neg.';
COMMENT ON COLUMN unit_divergence_null.null_sd IS 'Its standard deviation, on the same scale.';
COMMENT ON COLUMN layer_divergence_null.null_max_z_sd IS 'Standard deviation over pseudo-words of the layer''s largest kl_z.';
COMMENT ON COLUMN layer_divergence_null.n_pseudo IS 'Pseudo-words measured.';
COMMENT ON COLUMN visualness_stability.method IS 'Visualness method (visualness.method): random / initial / resample / crossfit / language_prior.';
COMMENT ON COLUMN visualness_stability.score_mean IS 'Mean of the word''s ranking score over the seeds.';
COMMENT ON COLUMN visualness_stability.score_sd IS 'Its standard deviation over the seeds.';
COMMENT ON COLUMN visualness_stability.seeds IS 'The seeds used.';
COMMENT ON COLUMN time_periods.n_products IS 'Products in the period.';
COMMENT ON COLUMN time_periods.fingerprint IS 'Hash of the period''s products and their words: a change recounts the period.';
COMMENT ON COLUMN time_period_unit_counts.period IS 'The period (time_periods.period).';
COMMENT ON COLUMN time_period_unit_counts.bin IS 'Bin of unit_bins.edges, from 0.';
COMMENT ON COLUMN time_period_unit_counts.n IS 'Products of the period in the bin.';
COMMENT ON COLUMN time_period_word_counts.period IS 'The period (time_periods.period).';
COMMENT ON COLUMN time_period_word_counts.bin IS 'Bin of unit_bins.edges, from 0.';
COMMENT ON COLUMN time_period_word_counts.n IS 'Positives of the word in the period in the bin.';
COMMENT ON COLUMN time_period_word_sizes.period IS 'The period (time_periods.period).';
COMMENT ON COLUMN time_windows.first_period IS 'Earliest period of the window.';
COMMENT ON COLUMN time_windows.last_period IS 'Latest period of the window (its label).';
COMMENT ON COLUMN time_windows.n_products IS 'Products in the window.';
COMMENT ON COLUMN time_window_words.mean_top_kl_excess IS 'Mean kl - kl_null over the word''s top_k prime units of the whole scope: the effect size, whatever the window''s support.';
COMMENT ON COLUMN time_window_prime_units.rank IS '1 = the window''s strongest unit for the word.';
COMMENT ON COLUMN divergence_null_sizes.n_side_max IS 'Largest side among the class''s pseudo-words.';
COMMENT ON COLUMN divergence_null_sizes.mean_factor IS 'Correction of the null mean in this size class.';
COMMENT ON COLUMN divergence_null_sizes.sd_factor IS 'Correction of the null spread in this size class.';
COMMENT ON COLUMN divergence_null_sizes.n_pseudo IS 'Pseudo-words in the class.';
COMMENT ON COLUMN time_window_trends.first_value IS 'The value in the earliest window.';
COMMENT ON COLUMN time_window_trends.last_value IS 'The value in the latest window.';
COMMENT ON COLUMN time_window_trends.slope IS 'Least-squares change of the value per window.';
COMMENT ON COLUMN time_window_trends.r IS 'Correlation of the value with the window index.';
COMMENT ON COLUMN time_window_trends.min_n_pos IS 'Fewest positives in one window.';
COMMENT ON COLUMN time_window_trends.total_n_pos IS 'Positives over all windows.';
COMMENT ON COLUMN time_window_trends.t IS 't statistic of the slope: r * sqrt((n - 2) / (1 - r^2)).';
COMMENT ON COLUMN time_window_trends.t_critical IS 'Two-sided 5 % critical value of Student''s t with n - 2 degrees of freedom.';
COMMENT ON COLUMN time_window_trends.direction IS 'rising / falling when |t| > t_critical, else flat; NULL below 3 windows.';
COMMENT ON COLUMN time_layer_shifts.windows IS 'The windows, in time order.';
COMMENT ON COLUMN time_layer_shifts.peak_layers IS 'The peak layer in each window, in time order.';
COMMENT ON COLUMN time_layer_shifts.first_layer IS 'Peak layer in the earliest window.';
COMMENT ON COLUMN time_layer_shifts.last_layer IS 'Peak layer in the latest window.';
COMMENT ON COLUMN time_layer_shifts.shifted IS 'Whether first_layer and last_layer differ.';
COMMENT ON COLUMN time_layer_shifts.layer_change IS 'layer_index of last_layer minus that of first_layer.';
COMMENT ON COLUMN time_layer_shifts.n_layers IS 'Distinct peak layers over the windows.';
COMMENT ON COLUMN time_scope_visualness.method IS 'Visualness method (visualness.method): random / initial / resample / crossfit / language_prior.';
COMMENT ON COLUMN time_visualness_trends.method IS 'Visualness method (visualness.method): random / initial / resample / crossfit / language_prior.';
COMMENT ON COLUMN time_visualness_trends.first_accuracy IS 'Balanced accuracy in the earliest window.';
COMMENT ON COLUMN time_visualness_trends.first_low IS 'Lower end of its 95 % interval.';
COMMENT ON COLUMN time_visualness_trends.first_high IS 'Upper end of its 95 % interval.';
COMMENT ON COLUMN time_visualness_trends.first_n_test_pos IS 'Test positives behind it.';
COMMENT ON COLUMN time_visualness_trends.last_accuracy IS 'Balanced accuracy in the latest window.';
COMMENT ON COLUMN time_visualness_trends.last_low IS 'Lower end of its 95 % interval.';
COMMENT ON COLUMN time_visualness_trends.last_high IS 'Upper end of its 95 % interval.';
COMMENT ON COLUMN time_visualness_trends.last_n_test_pos IS 'Test positives behind it.';
COMMENT ON COLUMN time_visualness_trends.change IS 'last_accuracy - first_accuracy.';
COMMENT ON COLUMN time_visualness_trends.direction IS 'rising / falling when the intervals do not overlap, else overlap; NULL below 2 windows.';
COMMENT ON COLUMN phrase_candidates.first IS 'The phrase''s first word.';
COMMENT ON COLUMN phrase_candidates.second IS 'The phrase''s second word (a noun).';
COMMENT ON COLUMN phrase_candidates.pmi IS 'ln(n12 N / (n1 n2)) over adjacent token pairs.';
COMMENT ON COLUMN phrase_candidates.llr IS 'Dunning''s G^2 of the 2x2 table (chi-square, 1 df).';
COMMENT ON COLUMN weights_lineage.kind IS 'attribute_tuned / category_tuned / random_init (pretrained weights have no row).';
COMMENT ON COLUMN weights_lineage.recorded_at IS 'When the row was written.';
COMMENT ON COLUMN model_lineage.name IS 'Architecture (models.name).';
COMMENT ON COLUMN model_lineage.kind IS 'pretrained / attribute_tuned / category_tuned / random_init.';
COMMENT ON COLUMN model_lineage.parent_model_id IS 'The registered model it was fine-tuned from.';
COMMENT ON COLUMN model_lineage.parent_weights_sha256 IS 'That model''s weights.';
COMMENT ON COLUMN model_lineage.training_run_id IS 'runs.run_id of the finetune run that made the weights.';
COMMENT ON COLUMN finetune_epochs.n_images IS 'Images trained on in the epoch.';
COMMENT ON COLUMN finetune_epochs.device IS 'Device that trained the epoch.';
COMMENT ON COLUMN finetune_word_ap.ap_high IS 'Upper end of the 95 % bootstrap interval.';
COMMENT ON COLUMN finetune_word_ap.chance IS 'n_pos / n_test: the AP of a random ranking.';
COMMENT ON COLUMN metadata_precision.method IS 'The classifier''s visualness method: random / initial / resample / crossfit.';
COMMENT ON COLUMN metadata_precision.labels IS 'text (learnt from the listings'' text) or metadata (learnt from the field: the ceiling).';
COMMENT ON COLUMN metadata_precision.k IS 'Precision cut-off: the k surest products.';
COMMENT ON COLUMN metadata_precision.n_agree IS 'Ranked products whose value is the word''s.';
COMMENT ON COLUMN metadata_precision.precision_high IS 'Upper end of the 95 % Jeffreys interval.';
