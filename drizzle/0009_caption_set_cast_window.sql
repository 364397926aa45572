ALTER TABLE "caption_sets" ADD COLUMN "cast_window" integer DEFAULT 500 NOT NULL;--> statement-breakpoint
CREATE INDEX "captions_pending_idx" ON "captions" USING btree ("caption_set_id","image_index") WHERE "captions"."status" = 'pending';--> statement-breakpoint
ALTER TABLE "caption_sets" ADD CONSTRAINT "caption_sets_cast_window_positive" CHECK ("caption_sets"."cast_window" > 0);