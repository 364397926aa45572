import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { Page } from "@playwright/test";
import { expect, test } from "@playwright/test";
import sharp from "sharp";

import { addSimFaults, createGenerationOverHttp, uniqueToken, waitForStatus } from "../support/generations";
import { attachScreenshot, createSpell } from "../support/pages";
import { newUser, signUp } from "../support/users";

/** Opens the spell's cast page from its card on the Spells page, with the event stream up. */
async function openCastPage(page: Page, spellName: string) {
  await page.goto("/spells");
  await page.getByRole("link", { name: `Cast ${spellName}` }).click();
  await page.waitForURL(/\/spells\/[0-9a-f-]+\/cast$/);
  await expect(page.getByRole("heading", { level: 1, name: `Cast “${spellName}”` })).toBeVisible();
  // Live from here on: what follows arrives through the stream.
  await expect(page.getByTestId("credit-balance")).toHaveAttribute("data-live", "connected");
}

async function submitCast(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Cast", exact: true }).click();
  await page.waitForURL(/\/casts\/[0-9a-f-]+$/);
  const id = new URL(page.url()).pathname.split("/").at(-1);
  if (!id) throw new Error("no cast id in the URL");
  return id;
}

const step = (page: Page, n: number) => page.getByTestId("cast-step").nth(n - 1);

