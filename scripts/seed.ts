// Seeds an admin and a demo user once, printing their sign-in details. Safe to run every start.
// Both get the normal starting grant (STARTING_CREDITS, default 100); the demo user is topped up
// to DEMO_CREDITS. Every grant has its own idempotency key, so a re-run writes nothing.
import { eq } from "drizzle-orm";

import { createAuth } from "@spellcast/auth";
import { getBalance, grantCredits, grantStartingCredits, isDomainError } from "@spellcast/core";
import { createDb, users } from "@spellcast/db";

const DEMO_CREDITS = 1_000;
const startingCredits = Number(process.env.STARTING_CREDITS ?? 100);
if (!Number.isInteger(startingCredits) || startingCredits < 0 || startingCredits > 1_000_000) {
  throw new Error(`[seed] STARTING_CREDITS must be a whole number 0..1000000, got ${process.env.STARTING_CREDITS}`);
}

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
  onUserCreated: async (user) => {
    await grantStartingCredits(db, { userId: user.id, amount: startingCredits });
  },
});

/** Runs an idempotent grant; a CONFLICT means it already ran with other figures (settings changed). */
async function once(label: string, grant: () => Promise<unknown>) {
  try {
    await grant();
  } catch (err) {
    if (isDomainError(err) && err.code === "CONFLICT") console.log(`[seed] ${label} was already granted earlier`);
    else throw err;
  }
}

try {
  for (const account of accounts) {
    const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, account.email));
    let userId = existing?.id;
    if (userId) {
      console.log(`[seed] ${account.role} exists: ${account.email}`);
    } else {
      const created = await auth.api.createUser({
        body: { email: account.email, password: account.password, name: account.name, role: account.role },
      });
      userId = created.user.id;
      console.log(`[seed] created ${account.role}: ${account.email} / ${account.password}`);
    }
    const id = userId;
    // Also covers users seeded before the ledger existed (a replay otherwise).
    await once(`${account.email}'s starting grant`, () => grantStartingCredits(db, { userId: id, amount: startingCredits }));
    const topUp = DEMO_CREDITS - startingCredits;
    if (account.role === "user" && topUp > 0) {
      await once("the demo top-up", () =>
        grantCredits(db, {
          userId: id,
          amount: topUp,
          reason: "Demo credits",
          subject: { type: "seed", id: "demo" },
          key: "seed:demo",
        }),
      );
    }
    const { balance } = await getBalance(db, { userId: id });
    console.log(`[seed] ${account.email}: ${balance} credits`);
  }
} catch (err) {
  console.error(`[seed] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await close();
}
