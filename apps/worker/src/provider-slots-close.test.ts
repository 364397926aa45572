import { describe, expect, it } from "vitest";

import { createProviderSlots } from "./provider-slots";

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("provider slots on shutdown (close)", () => {
  it("the call in flight finishes; jobs waiting for a slot, and jobs that come to wait later, never call", async () => {
    const slots = createProviderSlots(1);
    const started: string[] = [];
    const running = deferred();
    const controllers = new Map(["a", "b", "c"].map((k) => [k, new AbortController()]));
    const signalOf = (key: string) => controllers.get(key)?.signal ?? AbortSignal.abort();
    const call = (key: string, until: Promise<void> = Promise.resolve()) =>
      slots.run(key, signalOf(key), async () => {
        started.push(key);
        await until;
        return key;
      });

    const a = call("a", running.promise);
    const b = call("b");
    await new Promise((r) => setImmediate(r));
    const late: string[] = [];
    // What shutdown does with each key: hands the job back, which aborts its signal.
    const handBack = (key: string) => {
      late.push(key);
      controllers.get(key)?.abort(new Error("handed back"));
    };
    const waiting = slots.close(handBack);
    expect(waiting).toEqual(["b"]);

    const c = call("c");
    expect(late).toEqual(["c"]);
    running.resolve();
    await expect(a).resolves.toBe("a");
    // b's hand-back comes after a freed the slot: it still does not call.
    controllers.get("b")?.abort(new Error("handed back"));
    await expect(b).rejects.toThrow("handed back");
    await expect(c).rejects.toThrow("handed back");
    expect(started).toEqual(["a"]);
  });
});
