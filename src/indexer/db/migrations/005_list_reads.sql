-- Indexes for the related rows a list row carries (src/indexer/api/queries.ts): the
-- providers pricing a model, a model's earnings from its redemptions' splits, and a
-- dispute's payouts, each read per row of a page.
CREATE INDEX provider_prices_by_model ON provider_prices (model_id, provider);
CREATE INDEX payouts_splits_by_model ON payouts ((details->>'modelId')) WHERE kind = 'payment_split';
CREATE INDEX payouts_by_dispute ON payouts (dispute_id, block_number, log_index);
