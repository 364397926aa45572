import { describe, expect, it } from "vitest";

import { createProviderSlots } from "./provider-slots";

describe("provider slots: who calls next", () => {
  it("a freed slot goes to the oldest interactive call before any background one; each class in arrival order; never more than the size at once", async () => {
    const slots = createProviderSlots(1);
    const signal = new AbortController().signal;
    const order: string[] = [];
    let inFlight = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const call = (key: string, background: boolean, until: Promise<void> = Promise.resolve()) =>
      slots.run(
        key,
        signal,
        async () => {
          order.push(key);
          most = Math.max(most, ++inFlight);
          await until;
          inFlight--;
        },
        { background },
      );

    const first = call("first", true, held);
    const rest = [call("run-1", true), call("run-2", true), call("generation-1", false), call("run-3", true), call("generation-2", false)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(["first"]);
    release();
    await Promise.all([first, ...rest]);
    expect(order).toEqual(["first", "generation-1", "generation-2", "run-1", "run-2", "run-3"]);
    expect(most).toBe(1);
  });
});
