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
