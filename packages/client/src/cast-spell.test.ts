import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, describe, expect, it } from "vitest";

import { appRouter, createContext } from "@spellcast/api";

import { createApiHarness } from "../../api/src/testing/api-harness";
import { createSpellcastClient, TRPCClientError } from "./index";

// The real API over the real database, served in-process through tRPC's fetch adapter.
const api = createApiHarness();
afterAll(() => api.cleanup());

const serve = (req: Request) =>
  fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createContext(api.deps, req.headers) });

/** An answer a create gets instead of reaching the procedure, as a server that could not serve it sends it. */
type Refusal = { code: "TOO_MANY_REQUESTS" | "SERVICE_UNAVAILABLE" | "INTERNAL_SERVER_ERROR"; httpStatus: number };

/**
 * The server's own BAD_REQUEST answer to `req` (its input left out), turned into `refusal`: the
 * body has the exact shape the link expects, and the procedure never ran.
 */
async function refuse(req: Request, refusal: Refusal): Promise<Response> {
  const bad = await serve(new Request(req.url, { method: req.method, headers: req.headers, body: "{}" }));
  const body = (await bad.text()).replaceAll("BAD_REQUEST", refusal.code).replaceAll('"httpStatus":400', `"httpStatus":${refusal.httpStatus}`);
  return new Response(body, { status: bad.status === 400 ? refusal.httpStatus : bad.status, headers: bad.headers });
}

/**
 * A client of a new user (API key auth). `dropCreateResponses` responses of `dropPath` (casts.create
 * by default) are lost on the way back (the server has committed): the client sees a network error.
 * `refusals` are answered, in order, to the first creates instead of running them.
 */
async function clientOfNewUser(dropCreateResponses = 0, dropPath = "casts.create", refusals: Refusal[] = []) {
  const user = await api.signUp("Client");
  const { id: userId } = await user.caller.me();
  const { key } = await user.caller.apiKeys.create({ name: "client test" });
  const spell = await user.caller.spells.create({ name: "Tidy", steps: [{ tool: "rewrite", params: {} }] });
  let toDrop = dropCreateResponses;
  const toRefuse = [...refusals];
  let createsServed = 0;
  const fetchImpl: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    const isCreate = new URL(req.url).pathname.includes(dropPath);
    const refusal = isCreate ? toRefuse.shift() : undefined;
    if (refusal) return refuse(req, refusal);
    if (isCreate) createsServed += 1;
    const res = await serve(req);
    if (toDrop > 0 && new URL(req.url).pathname.includes(dropPath)) {
      toDrop -= 1;
      await res.arrayBuffer();
      throw new TypeError("fetch failed");
    }
    return res;
  };
  const spellcast = createSpellcastClient({ url: "http://spellcast.test", apiKey: key, fetch: fetchImpl });
  return { userId, spellId: spell.id, spellcast, createsServed: () => createsServed, refusalsLeft: () => toRefuse.length };
}

async function castKeysOf(userId: string): Promise<Array<{ id: string; clientKey: string | null }>> {
  const rows = await api.sql<Array<{ id: string; client_key: string | null }>>`
    select id, client_key from casts where user_id = ${userId} order by created_at`;
  return rows.map((r) => ({ id: r.id, clientKey: r.client_key }));
}

describe("castSpell clientKey", () => {
  it("sends a fresh clientKey of its own when the caller passes none (each call its own cast)", async () => {
    const { userId, spellId, spellcast } = await clientOfNewUser();
    const a = await spellcast.castSpell({ spellId, input: { kind: "text", text: "this image shows a cat" } });
    const b = await spellcast.castSpell({ spellId, input: { kind: "text", text: "this image shows a cat" } });
    expect(a).toMatchObject({ status: "completed", output: { kind: "text", text: "A cat" } });
    expect(b.id).not.toBe(a.id);
    const rows = await castKeysOf(userId);
    expect(rows.map((r) => r.id)).toEqual([a.id, b.id]);
    for (const row of rows) expect(row.clientKey).toMatch(/^client_[0-9a-f-]{36}$/);
    expect(rows[0]?.clientKey).not.toBe(rows[1]?.clientKey);
  });

  it("a lost create response is sent again with the same key: one cast, not two", async () => {
    const { userId, spellId, spellcast } = await clientOfNewUser(2);
    const cast = await spellcast.castSpell({ spellId, input: { kind: "text", text: "this image shows a cat" } });
    expect(cast).toMatchObject({ status: "completed", output: { kind: "text", text: "A cat" } });
    const rows = await castKeysOf(userId);
    expect(rows.map((r) => r.id)).toEqual([cast.id]);
  });

  it("when every attempt loses its response, the caller's own retry with its clientKey gets the same cast", async () => {
    const { userId, spellId, spellcast } = await clientOfNewUser(3);
    const request = { spellId, input: { kind: "text" as const, text: "this image shows a cat" }, clientKey: "my-retry-key-1" };
    await expect(spellcast.castSpell(request)).rejects.toBeInstanceOf(TRPCClientError);
    const [made] = await castKeysOf(userId);
    expect(made?.clientKey).toBe("my-retry-key-1");
    const retried = await spellcast.castSpell(request);
    expect(retried).toMatchObject({ id: made?.id, status: "completed" });
    expect(await castKeysOf(userId)).toHaveLength(1);
  });
});

