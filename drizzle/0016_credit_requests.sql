CREATE TYPE "public"."credit_request_status" AS ENUM('open', 'granted', 'declined', 'withdrawn');--> statement-breakpoint
CREATE TABLE "credit_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"amount" integer NOT NULL,
	"reason" text,
	"status" "credit_request_status" DEFAULT 'open' NOT NULL,
	"granted_amount" integer,
	"ledger_entry_id" bigint,
	"decided_by" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "credit_requests_amount_positive" CHECK ("credit_requests"."amount" > 0),
	CONSTRAINT "credit_requests_status_consistent" CHECK (case "credit_requests"."status"
        when 'open' then "credit_requests"."closed_at" is null and "credit_requests"."granted_amount" is null and "credit_requests"."decided_by" is null
        when 'granted' then "credit_requests"."closed_at" is not null and "credit_requests"."granted_amount" > 0 and "credit_requests"."decided_by" is not null
        when 'declined' then "credit_requests"."closed_at" is not null and "credit_requests"."granted_amount" is null and "credit_requests"."decided_by" is not null
        when 'withdrawn' then "credit_requests"."closed_at" is not null and "credit_requests"."granted_amount" is null and "credit_requests"."decided_by" is null
      end)
);
--> statement-breakpoint
ALTER TABLE "credit_requests" ADD CONSTRAINT "credit_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_requests" ADD CONSTRAINT "credit_requests_ledger_entry_id_ledger_entries_id_fk" FOREIGN KEY ("ledger_entry_id") REFERENCES "public"."ledger_entries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_requests_one_open_per_user_idx" ON "credit_requests" USING btree ("user_id") WHERE "credit_requests"."status" = 'open';--> statement-breakpoint
CREATE INDEX "credit_requests_user_id_created_at_index" ON "credit_requests" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "credit_requests_open_idx" ON "credit_requests" USING btree ("created_at") WHERE "credit_requests"."status" = 'open';