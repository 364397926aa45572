import { request as playwrightRequest, expect, test } from "@playwright/test";

import { freshApiKey } from "../support/client-setup";
import { addSimFaults, createGenerationOverHttp, uniqueToken, waitForStatus } from "../support/generations";
import { signIn } from "../support/users";

const ADMIN = { email: "admin@spellcast.local", password: "admin-password" };

test("an admin is told a bad filter, finds a dead letter by its message text, confirms its replay; the replay completes", async ({ page, baseURL }) => {
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

  // A malformed status is refused with its reason; the search and Replay all don't run.
  await page.getByLabel("Message contains").fill(`policy ${token}`);
  await page.getByLabel("Provider status").fill("abc");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("filter-error")).toHaveText(/Provider status is an HTTP status from 100 to 599/);
  await expect(page.getByLabel("Provider status")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("button", { name: "Replay all matching…" })).toBeDisabled();
  await page.screenshot({ path: "e2e/artifacts/admin-dead-letters-bad-filter.png" });

  await page.getByLabel("Provider status").fill("400");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("filter-error")).toHaveCount(0);
  const row = page.getByTestId("dead-letter-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(`Prompt rejected by policy ${token}`);
  await expect(row).toContainText("400");
  const owner = ((await row.locator("td").first().textContent()) ?? "").trim();
  expect(owner).toContain("@");

  // Replay all confirms how many generations, users and credits, for the search that was run.
  await page.getByRole("button", { name: "Replay all matching…" }).click();
  await expect(page.getByTestId("bulk-replay-summary")).toContainText(/1 generation of 1 user will be replayed.*\d+ credits? held in total/);
  await expect(page.getByTestId("bulk-replay-filter")).toContainText("provider status 400");
  await page.getByRole("button", { name: "Cancel" }).click();

  // The row opens the full error_details, titled by its prompt and user.
  await row.getByRole("button", { name: new RegExp(`a castle ${token}`) }).click();
  await expect(page.getByRole("heading", { name: new RegExp(`a castle ${token}`) })).toBeVisible();
  await expect(page.getByTestId("dead-letter-details")).toContainText('"refundedCredits"');
  await page.screenshot({ path: "e2e/artifacts/admin-dead-letters-details.png" });
  await page.getByRole("button", { name: "Close" }).click();
  await page.screenshot({ path: "e2e/artifacts/admin-dead-letters.png", fullPage: true });

  // Replay asks first, naming the user and the cost.
  await row.getByRole("button", { name: "Replay", exact: true }).click();
  await expect(page.getByTestId("replay-confirm-text")).toContainText(owner);
  await expect(page.getByTestId("replay-confirm-text")).toContainText(/\d+ credits? held on their account/);
  await page.screenshot({ path: "e2e/artifacts/admin-dead-letters-confirm-replay.png" });
  await page.getByRole("button", { name: /^Replay for \d+ credits?$/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "Replay queued" })).toBeVisible();
  // The notice links to the replay (its job), not a raw id; the row can't be replayed again.
  const href = (await page.getByTestId("replay-link").getAttribute("href")) ?? "";
  const replayId = /gen_([0-9a-f-]{36})$/.exec(href)?.[1];
  if (!replayId) throw new Error(`no replay id in the link ${href}`);
  await expect(row.getByRole("button", { name: "Replay", exact: true })).toBeDisabled();
  // The replay is the user's own generation, and it completes.
  await waitForStatus(request, replayId, "completed");
  await expect(row).toContainText("replay");
  await expect(row.getByRole("button", { name: "Replay", exact: true })).toBeDisabled();
  // The table fits its card (or scrolls inside it under its actions): the row's actions stay on
  // screen after the replay, the page never scrolls sideways, and the header's last link is whole.
  const discardShown = await row.getByRole("button", { name: "Discard" }).evaluate((button) => {
    const card = button.closest(".table-wrap")?.getBoundingClientRect();
    const box = button.getBoundingClientRect();
    return !!card && box.left >= card.left && box.right <= card.right && card.right <= window.innerWidth;
  });
  expect(discardShown).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toBeInViewport({ ratio: 1 });
  await page.screenshot({ path: "e2e/artifacts/admin-dead-letters-replayed.png", fullPage: true });
});

test("a signed-in non-admin cannot use the dead-letter API (FORBIDDEN)", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const { key } = await freshApiKey(baseURL, "DLQ Intruder");
  const input = encodeURIComponent(JSON.stringify({ json: {} }));
  const res = await fetch(`${baseURL}/api/trpc/admin.deadLetters.list?input=${input}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(403);
});
