import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { BrowserContext, Page } from "@playwright/test";
import { expect, test } from "@playwright/test";
import { strFromU8, unzipSync } from "fflate";
import sharp from "sharp";

import { addSimFaults, uniqueToken } from "../support/generations";
import { signUpOverHttp } from "../support/http-auth";
import { cookiesFor, datasetOverHttp, mutateOverHttp, queryOverHttp } from "../support/http-api";
import { attachScreenshot, createDatasetOnPage, createSpell } from "../support/pages";
import { newUser, signUp } from "../support/users";

function simUrl(): string {
  const url = process.env.E2E_SIM_URL;
  if (!url) throw new Error("E2E_SIM_URL is not set (global setup)");
  return url;
}

/**
 * Slows the next `times` JoyCaption calls, so a run is visibly in progress for a while; returns the
 * rule's id. Other specs cast the built-in Caption spell too (one image at a time), so a test that
 * must own every slowed call gives its spell's JoyCaption instruction a token and passes it here.
 */
async function slowJoyCaption(delayMs: number, times = 5, promptContains?: string): Promise<string> {
  const res = await fetch(`${simUrl()}/__sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ match: { model: "joycaption-alpha-two", promptContains }, delayMs, times }),
  });
  if (!res.ok) throw new Error(`sim fault: ${res.status}`);
  const { ids } = (await res.json()) as { ids: string[] };
  const [id] = ids;
  if (!id) throw new Error("sim fault: no rule id");
  return id;
}

/** Until the rule has fired `times` times: spent, so it can slow no other spec's calls. */
async function untilFaultSpent(id: string, times: number) {
  await expect
    .poll(async () => {
      const res = await fetch(`${simUrl()}/__sim/calls`);
      const { calls } = (await res.json()) as { calls: Array<{ fault?: string }> };
      return calls.filter((c) => c.fault === id).length;
    })
    .toBe(times);
}

test("caption a 5-image dataset: estimate, start, live progress to 5/5 and completed, edit a caption, download the export", async ({ page }, testInfo) => {
  const dir = await mkdtemp(path.join(tmpdir(), "spellcast-e2e-captions-"));
  try {
    const colours = ["#ef4444", "#f59e0b", "#10b981", "#3b82f6", "#8b5cf6"];
    const files: string[] = [];
    for (const [i, colour] of colours.entries()) {
      const file = path.join(dir, `photo_${i + 1}.png`);
      await sharp({ create: { width: 320 + i * 10, height: 240, channels: 3, background: colour } }).png().toFile(file);
      files.push(file);
    }

    await signUp(page, newUser("Caption Maker"));
    await createDatasetOnPage(page, "E2E captions");
    await page.getByLabel("Add images").setInputFiles(files);
    await expect(page.getByTestId("dataset-image-count")).toHaveText("5 images");

    await expect(page.getByTestId("caption-estimate")).toHaveText("5 images × 3 credits = 15 credits");
    // 100 credits pay for all of it: no warning.
    await expect(page.getByTestId("caption-shortfall")).toHaveCount(0);
    // Long enough for the page to load and show the run in progress on a busy machine (2.5 s was
    // not, once, in a full run).
    await slowJoyCaption(8_000);
    await page.getByRole("button", { name: "Start captioning" }).click();
    await page.waitForURL(/\/datasets\/[0-9a-f-]+\/captions\?set=/);
    const status = page.getByTestId("caption-set-status");
    await expect(status).toHaveAttribute("data-status", "in_progress");
    await expect(page.getByTestId("caption-row")).toHaveCount(5);
    // The run names its dataset and spell; with nothing finished yet, no time left is made up.
    await expect(page.locator(".breadcrumb").getByRole("link", { name: "E2E captions" })).toBeVisible();
    await expect(page.getByTestId("caption-set-origin")).toContainText("Caption · started");
    await expect(page.getByTestId("caption-progress")).toContainText("estimating time left");
    await attachScreenshot(page, testInfo, "captions-in-progress");

    await expect(page.getByTestId("caption-progress-count")).toHaveText("5/5", { timeout: 30_000 });
    await expect(status).toHaveAttribute("data-status", "completed");
    await expect(page.locator('[data-testid="caption-row"][data-status="done"]')).toHaveCount(5);
    await attachScreenshot(page, testInfo, "captions-completed");

    const first = page.getByTestId("caption-row").first();
    const firstName = (await first.getAttribute("data-file-name")) ?? "";
    await first.getByTestId("caption-edit").click();
    await first.getByTestId("caption-edit-text").fill("a bright square, edited by hand");
    await first.getByTestId("caption-save").click();
    await expect(first.getByTestId("caption-text")).toHaveText("a bright square, edited by hand");

    const downloading = page.waitForEvent("download");
    await page.getByTestId("export-zip").click();
    const download = await downloading;
    const saved = path.join(dir, "export.zip");
    await download.saveAs(saved);
    const entries = unzipSync(new Uint8Array(await readFile(saved)));
    expect(Object.keys(entries).sort()).toEqual(["photo_1.txt", "photo_2.txt", "photo_3.txt", "photo_4.txt", "photo_5.txt"]);
    expect(strFromU8(entries[firstName.replace(/\.png$/, ".txt")] ?? new Uint8Array())).toBe("a bright square, edited by hand");

    // The edit is version 2. A trigger word on every caption asks first, with the count and an example.
    await first.getByRole("button", { name: "Versions" }).click();
    await expect(first.getByTestId("caption-version")).toHaveCount(2);
    await page.getByLabel("Trigger word").fill("sks");
    await page.getByRole("button", { name: "Prefix all" }).click();
    const prefixDialog = page.getByRole("dialog", { name: "Prefix 5 captions with “sks”?" });
    await expect(prefixDialog.getByTestId("bulk-edit-count")).toHaveText("5 captions of 5 finished captions will change. Each keeps its earlier text under Versions.");
    const example = prefixDialog.getByTestId("bulk-edit-example").first();
    await expect(example).toContainText(firstName);
    await expect(example.getByTestId("bulk-edit-before")).toHaveText("a bright square, edited by hand");
    await expect(example.getByTestId("bulk-edit-after")).toHaveText("sks, a bright square, edited by hand");
    await expect(prefixDialog).toContainText("…and 3 more captions.");
    await attachScreenshot(page, testInfo, "captions-prefix-confirmation");
    // Cancel: nothing changes.
    await prefixDialog.getByRole("button", { name: "Cancel" }).click();
    await expect(prefixDialog).toBeHidden();
    await expect(first.getByTestId("caption-text")).toHaveText("a bright square, edited by hand");
    await expect(first.getByTestId("caption-version")).toHaveCount(2);
    await expect(page.getByTestId("caption-tools-notice")).toHaveCount(0);
    // Confirmed, it is version 3, and the open list reads it.
    await page.getByRole("button", { name: "Prefix all" }).click();
    await prefixDialog.getByRole("button", { name: "Prefix 5 captions" }).click();
    await expect(prefixDialog).toBeHidden();
    await expect(first.getByTestId("caption-text")).toHaveText("sks, a bright square, edited by hand");
    await expect(first.getByTestId("caption-version")).toHaveCount(3);
    await expect(first.getByTestId("caption-version").nth(2)).toContainText("sks, a bright square, edited by hand");
    await expect(page.getByTestId("caption-tools-notice")).toHaveText("5 captions changed; each keeps its earlier text under Versions");
    // Again: every caption has it already; the page says so, with nothing to confirm.
    await page.getByRole("button", { name: "Prefix all" }).click();
    await expect(page.getByTestId("caption-tools-notice")).toHaveText("Every caption already starts with “sks”");
    await expect(page.getByRole("dialog")).toHaveCount(0);

    // A replacement only one caption contains: the confirmation counts that one, and only it changes.
    const otherTexts = await page.locator(`[data-testid="caption-row"]:not([data-file-name="${firstName}"]) [data-testid="caption-text"]`).allTextContents();
    expect(otherTexts).toHaveLength(4);
    await page.getByLabel("Find", { exact: true }).fill("edited by hand");
    await page.getByLabel("Replace with").fill("edited with care");
    await page.getByRole("button", { name: "Replace in all" }).click();
    const replaceDialog = page.getByRole("dialog", { name: "Replace “edited by hand” in 1 caption?" });
    await expect(replaceDialog.getByTestId("bulk-edit-count")).toHaveText("1 caption of 5 finished captions will change. Each keeps its earlier text under Versions.");
    await expect(replaceDialog.getByTestId("bulk-edit-after")).toHaveText("sks, a bright square, edited with care");
    await replaceDialog.getByRole("button", { name: "Replace in 1 caption" }).click();
    await expect(first.getByTestId("caption-text")).toHaveText("sks, a bright square, edited with care");
    await expect(page.getByTestId("caption-tools-notice")).toHaveText("1 caption changed; each keeps its earlier text under Versions");
    await expect(page.locator(`[data-testid="caption-row"]:not([data-file-name="${firstName}"]) [data-testid="caption-text"]`)).toHaveText(otherTexts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** A dataset of `count` small PNGs, uploaded through the dataset page; returns the page's URL. */
async function datasetWithImages(page: Page, dir: string, name: string, count: number): Promise<string> {
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `square_${i + 1}.png`);
    await sharp({ create: { width: 64 + i, height: 64, channels: 3, background: "#64748b" } }).png().toFile(file);
    files.push(file);
  }
  await createDatasetOnPage(page, name);
  await page.getByLabel("Add images").setInputFiles(files);
  await expect(page.getByTestId("dataset-image-count")).toHaveText(`${count} images`);
  return page.url();
}

// Before the budget test: that one ends by canceling a run whose slowed calls may still hold provider slots.
test("an image that fails says at which step and why, what came back and what was kept; re-run failed captions just that image", async ({ page }, testInfo) => {
  const dir = await mkdtemp(path.join(tmpdir(), "spellcast-e2e-rerun-"));
  try {
    await signUp(page, newUser("Rerun Keeper"));
    // The Caption spell's steps, with a ChatGPT prompt that only this test's fault matches.
    const token = uniqueToken("rerun");
    const spellName = `Caption ${token}`;
    await createSpell(page, spellName, [{ tool: "joycaption" }, { tool: "rewrite" }, { tool: "chatgpt", prompt: `${token}: polish {{input}}` }]);
    await addSimFaults([
      {
        match: { promptContains: token },
        status: 400,
        times: 1,
        body: JSON.stringify({ error: { message: "Caption refused by the content policy", type: "invalid_request_error" } }),
      },
    ]);
    await datasetWithImages(page, dir, "E2E rerun", 3);
    await page.getByLabel("Spell").selectOption({ label: `${spellName} (JoyCaption → Rewrite → ChatGPT)` });
    await page.getByRole("button", { name: "Start captioning" }).click();
    await page.waitForURL(/\/captions\?set=/);
    const status = page.getByTestId("caption-set-status");
    await expect(status).toHaveAttribute("data-status", "completed_with_errors", { timeout: 60_000 });
    // JoyCaption (2) ran and stays charged; ChatGPT's credit (1) came back: 3 + 3 + 2 spent.
    await expect(page.getByTestId("caption-progress")).toContainText("2/3 captioned, 1 failed · 8 credits spent");
    const failed = page.locator('[data-testid="caption-row"][data-status="failed"]');
    await expect(failed.getByTestId("caption-failure")).toContainText("Step 3 (ChatGPT) failed: Caption refused by the content policy");
    await expect(failed.getByTestId("caption-failure-credits")).toContainText("1 credit refunded; 2 credits kept for the steps that ran.");
    await expect(failed.getByRole("link", { name: "Details" })).toHaveAttribute("href", /^\/casts\/[0-9a-f-]{36}$/);
    await attachScreenshot(page, testInfo, "captions-failed-image");
    // Its cast's page has the whole error, and leads back to the run (which is where it is canceled).
    await failed.getByRole("link", { name: "Details" }).click();
    await expect(page.getByTestId("cast-failed-step")).toHaveText("Step 3 (ChatGPT) failed");
    await expect(page.getByTestId("cast-refund")).toContainText("1 credit refunded");
    await expect(page.getByTestId("cast-caption-run")).toHaveText("The caption run of E2E rerun");
    await page.getByTestId("cast-caption-run").click();
    await expect(status).toHaveAttribute("data-status", "completed_with_errors");

    const failedName = (await failed.getAttribute("data-file-name")) ?? "";
    // The list narrows to the failed image, then to a search (by file name or caption text).
    const rows = page.getByTestId("caption-row");
    await page.getByTestId("caption-filter-failed").click();
    await expect(page.getByTestId("caption-filter-failed")).toHaveText("Failed 1");
    await expect(rows).toHaveCount(1);
    await expect(rows).toHaveAttribute("data-file-name", failedName);
    await page.getByTestId("caption-filter-pending").click();
    await expect(page.getByTestId("caption-list-empty")).toHaveText("No pending captions.");
    await page.getByTestId("caption-filter-all").click();
    await expect(rows).toHaveCount(3);
    await page.getByLabel("Search captions").fill(failedName.toUpperCase());
    await expect(rows).toHaveCount(1);
    await page.getByLabel("Search captions").fill("no such words anywhere");
    await expect(page.getByTestId("caption-list-empty")).toHaveText("No caption matches this search.");
    await page.getByLabel("Search captions").fill("");
    await expect(rows).toHaveCount(3);
    // A re-run casts the image again from its failed step: JoyCaption and rewrite carry over, so only ChatGPT's credit.
    await expect(page.getByTestId("caption-rerun-carry")).toContainText("It keeps the steps that completed before the failure");
    await page.getByRole("button", { name: "Re-run failed (1) · 1 credit" }).click();
    await expect(status).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    await expect(page.locator('[data-testid="caption-row"][data-status="done"]')).toHaveCount(3);
    await expect(page.getByTestId("caption-progress")).toContainText("3/3 captioned · 9 credits spent");
    // The image's two casts: 2 kept from the one that failed, 1 for the step the new one ran.
    const rerunRow = page.locator(`[data-testid="caption-row"][data-file-name="${failedName}"]`);
    await expect(rerunRow).toContainText("3 credits");
    await expect(page.getByRole("button", { name: /Re-run failed/ })).toHaveCount(0);
    // Its new cast lists the carried steps, charged to the failed cast, and links to it.
    await rerunRow.getByTestId("caption-steps-link").click();
    await expect(page.getByTestId("cast-carried-from")).toContainText("Steps 1–2 from the cast that failed");
    await expect(page.getByTestId("cast-step-carried")).toHaveCount(2);
    await expect(page.getByTestId("cast-charged")).toHaveText("1 credit");
    await attachScreenshot(page, testInfo, "cast-carried-over-steps");
    await page.getByRole("link", { name: "the cast that failed" }).click();
    await expect(page.getByTestId("cast-failed-step")).toHaveText("Step 3 (ChatGPT) failed");
    await page.getByTestId("cast-caption-run").click();
    await expect(status).toHaveAttribute("data-status", "completed");

    // The credits page says what the refund was for: that image's ChatGPT step, linking to the run.
    const runUrl = page.url();
    await page.goto("/credits");
    const release = page.locator('[data-testid="ledger-row"][data-kind="release"]');
    await expect(release).toHaveCount(1);
    await expect(release).toContainText(`Captions of E2E rerun · ${failedName} · step 3 (ChatGPT)`);
    await attachScreenshot(page, testInfo, "credits-name-the-caption-step");
    await release.getByRole("link", { name: "Captions of E2E rerun" }).click();
    await expect(page).toHaveURL(runUrl);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a budget pauses the run, a bad raise is explained, a good one finishes it; cancel asks first and gives the holds back", async ({ page }, testInfo) => {
  const dir = await mkdtemp(path.join(tmpdir(), "spellcast-e2e-budget-"));
  try {
    await signUp(page, newUser("Budget Keeper"));
    const datasetUrl = await datasetWithImages(page, dir, "E2E budget", 4);

    // 3 credits an image: a budget of 7 pays for two, as the form says before it starts.
    await page.getByLabel("Budget (credits, optional)").fill("7");
    await expect(page.getByTestId("caption-shortfall")).toHaveText("A budget of 7 credits covers 2 of 4 images; the run then pauses until you raise it.");
    await attachScreenshot(page, testInfo, "captions-budget-shortfall");
    await page.getByRole("button", { name: "Start captioning" }).click();
    await page.waitForURL(/\/captions\?set=/);
    const status = page.getByTestId("caption-set-status");
    await expect(status).toHaveAttribute("data-status", "paused", { timeout: 30_000 });
    await expect(page.getByTestId("caption-progress-count")).toHaveText("2/4");
    await expect(page.getByTestId("caption-progress")).toContainText("6 credits spent of 7 budget");
    await expect(page.getByTestId("caption-paused-reason")).toContainText("the next image would go over the budget");
    // Resume cannot go over the budget: it says so, and the notice goes once the budget is raised.
    await page.getByRole("button", { name: "Resume" }).click();
    const notice = page.getByTestId("caption-resume-notice");
    await expect(notice).toHaveText("Still paused: the next image would go over the budget, or your credits ran out. Raise the budget (or request credits) to go on.");

    const budget = page.getByRole("form", { name: "Budget" });
    const input = budget.getByLabel("New budget");
    await input.fill("lots");
    await budget.getByRole("button", { name: "Raise budget" }).click();
    await expect(budget.getByTestId("budget-error")).toHaveText("Use a whole number of credits, like 500");
    await input.fill("5");
    await budget.getByRole("button", { name: "Raise budget" }).click();
    await expect(budget.getByTestId("budget-error")).toHaveText("Raise it above the current 7 credits");
    await expect(status).toHaveAttribute("data-status", "paused");
    await attachScreenshot(page, testInfo, "captions-paused-at-budget");
    await input.fill("12");
    await budget.getByRole("button", { name: "Raise budget" }).click();
    await expect(status).not.toHaveAttribute("data-status", "paused");
    await expect(notice).toBeHidden();
    await expect(status).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    await expect(page.getByTestId("caption-progress")).toContainText("4/4 captioned · 12 credits spent of 12 budget");

    // A second run, slowed so it is still running when canceled: its spell's JoyCaption
    // instruction carries a token, so the four slowed calls are all this run's.
    const token = uniqueToken("slowcap");
    await createSpell(page, `Slow caption ${token}`, [{ tool: "joycaption", prompt: `Describe the image. ${token}` }, { tool: "rewrite" }, { tool: "chatgpt" }]);
    const slow = await slowJoyCaption(15_000, 4, token);
    await page.goto(datasetUrl);
    await page.getByLabel("Spell").selectOption({ label: `Slow caption ${token} (JoyCaption → Rewrite → ChatGPT)` });
    await page.getByRole("button", { name: "Start captioning" }).click();
    await page.waitForURL(/\/captions\?set=/);
    await expect(status).toHaveAttribute("data-status", "in_progress");
    await untilFaultSpent(slow, 4);
    const balance = page.getByTestId("credit-balance");
    await expect(balance).toContainText("held");
    await page.getByRole("button", { name: "Cancel run" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel this caption run?" });
    await expect(dialog).toContainText("4 images not captioned yet will not be");
    await dialog.getByRole("button", { name: "Keep running" }).click();
    await expect(dialog).toBeHidden();
    await expect(status).toHaveAttribute("data-status", "in_progress");
    await page.getByRole("button", { name: "Cancel run" }).click();
    await dialog.getByRole("button", { name: "Yes, cancel run" }).click();
    await expect(status).toHaveAttribute("data-status", "canceled");
    await expect(balance).toContainText("88 credits");
    await expect(balance).not.toContainText("held");
    await attachScreenshot(page, testInfo, "captions-canceled");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a set of 130 images shows its first 100 rows, then the rest on request", async ({ page, context, baseURL }) => {
  const base = baseURL ?? "";
  const cookie = await signUpOverHttp(base, newUser("Big set"));
  const dataset = await datasetOverHttp(base, cookie, "E2E 130 images", 130);
  const spells = await queryOverHttp<Array<{ id: string; name: string }>>(base, cookie, "spells.list", {});
  const caption = spells.find((s) => s.name === "Caption");
  if (!caption) throw new Error("no built-in Caption spell");
  // A budget of one image: the run pauses with one caption done and 129 pending, each a row.
  const set = await mutateOverHttp<{ id: string }>(base, cookie, "captions.start", { datasetId: dataset.id, spellId: caption.id, budget: 3 });
  await context.addCookies(cookiesFor(base, cookie));
  await page.goto(`/datasets/${dataset.id}/captions?set=${set.id}`);
  await expect(page.getByTestId("caption-set-status")).toHaveAttribute("data-status", "paused", { timeout: 30_000 });
  const rows = page.getByTestId("caption-row");
  await expect(rows).toHaveCount(100);
  await expect(page.getByTestId("caption-list-count")).toHaveText("Showing 100 of 130 captions");
  await expect(page.getByTestId("caption-filter-pending")).toHaveText("Pending 129");
  await page.getByRole("button", { name: "Show 30 more" }).click();
  await expect(rows).toHaveCount(130);
  await expect(rows.last()).toHaveAttribute("data-file-name", "img_00129.png");
  await expect(page.getByTestId("caption-list-count")).toHaveCount(0);
});

/**
 * A new user (signed in on `context`) with a dataset of `images` PNGs, running the Caption spell's
 * steps as a spell of its own whose JoyCaption calls are each slowed 10 s (long enough for a page to
 * open on a loaded machine; the token makes them this run's alone). Returns the run's page address
 * and the slowing rule's id.
 */
async function slowedRunOverHttp(context: BrowserContext, base: string, params: { who: string; datasetName: string; images: number; delayMs?: number }) {
  const cookie = await signUpOverHttp(base, newUser(params.who));
  await context.addCookies(cookiesFor(base, cookie));
  const dataset = await datasetOverHttp(base, cookie, params.datasetName, params.images);
  const token = uniqueToken("slowrun");
  const spell = await mutateOverHttp<{ id: string }>(base, cookie, "spells.create", {
    name: `Slowed ${token}`,
    steps: [{ tool: "joycaption", params: { prompt: `Describe the image. ${token}` } }, { tool: "rewrite", params: {} }, { tool: "chatgpt", params: {} }],
  });
  const slow = await slowJoyCaption(params.delayMs ?? 10_000, params.images, token);
  const set = await mutateOverHttp<{ id: string }>(base, cookie, "captions.start", { datasetId: dataset.id, spellId: spell.id });
  return { runUrl: `/datasets/${dataset.id}/captions?set=${set.id}`, datasetUrl: `/datasets/${dataset.id}`, slow, cookie, setId: set.id };
}

test("a run that ends while its page is left shows as ended on coming back, without a reload", async ({ page, context, baseURL }) => {
  const { runUrl, slow } = await slowedRunOverHttp(context, baseURL ?? "", { who: "Comes back", datasetName: "E2E come back", images: 2 });
  await page.goto(runUrl);
  const status = page.getByTestId("caption-set-status");
  await expect(status).toHaveAttribute("data-status", "in_progress");
  await expect(page.getByTestId("caption-row")).toHaveCount(2);

  // Away on the dataset page (a client-side navigation) while the run ends.
  await page.getByRole("link", { name: "E2E come back" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "E2E come back" })).toBeVisible();
  // The dataset page's list of runs follows the run live: it ends there too.
  await untilFaultSpent(slow, 2);
  const run = page.getByRole("link", { name: /\(completed, 2\/2\)$/ });
  await expect(run).toBeVisible({ timeout: 30_000 });

  // Back on the run's page: it shows what happened meanwhile, not what it had cached.
  await run.click();
  await expect(status).toHaveAttribute("data-status", "completed", { timeout: 5_000 });
  await expect(page.getByTestId("caption-progress")).toContainText("2/2 captioned");
});

test("captions that land while the run's page is still on its way show when it arrives: the run ends on the page without a reload", async ({ page, context, baseURL }) => {
  // Its calls last long enough for a loaded machine to open the page while it runs.
  test.setTimeout(90_000);
  const base = baseURL ?? "";
  const run = await slowedRunOverHttp(context, base, { who: "Slow reader", datasetName: "E2E slow read", images: 2, delayMs: 15_000 });
  await page.goto(run.datasetUrl);
  await expect(page.getByTestId("credit-balance")).toHaveAttribute("data-live", "connected");
  // The page's first read of the run is answered by the server at once, and reaches the page
  // only after the run has ended: every caption's event arrives before it.
  let heldAnswer: string | null = null;
  await page.route(
    (url) => url.pathname.includes("captions.get"),
    async (route) => {
      const response = await route.fetch();
      if (heldAnswer === null) {
        heldAnswer = await response.text();
        await expect
          .poll(async () => (await queryOverHttp<{ set: { status: string } }>(base, run.cookie, "captions.get", { setId: run.setId })).set.status, { timeout: 30_000 })
          .toBe("completed");
      }
      await route.fulfill({ response });
    },
  );
  await page.getByRole("link", { name: /\(in progress, 0\/2\)$/ }).click({ timeout: 10_000 });
  const status = page.getByTestId("caption-set-status");
  await expect(status).toHaveAttribute("data-status", "completed", { timeout: 40_000 });
  await expect(page.getByTestId("caption-progress")).toContainText("2/2 captioned");
  await expect(page.locator('[data-testid="caption-row"][data-status="done"]')).toHaveCount(2);
  // The answer held back was the run in progress: what the page shows came by the stream.
  expect(heldAnswer).toContain('"status":"in_progress"');
});

test("a caption's Steps link opens its cast while it runs; the cast page follows it to the end and leads back to the run", async ({ page, context, baseURL }) => {
  const { runUrl, slow } = await slowedRunOverHttp(context, baseURL ?? "", { who: "Cast watcher", datasetName: "E2E run cast", images: 1 });
  await page.goto(runUrl);
  await expect(page.getByTestId("caption-row")).toHaveAttribute("data-status", "pending");

  await page.getByTestId("caption-steps-link").click();
  await expect(page).toHaveURL(/\/casts\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "running");
  await untilFaultSpent(slow, 1);
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(page.locator('[data-testid="cast-step"][data-status="completed"]')).toHaveCount(3);
  await page.getByTestId("cast-caption-run").click();
  await expect(page.getByTestId("caption-set-status")).toHaveAttribute("data-status", "completed");
  await expect(page.getByTestId("caption-row")).toHaveAttribute("data-status", "done");
});
