import { describe, expect, it } from "vitest";

import { createCancelRegistry } from "./cancel-registry";

describe("cancel registry", () => {
  it("a cancel aborts the session's signal and is told apart as a cancel", () => {
    const registry = createCancelRegistry();
    const shutdown = new AbortController();
    const session = registry.register("s1", shutdown.signal);
    expect(registry.abort("s1")).toBe(true);
    expect(session.signal.aborted).toBe(true);
    expect(session.canceled()).toBe(true);
    session.release();
    expect(registry.abort("s1")).toBe(false);
  });

  it("a shutdown aborts every running session's signal, but is no cancel", () => {
    const registry = createCancelRegistry();
    const shutdown = new AbortController();
    const a = registry.register("a", shutdown.signal);
    const b = registry.register("b", shutdown.signal);
    shutdown.abort(new Error("SIGTERM"));
    expect([a.signal.aborted, b.signal.aborted]).toEqual([true, true]);
    expect([a.canceled(), b.canceled()]).toEqual([false, false]);
    // A cancel that arrives after the shutdown is still a cancel (the web already settled it).
    registry.abort("a");
    expect(a.canceled()).toBe(true);
  });

  it("registered after the shutdown began: aborted from the start; released: a later shutdown no longer reaches it", () => {
    const registry = createCancelRegistry();
    const shutdown = new AbortController();
    shutdown.abort();
    expect(registry.register("late", shutdown.signal).signal.aborted).toBe(true);

    const other = new AbortController();
    const done = registry.register("done", other.signal);
    done.release();
    other.abort();
    expect(done.signal.aborted).toBe(false);
  });

  it("a cancel reaches only its own session", () => {
    const registry = createCancelRegistry();
    const mine = registry.register("mine");
    const theirs = registry.register("theirs");
    registry.abort("mine");
    expect(mine.signal.aborted).toBe(true);
    expect(theirs.signal.aborted).toBe(false);
  });
});
