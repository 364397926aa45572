import { describe, expect, it } from "vitest";

import { InvalidEnvError, parseWorkerEnv } from "./env";

describe("parseWorkerEnv", () => {
  it("works with no configuration, providers pointing at the simulator", () => {
    const env = parseWorkerEnv({});
    expect(env).toMatchObject({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/spellcast",
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_PREFIX: "spellcast",
      WORKER_CONCURRENCY: 10,
      LOG_LEVEL: "info",
      SHUTDOWN_TIMEOUT_MS: 25_000,
      SEEDREAM_BASE_URL: "http://127.0.0.1:4010",
      OPENAI_BASE_URL: "http://127.0.0.1:4010",
      JOYCAPTION_BASE_URL: "http://127.0.0.1:4010",
      PROVIDER_TIMEOUT_MS: 60_000,
      MAX_ATTEMPTS: 3,
      STORAGE_DIR: "./.data/storage",
    });
  });

  it("follows SIM_URL unless a provider URL is set, and treats empty values as unset", () => {
    const env = parseWorkerEnv({ SIM_URL: "http://sim:1", OPENAI_BASE_URL: "https://api.example", WORKER_CONCURRENCY: "" });
    expect(env.SEEDREAM_BASE_URL).toBe("http://sim:1");
    expect(env.OPENAI_BASE_URL).toBe("https://api.example");
    expect(env.WORKER_CONCURRENCY).toBe(10);
  });

  it("sizes the jobs in flight itself unless told, and never takes fewer jobs than slots", () => {
    expect(parseWorkerEnv({ WORKER_CONCURRENCY: "50" }).WORKER_JOBS_IN_FLIGHT).toBeUndefined();
    expect(parseWorkerEnv({ WORKER_CONCURRENCY: "50", WORKER_JOBS_IN_FLIGHT: "50" }).WORKER_JOBS_IN_FLIGHT).toBe(50);
    expect(() => parseWorkerEnv({ WORKER_CONCURRENCY: "50", WORKER_JOBS_IN_FLIGHT: "49" })).toThrow(
      /^invalid worker setting WORKER_JOBS_IN_FLIGHT: must be at least WORKER_CONCURRENCY \(got "49"\)/,
    );
  });

  it.each([
    ["WORKER_CONCURRENCY", "abc"],
    ["WORKER_JOBS_IN_FLIGHT", "0"],
    ["SHUTDOWN_TIMEOUT_MS", "60000"],
    ["REDIS_URL", "not a url"],
    ["REDIS_PREFIX", "has:colon"],
    ["LOG_LEVEL", "loud"],
  ])("names %s when it is bad", (name, value) => {
    expect(() => parseWorkerEnv({ [name]: value })).toThrow(InvalidEnvError);
    expect(() => parseWorkerEnv({ [name]: value })).toThrow(new RegExp(`^invalid worker setting ${name}: .*"${value}"`));
  });
});
