import { count, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { users } from "@spellcast/db";

import { createApiHarness } from "../testing/api-harness";

const api = createApiHarness();
afterAll(() => api.cleanup());

describe("sign-up, sign-in and me", () => {
  it("a new user signs up, signs in and is recognised by `me` through the session cookie", async () => {
    const { email, caller } = await api.signUp("Ada Lovelace");
    await expect(caller.me()).resolves.toEqual({
      id: expect.any(String),
      name: "Ada Lovelace",
      email,
      role: "user",
      via: "session",
    });
  });

  it("wrong credentials are refused with a clear message and no session", async () => {
    const { email } = await api.signUp();
    const res = await api.auth.api.signInEmail({
      body: { email, password: "wrong password!" },
      asResponse: true,
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: "Invalid email or password" });
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("a duplicate email is refused and writes nothing", async () => {
    const { email } = await api.signUp();
    await expect(
      api.auth.api.signUpEmail({ body: { email, password: "another password", name: "Copycat" } }),
    ).rejects.toThrow(/already exists/i);
    const [row] = await api.db.select({ n: count() }).from(users).where(eq(users.email, email));
    expect(row?.n).toBe(1);
  });

  it("anonymous callers get UNAUTHORIZED from protected procedures", async () => {
    await expect(api.callerFor().me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
