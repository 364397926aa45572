-- For the upload's duplicate lookup (dataset_id = $1 and sha256 = any($2)), run under the dataset's
-- row lock. Not UNIQUE on purpose: datasets filled before uploads refused repeated bytes may already
-- hold duplicates, and a unique index would fail this migration on them.
CREATE INDEX "dataset_images_dataset_id_sha256_index" ON "dataset_images" USING btree ("dataset_id","sha256");
