CREATE TYPE "public"."ledger_entry_kind" AS ENUM('grant', 'reserve', 'capture', 'release', 'adjust');--> statement-breakpoint
CREATE TYPE "public"."reservation_status" AS ENUM('held', 'captured', 'released');--> statement-breakpoint
CREATE TABLE "credit_accounts" (
	"user_id" text PRIMARY KEY NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"held" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_accounts_held_nonnegative" CHECK ("credit_accounts"."held" >= 0),
	CONSTRAINT "credit_accounts_held_within_balance" CHECK ("credit_accounts"."held" <= "credit_accounts"."balance")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" "ledger_entry_kind" NOT NULL,
	"amount" integer NOT NULL,
	"held_delta" integer NOT NULL,
	"balance_after" bigint NOT NULL,
	"held_after" bigint NOT NULL,
	"reservation_id" uuid,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"actor_id" text,
	"reason" text,
	"idempotency_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_entries_kind_signs" CHECK (case "ledger_entries"."kind"
        when 'grant' then "ledger_entries"."amount" > 0 and "ledger_entries"."held_delta" = 0 and "ledger_entries"."reservation_id" is null
        when 'adjust' then "ledger_entries"."amount" <> 0 and "ledger_entries"."held_delta" = 0 and "ledger_entries"."reservation_id" is null
        when 'reserve' then "ledger_entries"."amount" = 0 and "ledger_entries"."held_delta" > 0 and "ledger_entries"."reservation_id" is not null
        when 'capture' then "ledger_entries"."amount" = "ledger_entries"."held_delta" and "ledger_entries"."amount" <= 0 and "ledger_entries"."reservation_id" is not null
        when 'release' then "ledger_entries"."amount" = 0 and "ledger_entries"."held_delta" < 0 and "ledger_entries"."reservation_id" is not null
      end)
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"amount" integer NOT NULL,
	"captured" integer DEFAULT 0 NOT NULL,
	"released" integer DEFAULT 0 NOT NULL,
	"status" "reservation_status" DEFAULT 'held' NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone,
	CONSTRAINT "reservations_amount_positive" CHECK ("reservations"."amount" > 0),
	CONSTRAINT "reservations_settlement_consistent" CHECK (("reservations"."status" = 'held' and "reservations"."captured" = 0 and "reservations"."released" = 0 and "reservations"."settled_at" is null)
        or ("reservations"."status" <> 'held' and "reservations"."captured" >= 0 and "reservations"."released" >= 0
            and "reservations"."captured" + "reservations"."released" = "reservations"."amount" and "reservations"."settled_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "credit_accounts" ADD CONSTRAINT "credit_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_user_id_credit_accounts_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."credit_accounts"("user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."reservations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_user_id_credit_accounts_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."credit_accounts"("user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_user_id_idempotency_key_index" ON "ledger_entries" USING btree ("user_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "ledger_entries_user_id_id_index" ON "ledger_entries" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "ledger_entries_reservation_id_index" ON "ledger_entries" USING btree ("reservation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reservations_user_id_idempotency_key_index" ON "reservations" USING btree ("user_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "reservations_user_id_status_created_at_index" ON "reservations" USING btree ("user_id","status","created_at");--> statement-breakpoint
CREATE INDEX "reservations_held_expiry_idx" ON "reservations" USING btree ("expires_at") WHERE "reservations"."status" = 'held';