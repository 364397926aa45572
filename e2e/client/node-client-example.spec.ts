import { expect, test } from "@playwright/test";

import { freshApiKey, prepareExampleOutsideMonorepo, runExample } from "../support/client-setup";
import { addSimFaults, uniqueToken } from "../support/generations";

// The example app (examples/node-client) built against the packed client outside the monorepo.
let example: ReturnType<typeof prepareExampleOutsideMonorepo>;
// Set once the example is prepared: when preparing it fails, that error is the one reported.
let cleanup: () => void = () => undefined;
test.beforeAll(() => {
  test.setTimeout(180_000);
  example = prepareExampleOutsideMonorepo();
  cleanup = example.cleanup;
});
test.afterAll(() => cleanup());

test("the example app creates a generation with a fresh API key, prints its events and the image, exits 0", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const { key } = await freshApiKey(baseURL, "node client example");
  const result = await runExample(example.dir, {
    SPELLCAST_URL: baseURL,
    SPELLCAST_API_KEY: key,
    PROMPT: uniqueToken("example ok"),
  });
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  expect(result.stdout).toMatch(/created session [0-9a-f-]{36}: queued/);
  expect(result.stdout).toMatch(/event #\d+ session_completed \(completed\)/);
  expect(result.stdout).toMatch(/completed: image at http:\/\/.+\/api\/images\/[0-9a-f-]{36}/);
});

test("with a fatal provider error the example prints the provider's message and the refund, exits non-zero", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const token = uniqueToken("example fatal");
  await addSimFaults([{ match: { promptContains: token }, status: 400 }]);
  const { key } = await freshApiKey(baseURL, "node client example (fatal)");
  const result = await runExample(example.dir, { SPELLCAST_URL: baseURL, SPELLCAST_API_KEY: key, PROMPT: token });
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
  expect(result.stdout).toMatch(/event #\d+ session_completed \(failed\)/);
  expect(result.stdout).toMatch(/failed: provider status 400: \S+/);
  expect(result.stdout).toMatch(/refund: (\d+) of \1 credits returned at \d{4}-\d\d-\d\dT/);
});

test("a bad key is refused with a typed UNAUTHORIZED error (exit 2)", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const result = await runExample(example.dir, {
    SPELLCAST_URL: baseURL,
    SPELLCAST_API_KEY: `sc_${"x".repeat(43)}`,
    PROMPT: "never runs",
  });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("request refused: UNAUTHORIZED");
});
