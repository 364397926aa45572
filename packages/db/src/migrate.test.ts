import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";

import { testEnv } from "../../../tooling/test/env";
import { dropDatabase, migrateDatabase } from "./migrate";

describe("migrations", () => {
  const url = new URL(testEnv().databaseUrl);
  url.pathname = `${url.pathname}_empty`;
  const emptyUrl = url.toString();
  afterAll(() => dropDatabase(emptyUrl));

  it("create a missing database and apply every migration to it, twice without harm", async () => {
    await migrateDatabase(emptyUrl);
    await migrateDatabase(emptyUrl);
    const sql = postgres(emptyUrl, { max: 1 });
    try {
      const tables = await sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public'`;
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(["users", "auth_sessions", "api_keys", "generation_sessions", "events"]),
      );
    } finally {
      await sql.end();
    }
  });
});
