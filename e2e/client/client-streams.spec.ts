import { expect, test } from "@playwright/test";

import type { SessionEvent } from "../../packages/client/src/index";
import { createSpellcastClient, TRPCClientError } from "../../packages/client/src/index";
import { freshApiKey, revokeApiKeyOverHttp } from "../support/client-setup";
import { addSimFaults, createGenerationOverHttp, uniqueToken } from "../support/generations";
import { startTcpProxy } from "../support/tcp-proxy";

test("waitFor survives the server dropping the stream mid-wait (cut, then 502s) and resolves once", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const proxy = await startTcpProxy(new URL(baseURL));
  try {
    const { key } = await freshApiKey(baseURL, "waitFor drop");
    const token = uniqueToken("slow");
    await addSimFaults([{ match: { promptContains: token }, delayMs: 4_000 }]);
    const spellcast = createSpellcastClient({ url: proxy.url, apiKey: key });
    const session = await spellcast.generate({ prompt: token, params: { size: "512x512" } });

    const events: SessionEvent[] = [];
    let resolutions = 0;
    const waiting = spellcast
      .waitFor(session.id, { timeoutMs: 45_000, onEvent: (e) => events.push(e) })
      .then((done) => {
        resolutions++;
        return done;
      });
    // The provider call is under way (4 s) and the stream has had time to open: drop everything.
    await expect
      .poll(async () => (await spellcast.trpc.generations.get.query({ id: session.id })).status, { timeout: 15_000 })
      .toBe("running");
    await new Promise((r) => setTimeout(r, 1_000));
    const before = proxy.connections();
    proxy.cut(true); // mid-wait: the stream is cut and reconnects are answered 502 (EventSource gives up)
    await new Promise((r) => setTimeout(r, 5_000)); // the provider answers (4 s delay) while we are cut off
    proxy.restore();

    const done = await waiting;
    expect(done.status).toBe("completed");
    expect(done.outputs?.kind).toBe("image");
    expect(proxy.connections()).toBeGreaterThan(before); // it did reconnect
    await new Promise((r) => setTimeout(r, 500));
    expect(resolutions).toBe(1);
    // Every log event at most once (resumed after the last id, never replayed).
    const ids = events.flatMap((e) => (e.type === "progress" ? [] : [e.id]));
    expect(new Set(ids).size).toBe(ids.length);
  } finally {
    await proxy.close();
  }
});

test("a revoked key: the next request is UNAUTHORIZED and an open stream ends", async ({ baseURL, request }) => {
  if (!baseURL) throw new Error("no baseURL");
  const { key, keyId, cookie } = await freshApiKey(baseURL, "revoke");
  const spellcast = createSpellcastClient({ url: baseURL, apiKey: key });
  expect((await spellcast.trpc.me.query()).via).toBe("api_key");

  let started = false;
  let streamError: unknown = null;
  const sub = spellcast.trpc.events.stream.subscribe(
    {},
    {
      onData: () => (started = true),
      onError: (err) => (streamError = err),
    },
  );
  try {
    await expect.poll(() => started, { timeout: 15_000 }).toBe(true);
    await revokeApiKeyOverHttp(baseURL, cookie, keyId);

    const refused = await spellcast.trpc.me.query().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as InstanceType<typeof TRPCClientError>).data?.code).toBe("UNAUTHORIZED");

    // Any activity on the user's log wakes the stream, which re-checks the key and ends (or within 30 s).
    await createGenerationOverHttp(request, { prompt: "wake the stream" }, { cookie, origin: baseURL });
    await expect.poll(() => streamError, { timeout: 15_000 }).toBeInstanceOf(TRPCClientError);
    expect((streamError as InstanceType<typeof TRPCClientError>).data?.code).toBe("UNAUTHORIZED");
  } finally {
    sub.unsubscribe();
  }
});
