import { request as playwrightRequest, expect, test } from "@playwright/test";

import { freshApiKey } from "../support/client-setup";
import { addSimFaults, createGenerationOverHttp, uniqueToken, waitForStatus } from "../support/generations";
import { signIn } from "../support/users";

const ADMIN = { email: "admin@spellcast.local", password: "admin-password" };

test("an admin finds a dead letter by its message text and replays it; the replay completes", async ({ page, baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const token = uniqueToken("dlq");
  // A fatal 400 once (the rule is spent after one call, i.e. removed): the replay then succeeds.
  await addSimFaults([
    {
      match: { promptContains: token },
      status: 400,
      times: 1,
      body: JSON.stringify({ error: { code: "InvalidParameter", type: "invalid_request_error", message: `Prompt rejected by policy ${token}` } }),
    },
  ]);
  const { cookie } = await freshApiKey(baseURL, "DLQ Owner");
  // The owner's own HTTP context (the page is the admin's).
  const request = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { cookie, origin: baseURL } });
  const failed = await createGenerationOverHttp(request, { prompt: `a castle ${token}` });
  await waitForStatus(request, failed.id, "failed");

  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("user-name")).toBeVisible();
  await page.goto("/admin");
  await page.getByRole("link", { name: "Search failed generations" }).click();
  await expect(page).toHaveURL(/\/admin\/dead-letters$/);
  await page.getByLabel("Message contains").fill(`policy ${token}`);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.getByTestId("dead-letter-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(`Prompt rejected by policy ${token}`);
  await expect(row).toContainText("400");

  // The row opens the full error_details.
  await row.getByRole("button", { name: new RegExp(`a castle ${token}`) }).click();
  await expect(page.getByTestId("dead-letter-details")).toContainText('"refundedCredits"');
  await page.screenshot({ path: "e2e/artifacts/admin-dead-letters-details.png" });
  await page.getByRole("button", { name: "Close" }).click();
  await page.screenshot({ path: "e2e/artifacts/admin-dead-letters.png", fullPage: true });

  await row.getByRole("button", { name: "Replay", exact: true }).click();
  const notice = page.getByRole("status").filter({ hasText: "Replayed as" });
  await expect(notice).toBeVisible();
  const replayId = /Replayed as ([0-9a-f-]{36})/.exec((await notice.textContent()) ?? "")?.[1];
  if (!replayId) throw new Error("no replay id in the notice");
  // The replay is the user's own generation, and it completes.
  await waitForStatus(request, replayId, "completed");
  await expect(row).toContainText("replay");
  await page.screenshot({ path: "e2e/artifacts/admin-dead-letters-replayed.png", fullPage: true });
});

test("a signed-in non-admin cannot use the dead-letter API (FORBIDDEN)", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const { key } = await freshApiKey(baseURL, "DLQ Intruder");
  const input = encodeURIComponent(JSON.stringify({ json: {} }));
  const res = await fetch(`${baseURL}/api/trpc/admin.deadLetters.list?input=${input}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(403);
});
