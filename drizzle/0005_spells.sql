CREATE TYPE "public"."caption_set_status" AS ENUM('in_progress', 'paused', 'completed', 'completed_with_errors', 'canceled');--> statement-breakpoint
CREATE TYPE "public"."caption_status" AS ENUM('pending', 'done', 'failed');--> statement-breakpoint
CREATE TYPE "public"."cast_status" AS ENUM('queued', 'running', 'completed', 'failed', 'canceled');--> statement-breakpoint
CREATE TABLE "caption_sets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"dataset_id" uuid NOT NULL,
	"spell_id" uuid NOT NULL,
	"status" "caption_set_status" DEFAULT 'in_progress' NOT NULL,
	"total" integer NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"budget" integer,
	"spent" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "caption_sets_counts" CHECK ("caption_sets"."done" + "caption_sets"."failed" <= "caption_sets"."total")
);
--> statement-breakpoint
CREATE TABLE "caption_versions" (
	"caption_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"text" text NOT NULL,
	"edited_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "captions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"caption_set_id" uuid NOT NULL,
	"image_id" uuid NOT NULL,
	"image_index" integer NOT NULL,
	"file_name" text NOT NULL,
	"status" "caption_status" DEFAULT 'pending' NOT NULL,
	"text" text,
	"cast_id" uuid,
	"credits_charged" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "casts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"spell_id" uuid NOT NULL,
	"dataset_id" uuid,
	"image_id" uuid,
	"image_index" integer,
	"caption_set_id" uuid,
	"status" "cast_status" DEFAULT 'queued' NOT NULL,
	"step_generation_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"current_step" integer DEFAULT 0 NOT NULL,
	"input" jsonb NOT NULL,
	"output" jsonb,
	"error_details" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "spells" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text,
	"name" text NOT NULL,
	"steps" jsonb NOT NULL,
	"built_in" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "caption_sets" ADD CONSTRAINT "caption_sets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "caption_sets" ADD CONSTRAINT "caption_sets_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "caption_sets" ADD CONSTRAINT "caption_sets_spell_id_spells_id_fk" FOREIGN KEY ("spell_id") REFERENCES "public"."spells"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "caption_versions" ADD CONSTRAINT "caption_versions_caption_id_captions_id_fk" FOREIGN KEY ("caption_id") REFERENCES "public"."captions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "captions" ADD CONSTRAINT "captions_caption_set_id_caption_sets_id_fk" FOREIGN KEY ("caption_set_id") REFERENCES "public"."caption_sets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "captions" ADD CONSTRAINT "captions_image_id_dataset_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."dataset_images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "casts" ADD CONSTRAINT "casts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "casts" ADD CONSTRAINT "casts_spell_id_spells_id_fk" FOREIGN KEY ("spell_id") REFERENCES "public"."spells"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "casts" ADD CONSTRAINT "casts_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "casts" ADD CONSTRAINT "casts_image_id_dataset_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."dataset_images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "casts" ADD CONSTRAINT "casts_caption_set_id_caption_sets_id_fk" FOREIGN KEY ("caption_set_id") REFERENCES "public"."caption_sets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spells" ADD CONSTRAINT "spells_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "caption_sets_dataset_id_created_at_index" ON "caption_sets" USING btree ("dataset_id","created_at");--> statement-breakpoint
CREATE INDEX "caption_sets_status_index" ON "caption_sets" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "caption_versions_caption_id_version_index" ON "caption_versions" USING btree ("caption_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "captions_caption_set_id_image_id_index" ON "captions" USING btree ("caption_set_id","image_id");--> statement-breakpoint
CREATE INDEX "captions_caption_set_id_image_index_index" ON "captions" USING btree ("caption_set_id","image_index");--> statement-breakpoint
CREATE INDEX "casts_caption_set_id_status_index" ON "casts" USING btree ("caption_set_id","status");--> statement-breakpoint
CREATE INDEX "casts_user_id_created_at_index" ON "casts" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "spells_user_id_created_at_index" ON "spells" USING btree ("user_id","created_at");--> statement-breakpoint
INSERT INTO "spells" ("id", "user_id", "name", "steps", "built_in") VALUES ('00000000-0000-4000-8000-00000000ca01', NULL, 'Caption', '[{"tool":"joycaption","params":{"prompt":"Write a descriptive caption for this image in a formal tone."}},{"tool":"rewrite","params":{}},{"tool":"chatgpt","params":{"prompt":"Rewrite this image caption as one concise training caption:\n\n{{input}}"}}]'::jsonb, true) ON CONFLICT DO NOTHING;
