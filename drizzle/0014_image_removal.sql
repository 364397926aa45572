ALTER TABLE "captions" DROP CONSTRAINT "captions_image_id_dataset_images_id_fk";
--> statement-breakpoint
ALTER TABLE "casts" DROP CONSTRAINT "casts_image_id_dataset_images_id_fk";
--> statement-breakpoint
ALTER TABLE "captions" ALTER COLUMN "image_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "captions" ADD CONSTRAINT "captions_image_id_dataset_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."dataset_images"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "casts" ADD CONSTRAINT "casts_image_id_dataset_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."dataset_images"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "captions_image_id_index" ON "captions" USING btree ("image_id");--> statement-breakpoint
CREATE INDEX "casts_image_id_index" ON "casts" USING btree ("image_id");