DROP INDEX "generation_sessions_user_id_client_key_index";--> statement-breakpoint
DROP INDEX "generation_sessions_replay_of_index";--> statement-breakpoint
DROP INDEX "casts_user_id_client_key_index";--> statement-breakpoint
CREATE UNIQUE INDEX "generation_sessions_user_id_client_key_index" ON "generation_sessions" USING btree ("user_id","client_key") WHERE "generation_sessions"."client_key" is not null;--> statement-breakpoint
CREATE INDEX "generation_sessions_replay_of_index" ON "generation_sessions" USING btree ("replay_of") WHERE "generation_sessions"."replay_of" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "casts_user_id_client_key_index" ON "casts" USING btree ("user_id","client_key") WHERE "casts"."client_key" is not null;