import { describe, expect, it } from "vitest";

import { MAX_RECONNECT_DELAY_MS, connectionOptionsFor, reconnectDelay } from "./connection";

describe("connection roles", () => {
  it("lets workers and events wait out outages, producers fail fast", () => {
    expect(connectionOptionsFor("worker").maxRetriesPerRequest).toBeNull();
    expect(connectionOptionsFor("events").maxRetriesPerRequest).toBeNull();
    expect(connectionOptionsFor("producer").enableOfflineQueue).toBe(false);
  });

  it("never waits more than a second between reconnect attempts", () => {
    for (const attempt of [1, 2, 5, 10, 100, 10_000]) {
      expect(reconnectDelay(attempt)).toBeGreaterThan(0);
      expect(reconnectDelay(attempt)).toBeLessThanOrEqual(MAX_RECONNECT_DELAY_MS);
    }
    for (const role of ["worker", "producer", "events"] as const) {
      expect(connectionOptionsFor(role).retryStrategy).toBe(reconnectDelay);
    }
  });
});
