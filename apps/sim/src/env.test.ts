import { describe, expect, it } from "vitest";

import { parseEnv } from "./env";

describe("parseEnv", () => {
  it("defaults to loopback on 4010 with no latency", () => {
    expect(parseEnv({})).toEqual({ env: { SIM_PORT: 4010, SIM_HOST: "127.0.0.1", SIM_LATENCY_MS: 0, SIM_CALL_LOG_SIZE: 500, LOG_LEVEL: "info" } });
  });
  it("names the bad variable", () => {
    const result = parseEnv({ SIM_LATENCY_MS: "fast" });
    expect("error" in result && result.error).toContain("SIM_LATENCY_MS");
  });
});
