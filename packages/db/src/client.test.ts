import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { testEnv } from "../../../tooling/test/env";
import { createDb } from "./client";
import { users } from "./schema";

describe("prepared statements", () => {
  const { db, close } = createDb(testEnv().databaseUrl, { max: 1, appName: "prepared-test" });
  afterAll(() => close());

  const preparedTexts = async () =>
    (await db.execute<{ statement: string }>(sql`select statement from pg_prepared_statements`)).map((r) => r.statement);

  it("Drizzle builder queries run as prepared statements, inside transactions too, and are described once per text", async () => {
    const lookup = (id: string) => db.select({ id: users.id }).from(users).where(eq(users.id, id));
    await lookup("nobody-1");
    await lookup("nobody-2");
    await db.transaction(async (tx) => {
      await tx.select({ id: users.id }).from(users).where(eq(users.email, "nobody@example.test"));
    });
    const texts = await preparedTexts();
    // One prepared statement for the two lookups (same text, other parameter), one for the transaction's query.
    expect(texts.filter((t) => t.includes('where "users"."id" = $1'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('where "users"."email" = $1'))).toHaveLength(1);
  });
});

describe("connection limits", () => {
  it("a statement over the pool's statement timeout is cancelled by the server; a session idle in a transaction is ended after a minute", async () => {
    const limited = createDb(testEnv().databaseUrl, { max: 1, appName: "timeout-test", statementTimeoutMs: 200 });
    try {
      await expect(limited.db.execute(sql`select pg_sleep(2)`)).rejects.toMatchObject({ cause: { code: "57014" } });
      const [row] = await limited.db.execute<{ idle: string }>(sql`select current_setting('idle_in_transaction_session_timeout') as idle`);
      expect(row?.idle).toBe("1min");
    } finally {
      await limited.close();
    }
  });
});

/** Ends every backend of `appName` at random intervals within `[minMs, maxMs]` until `stopAt`, as a server restarting over and over would. */
async function killUntil(admin: ReturnType<typeof createDb>["db"], appName: string, stopAt: number, [minMs, maxMs]: [number, number]) {
  while (Date.now() < stopAt) {
    await new Promise((r) => setTimeout(r, minMs + Math.random() * (maxMs - minMs)));
    await admin.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${appName}`);
  }
}

describe("connections ended by the server (a failover, a restart, a proxy)", () => {
  it("transactions on connections killed every few hundred ms each settle, none hangs, and the pool works after", { timeout: 30_000 }, async () => {
    // postgres-js 3.4.9 crashed the process here (a write to a closed socket from a timer), and
    // left transactions waiting forever on a reconnected connection: patches/postgres+3.4.9.patch.
    const appName = `kill-test-${process.pid}`;
    const victim = createDb(testEnv().databaseUrl, { max: 2, appName });
    const admin = createDb(testEnv().databaseUrl, { max: 1, appName: "kill-test-admin" });
    try {
      const stopAt = Date.now() + 6_000;
      const startedAt = new Map<number, number>();
      let next = 0;
      const outcomes = { committed: 0, failed: 0 };
      const transactions = Array.from({ length: 8 }, async () => {
        while (Date.now() < stopAt) {
          const id = next++;
          startedAt.set(id, Date.now());
          try {
            await victim.db.transaction(async (tx) => {
              // Pipelined, as the worker's batches are: several statements in flight at once.
              await Promise.all([tx.execute(sql`select pg_sleep(0.002)`), tx.execute(sql`select 1`), tx.execute(sql`select ${"x".repeat(10)}`)]);
              await tx.execute(sql`select 2`);
            });
            outcomes.committed += 1;
          } catch {
            outcomes.failed += 1;
          } finally {
            startedAt.delete(id);
          }
        }
      });
      const kills = killUntil(admin.db, appName, stopAt, [150, 350]);
      // A transaction still open 5 s after it began hangs (each takes milliseconds).
      let hung: number | undefined;
      const watch = setInterval(() => {
        for (const started of startedAt.values()) if (Date.now() - started > 5_000) hung = Date.now() - started;
      }, 250);
      await Promise.race([Promise.all([...transactions, kills]), new Promise((r) => setTimeout(r, 15_000))]);
      clearInterval(watch);
      expect(hung).toBeUndefined();
      expect(startedAt.size).toBe(0);
      expect(outcomes.failed).toBeGreaterThan(0);
      expect(outcomes.committed).toBeGreaterThan(outcomes.failed);
      // The pool serves queries again: a connection killed while idle fails its next query once.
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await victim.db.execute<{ ok: number }>(sql`select 1 as ok`).then((rows) => rows[0]?.ok, () => "failed"));
      expect(answers.at(-1)).toBe(1);
    } finally {
      await Promise.all([victim.close(), admin.close()]);
    }
  });

  it("connections killed as they open: every query settles and nothing is left unhandled (the array-type fetch after connecting)", { timeout: 30_000 }, async () => {
    const appName = `kill-open-test-${process.pid}`;
    const victim = createDb(testEnv().databaseUrl, { max: 4, appName });
    const admin = createDb(testEnv().databaseUrl, { max: 1, appName: "kill-open-test-admin" });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const stopAt = Date.now() + 5_000;
      let settled = 0;
      const queries = Array.from({ length: 4 }, async () => {
        while (Date.now() < stopAt) await victim.db.execute(sql`select 1`).then(() => settled++, () => settled++);
      });
      const kills = killUntil(admin.db, appName, stopAt, [5, 25]);
      await Promise.race([Promise.all([...queries, kills]), new Promise((r) => setTimeout(r, 15_000))]);
      // Let any stray rejection of the last kills surface before counting.
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled).toEqual([]);
      expect(settled).toBeGreaterThan(0);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      await Promise.all([victim.close(), admin.close()]);
    }
  });
});