describe("castSpell retries", () => {
  it("a create answered 429, then 503, then served: sent again with the same key, one cast", async () => {
    const refusals: Refusal[] = [
      { code: "TOO_MANY_REQUESTS", httpStatus: 429 },
      { code: "SERVICE_UNAVAILABLE", httpStatus: 503 },
    ];
    const { userId, spellId, spellcast, createsServed } = await clientOfNewUser(0, "casts.create", refusals);
    const cast = await spellcast.castSpell({ spellId, input: { kind: "text", text: "this image shows a cat" }, clientKey: "after-refusals-1" });
    expect(cast).toMatchObject({ status: "completed", output: { kind: "text", text: "A cat" } });
    expect(createsServed()).toBe(1);
    expect(await castKeysOf(userId)).toEqual([{ id: cast.id, clientKey: "after-refusals-1" }]);
  });

  it("gives up after three transient answers, with the last one", async () => {
    const refusals = Array.from({ length: 3 }, (): Refusal => ({ code: "INTERNAL_SERVER_ERROR", httpStatus: 500 }));
    const { userId, spellId, spellcast, createsServed, refusalsLeft } = await clientOfNewUser(0, "casts.create", refusals);
    const err: unknown = await spellcast.castSpell({ spellId, input: { kind: "text", text: "a cat" } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<never>).data).toMatchObject({ code: "INTERNAL_SERVER_ERROR", httpStatus: 500 });
    expect(refusalsLeft()).toBe(0);
    expect(createsServed()).toBe(0);
    expect(await castKeysOf(userId)).toEqual([]);
  });

  it("an answer that would be the same again (an unknown spell) is not sent again", async () => {
    const { spellcast, createsServed } = await clientOfNewUser();
    const err: unknown = await spellcast.castSpell({ spellId: "00000000-0000-4000-8000-00000000dead", input: { kind: "text", text: "a cat" } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as TRPCClientError<never>).data).toMatchObject({ code: "NOT_FOUND" });
    expect(createsServed()).toBe(1);
  });
});

describe("cancelCast", () => {
  it("cancels a cast whose paid step waits in the queue: canceled, hold released; again: the same cast; another user's: NOT_FOUND", async () => {
    const { spellcast } = await clientOfNewUser();
    const other = await clientOfNewUser();
    const polish = await spellcast.trpc.spells.create.mutate({ name: "Polish", steps: [{ tool: "chatgpt", params: { prompt: "Polish: {{input}}" } }] });
    const cast = await spellcast.trpc.casts.create.mutate({ spellId: polish.id, input: { kind: "text", text: "a red fox" } });
    expect(cast.status).toBe("running");
    await expect(spellcast.trpc.credits.balance.query()).resolves.toMatchObject({ held: 1 });

    const err: unknown = await other.spellcast.cancelCast(cast.id).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<never>).data).toMatchObject({ code: "NOT_FOUND" });
    await expect(spellcast.trpc.casts.get.query({ castId: cast.id })).resolves.toMatchObject({ status: "running" });

    const canceled = await spellcast.cancelCast(cast.id);
    expect(canceled).toMatchObject({ id: cast.id, status: "canceled" });
    await expect(spellcast.trpc.credits.balance.query()).resolves.toMatchObject({ balance: 100, held: 0 });
    await expect(spellcast.cancelCast(cast.id)).resolves.toEqual(canceled);
  });
});

describe("generate clientKey", () => {
  it("a lost create response is sent again with the same key: one session, one hold", async () => {
    const { userId, spellcast } = await clientOfNewUser(2, "generations.create");
    const session = await spellcast.generate({ prompt: "a lighthouse at dusk", params: { size: "1024x1024" } });
    const rows = await api.sql<Array<{ id: string; client_key: string | null }>>`
      select id, client_key from generation_sessions where user_id = ${userId}`;
    expect(rows.map((r) => r.id)).toEqual([session.id]);
    expect(rows[0]?.client_key).toMatch(/^client_[0-9a-f-]{36}$/);
    const [holds] = await api.sql<Array<{ n: number }>>`select count(*)::int as n from reservations where user_id = ${userId}`;
    expect(holds?.n).toBe(1);
  });
});
