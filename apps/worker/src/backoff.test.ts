import { PROVIDER_BACKOFF } from "@spellcast/queue";
import { ProviderError } from "@spellcast/providers";
import { describe, expect, it } from "vitest";

import { createBackoffStrategy, providerBackoffDelay } from "./backoff";
import { RetryableAttemptError } from "./generation-errors";

const config = { baseMs: 1_000, maxMs: 30_000 };

describe("provider backoff", () => {
  it("grows exponentially with jitter between half and all of the ceiling, capped", () => {
    expect(providerBackoffDelay(1, undefined, config, () => 0)).toBe(500);
    expect(providerBackoffDelay(1, undefined, config, () => 1)).toBe(1_000);
    expect(providerBackoffDelay(3, undefined, config, () => 1)).toBe(4_000);
    expect(providerBackoffDelay(20, undefined, config, () => 1)).toBe(30_000);
    for (let i = 0; i < 100; i++) {
      const d = providerBackoffDelay(2, undefined, config);
      expect(d).toBeGreaterThanOrEqual(1_000);
      expect(d).toBeLessThanOrEqual(2_000);
    }
  });

  it("never waits less than Retry-After", () => {
    expect(providerBackoffDelay(1, 2_000, config, () => 1)).toBe(2_000);
    expect(providerBackoffDelay(5, 2_000, config, () => 1)).toBe(16_000);
  });

  it("the Worker strategy reuses the delay the processor recorded, else computes one", async () => {
    const strategy = createBackoffStrategy(config);
    const failure = { providerStatus: 503, providerMessage: "busy", providerBody: null, requestId: null, reason: "provider_error", fatal: false };
    expect(await strategy(1, PROVIDER_BACKOFF, new RetryableAttemptError(failure, 1_234, undefined))).toBe(1_234);
    const limited = new ProviderError({ provider: "seedream", kind: "http", status: 429, message: "slow down", retryAfterMs: 5_000 });
    expect(await strategy(1, PROVIDER_BACKOFF, limited)).toBeGreaterThanOrEqual(5_000);
    expect(await strategy(2, PROVIDER_BACKOFF, new Error("db hiccup"))).toBeLessThanOrEqual(2_000);
  });
});
