ALTER TABLE "datasets" ADD COLUMN "next_image_index" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Existing datasets go on after their highest image (a removed last image's index is not reused from here on).
UPDATE "datasets" d SET "next_image_index" = coalesce((SELECT max(i."image_index") + 1 FROM "dataset_images" i WHERE i."dataset_id" = d."id"), 0);
