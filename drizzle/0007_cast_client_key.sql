ALTER TABLE "casts" ADD COLUMN "client_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "casts_user_id_client_key_index" ON "casts" USING btree ("user_id","client_key");