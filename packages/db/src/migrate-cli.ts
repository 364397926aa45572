import { migrateDatabase } from "./migrate";

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/spellcast";
try {
  await migrateDatabase(url);
  console.log(`migrated ${new URL(url).pathname.slice(1)}`);
} catch (err) {
  console.error(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