test("cast a text spell: cost first, steps complete live, final output; a second cast is canceled; another user gets not found", async ({ page, browser }, testInfo) => {
  // Each cast's chatgpt call is slowed by a token in its text: long enough to watch it run, or to cancel it.
  // 10 s: with 6 s, a loaded CI machine once reached the page after the slowed step had ended.
  test.setTimeout(90_000);
  const slow = uniqueToken("castslow");
  const held = uniqueToken("casthold");
  await addSimFaults([
    { match: { promptContains: slow }, delayMs: 10_000 },
    { match: { promptContains: held }, delayMs: 20_000 },
  ]);
  await signUp(page, newUser("Spell Caster"));
  await createSpell(page, "Tidy and polish", [{ tool: "rewrite" }, { tool: "chatgpt", prompt: "Polish this: {{input}}" }]);

  await openCastPage(page, "Tidy and polish");
  await expect(page.getByTestId("cast-cost")).toContainText("Costs 1 credit over 2 steps");
  await expect(page.getByTestId("cast-cost")).toContainText("100 credits available");
  // Nothing to cast on yet: said at once, nothing sent.
  await page.getByRole("button", { name: "Cast", exact: true }).click();
  await expect(page.getByTestId("cast-missing-input")).toHaveText("Give some text to cast on");

  await page.getByLabel("Text to cast on").fill(`  a small   red fox ${slow} asleep in snow `);
  const castId = await submitCast(page);
  await expect(page.getByTestId("cast-steps").getByTestId("cast-step")).toHaveCount(2);
  // The rewrite step ran inside the create; the chatgpt step is on its way.
  await expect(step(page, 1)).toHaveAttribute("data-status", "completed");
  await expect(step(page, 1).getByTestId("cast-step-output")).toHaveText(`A small red fox ${slow} asleep in snow`);
  await expect(step(page, 2)).toHaveAttribute("data-tool", "chatgpt");
  await expect(step(page, 2)).toHaveAttribute("data-status", "running");
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "running");
  await expect(page.getByTestId("cast-input-text")).toContainText("red fox");
  await attachScreenshot(page, testInfo, "cast-running");

  await expect(step(page, 2)).toHaveAttribute("data-status", "completed");
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "completed");
  await expect(step(page, 2).getByTestId("cast-step-output")).toContainText(`Final caption: A small red fox ${slow}`);
  await expect(step(page, 2).getByTestId("cast-step-cost")).toHaveText("1 credit");
  await expect(page.getByTestId("cast-output")).toContainText(`Final caption: A small red fox ${slow}`);
  await expect(page.getByTestId("cast-charged")).toContainText("1 credit");
  await expect(page.getByRole("button", { name: "Cancel cast" })).toHaveCount(0);
  await expect(page.getByTestId("credit-balance-amount")).toHaveText("99 credits");
  await attachScreenshot(page, testInfo, "cast-completed");

  // A second cast, canceled while its chatgpt step is held up: the hold comes back.
  await page.getByRole("link", { name: "Cast this spell again" }).click();
  await page.getByLabel("Text to cast on").fill(`a lighthouse ${held}`);
  const canceledId = await submitCast(page);
  expect(canceledId).not.toBe(castId);
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "running");
  await expect(step(page, 2)).toHaveAttribute("data-status", /queued|running/);
  await page.getByRole("button", { name: "Cancel cast" }).click();
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "canceled");
  await expect(step(page, 2)).toHaveAttribute("data-status", "canceled");
  await expect(step(page, 2).getByTestId("cast-step-refund")).toHaveText("1 credit refunded");
  await expect(page.getByTestId("cast-canceled")).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel cast" })).toHaveCount(0);
  await expect(page.getByTestId("credit-balance-amount")).toHaveText("99 credits");
  await attachScreenshot(page, testInfo, "cast-canceled");

  // Both in the list, newest first, each with its status and a link.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Casts" }).click();
  const rows = page.getByTestId("cast-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute("data-cast-id", canceledId);
  await expect(rows.nth(0)).toHaveAttribute("data-status", "canceled");
  await expect(rows.nth(1)).toHaveAttribute("data-status", "completed");
  await expect(rows.nth(1)).toContainText("Final caption:");
  await attachScreenshot(page, testInfo, "casts-list");
  await rows.nth(1).getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/casts/${castId}$`));
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "completed");

  // Someone else: the same page as for a cast that does not exist.
  const other = await browser.newContext();
  try {
    const theirs = await other.newPage();
    await signUp(theirs, newUser("Curious Neighbour"));
    await theirs.goto(`/casts/${castId}`);
    await expect(theirs.getByTestId("cast-not-found")).toContainText("Cast not found");
    await expect(theirs.getByTestId("cast-steps")).toHaveCount(0);
    await attachScreenshot(theirs, testInfo, "cast-not-found");
  } finally {
    await other.close();
  }
});

test("cast the built-in Caption spell on a dataset image: pick it, three steps complete, the caption appears", async ({ page }, testInfo) => {
  const dir = await mkdtemp(path.join(tmpdir(), "spellcast-e2e-casts-"));
  try {
    const file = path.join(dir, "harbour.png");
    await sharp({ create: { width: 200, height: 150, channels: 3, background: "#0ea5e9" } }).png().toFile(file);
    await signUp(page, newUser("Image Caster"));
    await page.goto("/datasets");
    await page.getByLabel("Dataset name").fill("E2E cast source");
    await page.getByRole("button", { name: "Create dataset" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "E2E cast source" })).toBeVisible();
    await page.getByLabel("Add images").setInputFiles([file]);
    await expect(page.getByTestId("dataset-image-count")).toHaveText("1 image");

    await openCastPage(page, "Caption");
    await expect(page.getByTestId("cast-cost")).toContainText("Costs 3 credits over 3 steps");
    await page.getByRole("button", { name: "Cast", exact: true }).click();
    await expect(page.getByTestId("cast-missing-input")).toHaveText("Pick an image to cast on");
    await expect(page.getByLabel("Dataset", { exact: true })).toHaveValue(/[0-9a-f-]{36}/);
    await page.getByTestId("cast-image-choice").filter({ hasText: "harbour.png" }).click();
    await attachScreenshot(page, testInfo, "cast-image-picked");
    await submitCast(page);

    await expect(page.getByTestId("cast-input-image")).toBeVisible();
    await expect(page.getByTestId("cast-input-image-name")).toHaveText("harbour.png in E2E cast source");
    await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    const steps = page.getByTestId("cast-step");
    await expect(steps).toHaveCount(3);
    for (const [i, tool] of ["joycaption", "rewrite", "chatgpt"].entries()) {
      await expect(steps.nth(i)).toHaveAttribute("data-tool", tool);
      await expect(steps.nth(i)).toHaveAttribute("data-status", "completed");
      await expect(steps.nth(i).getByTestId("cast-step-output")).not.toBeEmpty();
    }
    await expect(page.getByTestId("cast-output")).toContainText("Final caption:");
    await expect(page.getByTestId("credit-balance-amount")).toHaveText("97 credits");
    await attachScreenshot(page, testInfo, "cast-caption-completed");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a step the provider refuses fails the cast with its message and refund; a cast the user cannot pay for is refused", async ({ page }, testInfo) => {
  const token = uniqueToken("castrefused");
  await addSimFaults([{ match: { promptContains: token }, status: 400, body: JSON.stringify({ error: { message: "Refused by the model", type: "invalid_request_error" } }) }]);
  await signUp(page, newUser("Unlucky Caster"));
  await createSpell(page, "Polish", [{ tool: "chatgpt", prompt: "Polish this: {{input}}" }]);

  await openCastPage(page, "Polish");
  await page.getByLabel("Text to cast on").fill(`a small red fox ${token}`);
  await submitCast(page);
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "failed");
  const failure = page.getByTestId("cast-failure");
  await expect(failure.getByTestId("cast-failed-step")).toHaveText("Step 1 (ChatGPT) failed");
  await expect(failure.getByTestId("cast-failure-message")).toContainText("Refused by the model");
  await expect(failure.getByTestId("cast-refund")).toContainText("1 credit refunded");
  await expect(step(page, 1)).toHaveAttribute("data-status", "failed");
  await expect(step(page, 1).getByTestId("cast-step-error")).toContainText("Refused by the model");
  await expect(page.getByTestId("credit-balance-amount")).toHaveText("100 credits");
  await attachScreenshot(page, testInfo, "cast-failed");

  // Spend all 100 credits: 16 images at 6 and one at 4.
  const spent = [];
  for (let i = 0; i < 16; i++) spent.push(await createGenerationOverHttp(page.request, { prompt: `Spend ${i}`, size: "1536x1024" }));
  spent.push(await createGenerationOverHttp(page.request, { prompt: "Spend the rest", size: "1024x1024" }));
  for (const session of spent) await waitForStatus(page.request, session.id, "completed");

  await openCastPage(page, "Polish");
  await expect(page.getByTestId("credit-balance-amount")).toHaveText("0 credits");
  await expect(page.getByTestId("cast-short")).toBeVisible();
  await page.getByLabel("Text to cast on").fill("a small red fox");
  await page.getByRole("button", { name: "Cast", exact: true }).click();
  await expect(page.getByTestId("form-error")).toContainText("You don't have enough credits for this cast (1 credit).");
  await expect(page).toHaveURL(/\/cast$/);
  await attachScreenshot(page, testInfo, "cast-no-credits");
  // Nothing was made: the failed cast is still the only one.
  await expect(page.getByTestId("cast-row")).toHaveCount(1);
  await expect(page.getByTestId("cast-row")).toHaveAttribute("data-status", "failed");
});

test("the text limit is checked before sending; a cast lists its own steps after its spell is edited; the casts list and a cast's page poll while the stream is down", async ({ page }, testInfo) => {
  // The first step is held up, so the second is still to come while the spell changes — and
  // until the end, where the cast is canceled: long enough for a slow machine to get there (the
  // list's fallback poll alone may take 10 s; a 20 s hold ran out once in a full run).
  test.setTimeout(120_000);
  const held = uniqueToken("castplan");
  await addSimFaults([{ match: { promptContains: held }, delayMs: 60_000 }]);
  await signUp(page, newUser("Plan Keeper"));
  await createSpell(page, "Polish then tidy", [{ tool: "chatgpt", prompt: "Polish this: {{input}}" }, { tool: "rewrite" }]);

  await openCastPage(page, "Polish then tidy");
  const spellId = new URL(page.url()).pathname.split("/").at(-2);
  const text = page.getByLabel("Text to cast on");
  await text.fill("x".repeat(10_001));
  const counter = page.getByTestId("cast-text-counter");
  await expect(counter).toContainText("10,001 / 10,000 characters");
  await expect(counter).toHaveClass(/is-over/);
  await expect(page.getByTestId("cast-too-long")).toBeVisible();
  await page.getByRole("button", { name: "Cast", exact: true }).click();
  await expect(page).toHaveURL(/\/cast$/);
  await attachScreenshot(page, testInfo, "cast-text-too-long");
  await text.fill(`a red fox ${held}`);
  await expect(counter).not.toHaveClass(/is-over/);
  await expect(page.getByTestId("cast-too-long")).toHaveCount(0);
  const castId = await submitCast(page);
  await expect(page.getByTestId("cast-step")).toHaveCount(2);
  await expect(step(page, 2)).toHaveAttribute("data-tool", "rewrite");
  await expect(step(page, 2).getByTestId("cast-step-status")).toHaveText("Not started");
  await expect(page.getByTestId("cast-charged")).toContainText("1 credit once every step has run");

  // The spell loses its second step; the running cast still lists the two it began with.
  await page.goto("/spells");
  await page.getByTestId("spell-card").filter({ hasText: "Polish then tidy" }).getByRole("button", { name: "Edit" }).click();
  const editor = page.getByTestId("spell-editor");
  await editor.getByLabel("Name").fill("Just polish");
  await editor.getByRole("button", { name: "Remove step 2" }).click();
  await editor.getByRole("button", { name: "Save spell" }).click();
  await expect(page.getByTestId("spell-card").filter({ hasText: "Just polish" })).toContainText("ChatGPT · text → text");
  await page.goto(`/casts/${castId}`);
  await expect(page.getByTestId("cast-step")).toHaveCount(2);
  await expect(step(page, 1)).toHaveAttribute("data-tool", "chatgpt");
  await expect(step(page, 2)).toHaveAttribute("data-tool", "rewrite");
  await expect(step(page, 2)).toHaveAttribute("data-status", "pending");
  await attachScreenshot(page, testInfo, "cast-keeps-its-steps");

  // No event stream from here on: the list still shows a cast made elsewhere, by polling.
  await page.route("**/api/trpc/events.stream**", (route) => route.abort());
  await page.goto("/casts");
  await expect(page.getByTestId("cast-row")).toHaveCount(1);
  await expect(page.getByTestId("credit-balance")).not.toHaveAttribute("data-live", "connected");
  const res = await page.request.post("/api/trpc/casts.create", {
    headers: { "content-type": "application/json" },
    data: { json: { spellId, input: { kind: "text", text: "a second fox" } } },
  });
  expect(res.status(), await res.text()).toBe(200);
  // The fallback poll is 10 s.
  await expect(page.getByTestId("cast-row")).toHaveCount(2, { timeout: 20_000 });
  await expect(page.getByTestId("credit-balance")).not.toHaveAttribute("data-live", "connected");

  // The cast page polls too: canceled elsewhere (which also frees the held step's slot for the
  // tests after this one), the running cast and its open step turn canceled without the stream.
  await page.goto(`/casts/${castId}`);
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "running");
  const cancel = await page.request.post("/api/trpc/casts.cancel", { headers: { "content-type": "application/json" }, data: { json: { id: castId } } });
  expect(cancel.status(), await cancel.text()).toBe(200);
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "canceled", { timeout: 20_000 });
  await expect(step(page, 1)).toHaveAttribute("data-status", "canceled", { timeout: 20_000 });
});

test("the spell editor explains a broken chain as it is picked and fixes it by moving a step; a used spell is deleted only after asking", async ({ page }, testInfo) => {
  await signUp(page, newUser("Spell Gardener"));
  await page.goto("/spells");
  await page.getByRole("button", { name: "New spell" }).click();
  const editor = page.getByTestId("spell-editor");
  // Saved with no name: said on the field, nothing sent.
  await editor.getByRole("button", { name: "Save spell" }).click();
  await expect(editor.getByText("Name the spell")).toBeVisible();
  await editor.getByLabel("Name").fill("Describe then polish");
  await editor.getByLabel("Step 1 tool").selectOption("chatgpt");
  await editor.getByRole("button", { name: "Add step" }).click();
  await editor.getByLabel("Step 2 tool").selectOption("joycaption");
  // Said as it is picked, on the step, before any save.
  await expect(editor.getByRole("alert")).toHaveText("Step 2 (JoyCaption) takes an image, but step 1 (ChatGPT) gives text");
  await expect(editor.getByTestId("spell-step-hint").nth(1)).toContainText("image → text · 2 credits");
  await attachScreenshot(page, testInfo, "spell-editor-broken-chain");
  await editor.getByRole("button", { name: "Move step 2 up" }).click();
  await expect(editor.getByRole("alert")).toHaveCount(0);
  await expect(editor.getByTestId("spell-summary")).toHaveText("image → text · 3 credits per cast");
  await editor.getByRole("button", { name: "Save spell" }).click();
  const card = page.getByTestId("spell-card").filter({ hasText: "Describe then polish" });
  await expect(card).toContainText("JoyCaption → ChatGPT · image → text · 3 credits per cast");

  // A spell that has been cast: "Keep it" keeps it; "Delete spell" removes it, and its cast stays readable.
  await createSpell(page, "Tidy only", [{ tool: "rewrite" }]);
  await openCastPage(page, "Tidy only");
  await page.getByLabel("Text to cast on").fill("  a   tidy   fox ");
  const castId = await submitCast(page);
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "completed");
  await page.goto("/spells");
  const used = page.getByTestId("spell-card").filter({ hasText: "Tidy only" });
  await used.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete “Tidy only”?" });
  await expect(dialog).toContainText("Casts and caption runs already made with it keep their steps");
  await dialog.getByRole("button", { name: "Keep it" }).click();
  await expect(used).toBeVisible();
  await used.getByRole("button", { name: "Delete" }).click();
  await dialog.getByRole("button", { name: "Delete spell" }).click();
  await expect(used).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Cast Tidy only" })).toHaveCount(0);
  await page.goto(`/casts/${castId}`);
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "completed");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cast of “Tidy only”");
  await expect(page.getByTestId("cast-step")).toHaveCount(1);
  await expect(page.getByTestId("cast-spell-deleted")).toContainText("cannot be cast again");
  await expect(page.getByRole("link", { name: "Cast this spell again" })).toHaveCount(0);
  await page.goto("/casts");
  await expect(page.getByText("Tidy only (deleted)")).toBeVisible();
});

test("a Seedream step: its size is picked in the editor and priced, the spell casts to an image; a second spell of the same name is refused", async ({ page }, testInfo) => {
  await signUp(page, newUser("Spell Painter"));
  await page.goto("/spells");
  await page.getByRole("button", { name: "New spell" }).click();
  const editor = page.getByTestId("spell-editor");
  await editor.getByLabel("Name").fill("Polish then paint");
  await editor.getByLabel("Step 1 tool").selectOption("chatgpt");
  await editor.getByLabel("Step 1 prompt").fill("Polish this: {{input}}");
  await editor.getByRole("button", { name: "Add step" }).click();
  await editor.getByLabel("Step 2 tool").selectOption("seedream");
  // The Generate page's default size, priced; a smaller one costs less, before any save.
  const size = editor.getByLabel("Step 2 image size");
  await expect(size).toHaveValue("1024x1024");
  await expect(editor.getByTestId("spell-step-hint").nth(1)).toContainText("text → image · 4 credits");
  await expect(editor.getByTestId("spell-summary")).toHaveText("text → image · 5 credits per cast");
  await size.selectOption("512x512");
  await expect(editor.getByTestId("spell-step-hint").nth(1)).toContainText("text → image · 2 credits");
  await expect(editor.getByTestId("spell-summary")).toHaveText("text → image · 3 credits per cast");
  await attachScreenshot(page, testInfo, "spell-editor-seedream-size");
  await editor.getByRole("button", { name: "Save spell" }).click();
  const card = page.getByTestId("spell-card").filter({ hasText: "Polish then paint" });
  await expect(card).toContainText("ChatGPT → Seedream 512 × 512 · text → image · 3 credits per cast");

  await openCastPage(page, "Polish then paint");
  await page.getByLabel("Text to cast on").fill("a lighthouse at dusk");
  await submitCast(page);
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "completed");
  await expect(page.getByTestId("cast-output-image")).toBeVisible();

  // The same name again, in other case and spacing: refused in the editor, nothing saved.
  await page.goto("/spells");
  await page.getByRole("button", { name: "New spell" }).click();
  await editor.getByLabel("Name").fill("  polish THEN paint ");
  await editor.getByLabel("Step 1 tool").selectOption("rewrite");
  await editor.getByRole("button", { name: "Save spell" }).click();
  await expect(editor.getByRole("alert")).toContainText("You already have a spell named “Polish then paint”");
  await page.goto("/spells");
  await expect(page.getByTestId("spell-card").filter({ hasText: /polish then paint/i })).toHaveCount(1);
});

test("a failed cast is retried from its failed step: the steps before it carry over and are not charged again", async ({ page }, testInfo) => {
  const token = uniqueToken("castretry");
  await addSimFaults([{ match: { promptContains: token }, status: 400, times: 1, body: JSON.stringify({ error: { message: "Refused by the model", type: "invalid_request_error" } }) }]);
  await signUp(page, newUser("Retrying Caster"));
  await createSpell(page, "Describe and polish", [{ tool: "chatgpt", prompt: "Describe: {{input}}" }, { tool: "rewrite" }, { tool: "chatgpt", prompt: `${token} polish: {{input}}` }]);

  await openCastPage(page, "Describe and polish");
  await page.getByLabel("Text to cast on").fill("a small red fox");
  const failedId = await submitCast(page);
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "failed");
  await expect(page.getByTestId("cast-failed-step")).toHaveText("Step 3 (ChatGPT) failed");
  await expect(page.getByTestId("cast-attempts")).toHaveText("1 / 3 · not retried: a refusal is final");
  // Step 1 (1 credit) ran and stays charged; step 3's credit came back.
  await expect(page.getByTestId("credit-balance-amount")).toHaveText("99 credits");
  const retry = page.getByTestId("cast-retry");
  await expect(retry).toHaveText("Retry from step 3 · 1 credit");
  await attachScreenshot(page, testInfo, "cast-retry-offered");
  await retry.click();

  await page.waitForURL((url) => /\/casts\/[0-9a-f-]+$/.test(url.pathname) && !url.pathname.endsWith(failedId));
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "completed");
  await expect(page.getByTestId("cast-carried-from")).toContainText("Steps 1–2 from the cast that failed");
  await expect(page.getByTestId("cast-step-carried")).toHaveCount(2);
  await expect(page.getByTestId("cast-charged")).toHaveText("1 credit");
  await expect(page.getByTestId("credit-balance-amount")).toHaveText("98 credits");
  await attachScreenshot(page, testInfo, "cast-retried");
  // The failed cast stays as it was.
  await page.getByRole("link", { name: "the cast that failed" }).click();
  await expect(page).toHaveURL(new RegExp(`/casts/${failedId}$`));
  await expect(page.getByTestId("cast-status")).toHaveAttribute("data-status", "failed");
  // Opened again, it links to its retry rather than offer (and charge) another.
  await expect(page.getByTestId("cast-retried")).toContainText("Retried already");
  await expect(page.getByTestId("cast-retry")).toHaveCount(0);
  await page.getByRole("link", { name: "open the retry" }).click();
  await expect(page.getByTestId("cast-carried-from")).toBeVisible();
});
