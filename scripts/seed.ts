// Seeds an admin and a demo user once, printing their sign-in details. Safe to run every start.
import { eq } from "drizzle-orm";

import { createAuth } from "@spellcast/auth";
import { createDb, users } from "@spellcast/db";

const accounts = [
  { role: "admin", name: "Admin", email: process.env.SEED_ADMIN_EMAIL ?? "admin@spellcast.local", password: process.env.SEED_ADMIN_PASSWORD ?? "admin-password" },
  { role: "user", name: "Demo User", email: process.env.SEED_DEMO_EMAIL ?? "demo@spellcast.local", password: process.env.SEED_DEMO_PASSWORD ?? "demo-password" },
] as const;

const { db, close } = createDb(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/spellcast", { max: 2, appName: "spellcast-seed" });
const auth = createAuth({
  db,
  baseURL: process.env.BETTER_AUTH_URL ?? "http://localhost:3000",
  secret: process.env.BETTER_AUTH_SECRET ?? "seed-only-secret-never-used-for-cookies-000",
  rateLimit: false,
});

try {
  for (const account of accounts) {
    const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, account.email));
    if (existing) {
      console.log(`[seed] ${account.role} exists: ${account.email}`);
      continue;
    }
    await auth.api.createUser({
      body: { email: account.email, password: account.password, name: account.name, role: account.role },
    });
    console.log(`[seed] created ${account.role}: ${account.email} / ${account.password}`);
  }
} catch (err) {
  console.error(`[seed] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await close();
}
