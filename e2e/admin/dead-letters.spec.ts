import type { Locator } from "@playwright/test";
import { request as playwrightRequest, expect, test } from "@playwright/test";

import { freshApiKey } from "../support/client-setup";
import { addSimFaults, createGenerationOverHttp, uniqueToken, waitForStatus } from "../support/generations";
import { attachScreenshot } from "../support/pages";
import { signIn } from "../support/users";

const ADMIN = { email: "admin@spellcast.local", password: "admin-password" };

// A laptop's width, where the pinned Actions column once covered part of Refund.
test.use({ viewport: { width: 1280, height: 720 } });

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
  // With its replay badge the Actions cell is at its widest: the table still fits at 1280 px.
  await expectNothingUnderActions(row);
  await page.screenshot({ path: "e2e/artifacts/admin-dead-letters-replayed.png", fullPage: true });
});

/** Each cell's header and how many pixels of it lie under the row's pinned Actions cell (the last). */
function hiddenUnderActions(row: Locator) {
  return row.evaluate((tr) => {
    const cells = Array.from(tr.children);
    const actions = cells.at(-1)?.getBoundingClientRect();
    const headers = Array.from(tr.closest("table")?.querySelectorAll("thead th") ?? [], (th) => th.textContent ?? "");
    if (!actions) return [];
    return cells.slice(0, -1).map((cell, i) => {
      const box = cell.getBoundingClientRect();
      return { column: headers[i] ?? String(i), hidden: Math.max(0, Math.min(box.right, actions.right) - Math.max(box.left, actions.left)) };
    });
  });
}

/**
 * The Refund cell ends before the pinned Actions cell begins, and no other cell lies under it
 * either. Less than a pixel is let pass: a scroll offset is whole pixels, the columns' widths are not.
 */
async function expectNothingUnderActions(row: Locator) {
  const cells = row.locator("td");
  await expect(row.page().getByRole("columnheader").nth(5)).toHaveText("Refund");
  const refund = await cells.nth(5).boundingBox();
  const actions = await cells.last().boundingBox();
  if (!refund || !actions) throw new Error("cells not laid out");
  expect(refund.x + refund.width).toBeLessThan(actions.x + 1);
  expect((await hiddenUnderActions(row)).filter((cell) => cell.hidden >= 1)).toEqual([]);
}

test("Discard asks first and says it moves no credits; no column of the table sits under its pinned Actions at 1280 or 390 px", async ({ page, baseURL }, testInfo) => {
  if (!baseURL) throw new Error("no baseURL");
  const token = uniqueToken("dlqlayout");
  // A long prompt and a long provider message: the columns that wrap are at their widest.
  const message = `The request was rejected because the prompt did not pass the content policy review ${token}, please change it`;
  await addSimFaults([
    {
      match: { promptContains: token },
      status: 422,
      body: JSON.stringify({ error: { code: "InvalidParameter", type: "invalid_request_error", message } }),
    },
  ]);
  const { cookie } = await freshApiKey(baseURL, "DLQ Layout Owner");
  const request = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { cookie, origin: baseURL } });
  const failed = await createGenerationOverHttp(request, { prompt: `a very long prompt about a lighthouse on a cliff at dusk with gulls ${token}` });
  await waitForStatus(request, failed.id, "failed");

  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("user-name")).toBeVisible();
  await page.goto("/admin/dead-letters");
  await page.getByLabel("Message contains").fill(token);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.getByTestId("dead-letter-row");
  await expect(row).toHaveCount(1);
  await expect(row.locator("td").nth(5)).toContainText(/\d+ credits?/);

  // 1280 px: the whole table fits its card, so nothing lies under the pinned Actions.
  await expectNothingUnderActions(row);
  await attachScreenshot(page, testInfo, "dead-letters-1280");

  // 390 px: the table scrolls inside its card (never the page) under its pinned Actions; scrolled to
  // its end, every column is out from under them.
  await page.setViewportSize({ width: 390, height: 844 });
  const wrap = page.locator(".table-wrap");
  expect(await wrap.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  const discard = row.getByRole("button", { name: "Discard" });
  await discard.scrollIntoViewIfNeeded();
  await expect(discard).toBeInViewport({ ratio: 1 });
  await attachScreenshot(page, testInfo, "dead-letters-390-start");
  await wrap.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  await expect.poll(() => wrap.evaluate((el) => Math.ceil(el.scrollLeft + el.clientWidth) >= el.scrollWidth)).toBe(true);
  await expectNothingUnderActions(row);
  await attachScreenshot(page, testInfo, "dead-letters-390-end");

  // Discard asks first, saying what it does to the row and to the credits; Cancel keeps the row.
  await page.setViewportSize({ width: 1280, height: 720 });
  await row.getByRole("button", { name: "Discard" }).click();
  const dialog = page.getByRole("dialog", { name: /^Discard “a very long prompt/ });
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId("discard-confirm-text")).toContainText("Hides this failure from the dead-letter list and from Replay all");
  await expect(page.getByTestId("discard-confirm-text")).toContainText(/Discarding moves no credits: \d+ credits? of the \d+ credits? held for it went back to the user when it failed/);
  await attachScreenshot(page, testInfo, "dead-letters-confirm-discard");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveCount(1);

  await row.getByRole("button", { name: "Discard" }).click();
  await dialog.getByRole("button", { name: "Discard" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Discarded: hidden from this list, no credits moved." })).toBeVisible();
  await expect(row).toHaveCount(0);
  await expect(page.getByText("No dead letters match.")).toBeVisible();
});

test("a signed-in non-admin cannot use the dead-letter API (FORBIDDEN)", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const { key } = await freshApiKey(baseURL, "DLQ Intruder");
  const input = encodeURIComponent(JSON.stringify({ json: {} }));
  const res = await fetch(`${baseURL}/api/trpc/admin.deadLetters.list?input=${input}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(403);
});
