import { createServer } from "node:net";
import type { AddressInfo } from "node:net";

import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { createDb, isDatabaseUnavailable } from "@spellcast/db";

import { testEnv } from "../../../tooling/test/env";
import { createContext } from "./context";
import { toTRPCError } from "./errors";
import { appRouter } from "./root";
import { createApiHarness } from "./testing/api-harness";
import { createCallerFactory } from "./trpc";

const api = createApiHarness();
afterAll(() => api.cleanup());
const createCaller = createCallerFactory(appRouter);

describe("the database out of reach", () => {
  it("a request answers SERVICE_UNAVAILABLE (a 503, which clients retry) saying nothing was changed", async () => {
    const user = await api.signUp();
    // Nothing listens on port 1: every statement fails to connect.
    const unreachable = createDb("postgres://postgres@127.0.0.1:1/none", { max: 1, appName: "unreachable-test" });
    try {
      const caller = createCaller(createContext({ ...api.deps, db: unreachable.db }, new Headers({ cookie: user.cookie })));
      await expect(caller.generations.list({})).rejects.toMatchObject({
        code: "SERVICE_UNAVAILABLE",
        message: "The database is out of reach for a moment: nothing was changed, please try again",
      });
    } finally {
      await unreachable.close();
    }
  });

  it("a statement whose connection the server ends is the same; a statement the database refuses is not", async () => {
    const appName = `terminated-test-${process.pid}`;
    const victim = createDb(testEnv().databaseUrl, { max: 1, appName });
    try {
      const running = victim.db.execute(sql`select pg_sleep(5)`).then(
        () => null,
        (err: unknown) => err,
      );
      for (let ended = 0; ended === 0; ) {
        await new Promise((r) => setTimeout(r, 50));
        ended = (await api.db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${appName} and state = 'active'`)).length;
      }
      const err = await running;
      expect(isDatabaseUnavailable(err)).toBe(true);
      expect(toTRPCError(err).code).toBe("SERVICE_UNAVAILABLE");

      const refused = await api.db.execute(sql`select 1 / 0`).then(() => null, (e: unknown) => e);
      expect(isDatabaseUnavailable(refused)).toBe(false);
      expect(toTRPCError(refused).code).toBe("INTERNAL_SERVER_ERROR");
      // A provider's refused connection has the same socket code but is no statement's.
      const closedPort = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, "127.0.0.1", () => {
          const { port } = server.address() as AddressInfo;
          server.close(() => resolve(port));
        });
      });
      const http = await fetch(`http://127.0.0.1:${closedPort}/`).then(() => null, (e: unknown) => e);
      expect((http as { cause?: { code?: string } } | null)?.cause?.code).toBe("ECONNREFUSED");
      expect(isDatabaseUnavailable(http)).toBe(false);
    } finally {
      await victim.close();
    }
  });
});
