import { createTRPCClient, httpBatchStreamLink } from "@trpc/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, describe, expect, it } from "vitest";

import type { AppRouter } from "@spellcast/api";
import { appRouter, createContext } from "@spellcast/api";

import { createApiHarness } from "../../../../packages/api/src/testing/api-harness";
import { reservePlaces } from "./reserve-places";
import { UPLOAD_ATTEMPTS } from "./upload-retry";

// The real API over the real database, served in-process; the client uses the page's link.
const api = createApiHarness();
afterAll(() => api.cleanup());

const serve = (req: Request) =>
  fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createContext(api.deps, req.headers) });

/** How the first reservation requests go wrong before the server answers them itself. */
type Fault = "proxy 503 page" | "JSON 503 not from the API" | "answer lost" | "too many places";

/** A signed-in owner's dataset, and a reserve() through the page's link that meets `faults` in order. */
async function reserverWithFaults(faults: Fault[]) {
  const owner = await api.signUp("Uploader");
  const dataset = await owner.caller.datasets.create({ name: "Reserved" });
  const left = [...faults];
  let sent = 0;
  const fetchImpl: typeof fetch = async (input, init) => {
    sent += 1;
    const req = new Request(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), cookie: owner.cookie } });
    const fault = left.shift();
    if (fault === "proxy 503 page") return new Response("<h1>503 Service Unavailable</h1>", { status: 503, headers: { "content-type": "text/html" } });
    if (fault === "JSON 503 not from the API") return Response.json({ error: "The server is restarting" }, { status: 503 });
    if (fault === "answer lost") {
      // The server reserved the places, then the connection dropped before its answer arrived.
      await (await serve(req)).arrayBuffer();
      throw new TypeError("fetch failed");
    }
    if (fault === "too many places") {
      // The page asking for more places than one reservation holds: the server's own refusal.
      const body = (await req.text()).replace(/"count":\d+/, '"count":10001');
      return serve(new Request(req.url, { method: req.method, headers: req.headers, body }));
    }
    return serve(req);
  };
  const client = createTRPCClient<AppRouter>({ links: [httpBatchStreamLink({ url: "http://spellcast.test/api/trpc", transformer: superjson, fetch: fetchImpl })] });
  const retries: string[] = [];
  const waits: number[] = [];
  const reserve = (datasetId = dataset.id) =>
    reservePlaces(() => client.datasets.reserveImageIndexes.mutate({ datasetId, count: 3 }).then((r) => r.firstIndex), {
      onRetry: (reason) => retries.push(reason),
      wait: async (ms) => void waits.push(ms),
    });
  return { owner, dataset, reserve, retries, waits, sent: () => sent };
}

describe("reserving the places of an upload's files", () => {
  it("goes again after a proxy's 503 page, a 503 not from the API or a lost answer, waiting as uploads do, and gets the places", async () => {
    const r = await reserverWithFaults(["proxy 503 page", "JSON 503 not from the API", "answer lost"]);
    // Places 0–2 went to the reservation whose answer was lost: they stay empty.
    expect(await r.reserve()).toEqual({ ok: true, firstIndex: 3 });
    expect(r.sent()).toBe(4);
    expect(r.retries).toEqual([
      "Could not reserve the files' places in the dataset: no answer from the server; trying again",
      "Could not reserve the files' places in the dataset: the server answered 503; trying again",
      "Could not reserve the files' places in the dataset: no answer from the server; trying again",
    ]);
    // 1 s, 2 s, 4 s, each ±20 %: the uploads' own pauses.
    expect(r.waits).toHaveLength(3);
    r.waits.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(800 * 2 ** i);
      expect(ms).toBeLessThanOrEqual(1_200 * 2 ** i);
    });
    expect(await r.owner.caller.datasets.reserveImageIndexes({ datasetId: r.dataset.id, count: 1 })).toEqual({ firstIndex: 6, count: 1 });
  });

  it("gives up after as many tries as an upload, with the last reason", async () => {
    const r = await reserverWithFaults(Array.from({ length: UPLOAD_ATTEMPTS }, () => "proxy 503 page" as const));
    expect(await r.reserve()).toEqual({ ok: false, reason: "Could not reserve the files' places in the dataset: no answer from the server" });
    expect(r.sent()).toBe(UPLOAD_ATTEMPTS);
    expect(r.retries).toHaveLength(UPLOAD_ATTEMPTS - 1);
  });

  it("does not go again after a refusal: over the count limit, or a dataset that is not the user's, each in the server's words", async () => {
    const over = await reserverWithFaults(["too many places"]);
    expect(await over.reserve()).toEqual({
      ok: false,
      reason: "Could not reserve the files' places in the dataset: count: a whole number of images from 1 to 10000",
    });
    expect(over.sent()).toBe(1);
    expect(over.retries).toEqual([]);

    const stranger = await reserverWithFaults([]);
    expect(await stranger.reserve(over.dataset.id)).toEqual({ ok: false, reason: "Could not reserve the files' places in the dataset: Dataset not found" });
    expect(stranger.sent()).toBe(1);
    expect(stranger.retries).toEqual([]);
  });

  it("does not go again after a fault of the page itself (not a failed call)", async () => {
    let calls = 0;
    const result = await reservePlaces(
      () => {
        calls += 1;
        return Promise.reject(new RangeError("bad count"));
      },
      { onRetry: () => expect.unreachable("no retry") },
    );
    expect(result).toEqual({ ok: false, reason: "Could not reserve the files' places in the dataset: bad count" });
    expect(calls).toBe(1);
  });
});
