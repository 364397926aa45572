import { readFile } from "node:fs/promises";

import type { Locator, Page, TestInfo } from "@playwright/test";
import { expect, test } from "@playwright/test";

import { createApiKeyOverHttp, signUpOverHttp } from "../support/http-auth";
import {
  addSimFaults,
  createGenerationOverHttp,
  uniqueToken,
  waitForStatus,
} from "../support/generations";
import { newUser, signUp } from "../support/users";

async function attach(target: Page | Locator, testInfo: TestInfo, name: string) {
  const shot = testInfo.outputPath(`${name}.png`);
  await target.screenshot({ path: shot });
  await testInfo.attach(name, { path: shot, contentType: "image/png" });
}

const card = (page: Page, id: string) => page.locator(`[data-testid="generation-card"][data-session-id="${id}"]`);

async function openGenerate(page: Page) {
  await page.goto("/generate");
  await expect(page.getByRole("heading", { level: 1, name: "Generate" })).toBeVisible();
  // The stream is up, so what follows arrives through it (the fallback poll is 10 s).
  await expect(page.getByTestId("credit-balance")).toHaveAttribute("data-live", "connected");
}

test("generate: the cost shows before submit, the card completes with its image, only its owner can fetch it", async ({ page }, testInfo) => {
  const user = newUser("Image Maker");
  await signUp(page, user);
  await openGenerate(page);

  const prompt = page.getByLabel("Prompt");
  // Generate with no prompt says what is missing and charges nothing.
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(page.getByTestId("prompt-missing")).toHaveText("Write a prompt first: what the image should show");
  await expect(prompt).toBeFocused();
  await expect(prompt).toHaveAttribute("aria-invalid", "true");
  await prompt.fill("A quiet harbour at dawn, watercolour");
  await expect(page.getByTestId("prompt-missing")).toBeHidden();
  await expect(page.getByTestId("prompt-counter")).toHaveText("36 / 4,000 characters");
  await page.getByLabel("Size").selectOption("512x512");
  await expect(page.getByTestId("generation-cost")).toContainText("Costs 2 credits");
  await page.getByRole("button", { name: "Generate" }).click();

  const cards = page.getByTestId("generation-card");
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toHaveAttribute("data-status", "completed");
  const image = cards.first().getByTestId("generation-image");
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await expect(page.getByTestId("credit-balance-amount")).toHaveText("98 credits");
  await attach(cards.first(), testInfo, "completed-card");

  // The credits page names the charge by its prompt, and its link opens that generation's details.
  await page.goto("/credits");
  await page.getByRole("link", { name: "Generation: A quiet harbour at dawn, watercolour" }).first().click();
  await expect(page).toHaveURL(/\/generate\?session=/);
  const details = page.getByRole("dialog", { name: "Generation details" });
  await expect(details).toContainText("A quiet harbour at dawn, watercolour");
  await expect(details.getByTestId("detail-size")).toHaveText("512 × 512");
  // No seed was set: the server drew one and recorded it, so the image can be drawn again.
  await expect(details.getByTestId("detail-seed")).toHaveText(/^\d+$/);
  await page.keyboard.press("Escape");
  await expect(details).toBeHidden();
  await expect(page).toHaveURL(/\/generate$/);

  const id = await cards.first().getAttribute("data-session-id");
  if (!id) throw new Error("card without a session id");
  const own = await page.request.get(`/api/images/${id}`);
  expect(own.status()).toBe(200);
  expect(own.headers()["content-type"]).toBe("image/png");
  expect(own.headers()["cache-control"]).toContain("private");

  // Another user: the same 404 as for an id that does not exist; nobody signed in: 401.
  const baseURL = testInfo.project.use.baseURL ?? process.env.E2E_BASE_URL ?? "";
  const otherCookie = await signUpOverHttp(baseURL, newUser("Someone Else"));
  const theirs = await fetch(`${baseURL}/api/images/${id}`, { headers: { cookie: otherCookie } });
  expect(theirs.status).toBe(404);
  const anonymous = await fetch(`${baseURL}/api/images/${id}`);
  expect(anonymous.status).toBe(401);
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

test("a completed image's details: tool, size, seed and file; Download saves the PNG named after its prompt; Use these settings draws it again", async ({ page }, testInfo) => {
  await signUp(page, newUser("Detail Seeker"));
  await openGenerate(page);
  await page.getByLabel("Prompt").fill("A lighthouse on a cliff at dusk");
  await page.getByLabel("Size").selectOption("768x768");
  await page.getByLabel("Seed").fill("1234");
  await page.getByRole("button", { name: "Generate" }).click();
  const cards = page.getByTestId("generation-card");
  await expect(cards.first()).toHaveAttribute("data-status", "completed");
  const id = (await cards.first().getAttribute("data-session-id")) ?? "";

  await cards.first().click();
  const dialog = page.getByRole("dialog", { name: "Generation details" });
  await expect(dialog.getByTestId("detail-tool")).toHaveText("Seedream");
  await expect(dialog.getByTestId("detail-size")).toHaveText("768 × 768");
  await expect(dialog.getByTestId("detail-seed")).toHaveText("1234");
  await expect(dialog.getByTestId("detail-file")).toHaveText(/^PNG · \d+(\.\d)? (bytes|KB|MB)$/);
  await expect(dialog).toContainText("3 credits");
  await attach(dialog, testInfo, "completed-modal");

  const downloading = page.waitForEvent("download");
  await dialog.getByRole("link", { name: "Download PNG" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`a-lighthouse-on-a-cliff-at-dusk-${id.slice(0, 8)}.png`);
  const saved = await readFile(await download.path());
  expect([...saved.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  const shown = await page.request.get(`/api/images/${id}`);
  expect(saved.equals(await shown.body())).toBe(true);

  // The same prompt, size and seed, back in the form, ready to edit; drawn again, the same picture.
  await dialog.getByRole("button", { name: "Use these settings" }).click();
  await expect(dialog).toBeHidden();
  const prompt = page.getByLabel("Prompt");
  await expect(prompt).toHaveValue("A lighthouse on a cliff at dusk");
  await expect(prompt).toBeFocused();
  await expect(page.getByLabel("Size")).toHaveValue("768x768");
  await expect(page.getByLabel("Seed")).toHaveValue("1234");
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(cards).toHaveCount(2);
  await expect(cards.first()).toHaveAttribute("data-status", "completed");
  const againId = (await cards.first().getAttribute("data-session-id")) ?? "";
  expect(againId).not.toBe(id);
  const again = await page.request.get(`/api/images/${againId}`);
  expect((await again.body()).equals(saved)).toBe(true);
});

test("a fatal provider error flips the card to failed with the refund (no request id), and the modal shows the details", async ({ page }, testInfo) => {
  const token = uniqueToken("FATAL400");
  await addSimFaults([{ match: { promptContains: token }, status: 400, bodySize: 10_240 }]);
  const user = newUser("Unlucky Maker");
  await signUp(page, user);
  await openGenerate(page);

  await page.getByLabel("Prompt").fill(`A castle in the clouds ${token}`);
  await expect(page.getByTestId("generation-cost")).toContainText("Costs 4 credits");
  await page.getByRole("button", { name: "Generate" }).click();

  const failed = page.getByTestId("generation-card").first();
  await expect(failed).toHaveAttribute("data-status", "failed");
  await expect(failed.getByTestId("generation-error")).toHaveText("The request is invalid.");
  await expect(failed).not.toContainText(/request id/i);
  await expect(failed.getByTestId("generation-refund")).toHaveText("4 credits refunded");
  await expect(page.getByTestId("credit-balance-amount")).toHaveText("100 credits");
  await attach(failed, testInfo, "failed-card");

  await failed.click();
  const dialog = page.getByRole("dialog", { name: "Generation details" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("generation-dialog-error")).toHaveText("The request is invalid.");
  await expect(dialog.getByTestId("detail-provider-status")).toHaveText("400");
  await expect(dialog.getByTestId("detail-reason")).toHaveText("The provider refused or failed the request");
  await expect(dialog.getByTestId("detail-attempts")).toHaveText("1 / 3");
  await expect(dialog.getByTestId("detail-refund")).toContainText("4 credits refunded");
  const timeline = dialog.getByTestId("generation-timeline");
  await expect(timeline).toContainText("Created");
  await expect(timeline).toContainText("Started");
  await expect(timeline).toContainText("Failed");
  await expect(dialog.getByRole("button", { name: "Cancel generation" })).toHaveCount(0);
  await attach(page, testInfo, "failed-modal");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
});

test("30 sessions: one beyond the first page fails while the page is open; after Load more it shows failed, never running", async ({ page }) => {
  const token = uniqueToken("LATE400");
  // Slow enough that the page is open (first page only) before this failure is settled.
  await addSimFaults([{ match: { promptContains: token }, status: 400, delayMs: 6_000 }]);
  const user = newUser("Prolific Maker");
  await signUp(page, user);

  const failing = await createGenerationOverHttp(page.request, { prompt: `The oldest one ${token}` });
  for (let i = 0; i < 29; i++) await createGenerationOverHttp(page.request, { prompt: `Batch image ${i + 1}` });

  await openGenerate(page);
  await expect(page.getByTestId("generation-card")).toHaveCount(24);
  await expect(card(page, failing.id)).toHaveCount(0);
  // Record every status this card ever shows from now on.
  await page.evaluate((id) => {
    const seen: string[] = [];
    (window as unknown as { seenStatuses: string[] }).seenStatuses = seen;
    const record = () => {
      const el = document.querySelector(`[data-testid="generation-card"][data-session-id="${id}"]`);
      const status = el?.getAttribute("data-status");
      if (status && seen.at(-1) !== status) seen.push(status);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
  }, failing.id);

  await waitForStatus(page.request, failing.id, "failed");
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(page.getByTestId("generation-card")).toHaveCount(30);
  await expect(card(page, failing.id)).toHaveAttribute("data-status", "failed");
  await expect(card(page, failing.id).getByTestId("generation-refund")).toHaveText("2 credits refunded");
  const seen = await page.evaluate(() => (window as unknown as { seenStatuses: string[] }).seenStatuses);
  expect(seen).toEqual(["failed"]);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
});

test("a session created elsewhere (API key) while the page is open appears as a card and flips to failed", async ({ page }, testInfo) => {
  const token = uniqueToken("ELSEWHERE400");
  await addSimFaults([{ match: { promptContains: token }, status: 400, delayMs: 1_000 }]);
  const user = newUser("Script Runner");
  await signUp(page, user);
  await openGenerate(page);
  await expect(page.getByTestId("generations-empty")).toBeVisible();

  const baseURL = testInfo.project.use.baseURL ?? process.env.E2E_BASE_URL ?? "";
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const key = await createApiKeyOverHttp(baseURL, cookie, "e2e script");
  const session = await createGenerationOverHttp(
    page.request,
    { prompt: `Made by a script ${token}`, size: "768x768" },
    { authorization: `Bearer ${key}`, cookie: "" },
  );

  const created = card(page, session.id);
  await expect(created).toHaveCount(1);
  await expect(created).toHaveAttribute("data-status", "failed");
  await expect(created.getByTestId("generation-refund")).toHaveText("3 credits refunded");
  await expect(page.getByTestId("credit-balance-amount")).toHaveText("100 credits");
});

test("cancel from the modal while running: the card ends canceled and the hold comes back", async ({ page }) => {
  const token = uniqueToken("SLOW");
  await addSimFaults([{ match: { promptContains: token }, delayMs: 20_000 }]);
  const user = newUser("Impatient Maker");
  await signUp(page, user);
  await openGenerate(page);

  await page.getByLabel("Prompt").fill(`A very slow sunrise ${token}`);
  await page.getByRole("button", { name: "Generate" }).click();
  const running = page.getByTestId("generation-card").first();
  await expect(running).toHaveAttribute("data-status", "running");
  await expect(running.getByTestId("generation-progress")).toBeVisible();
  await expect(page.getByTestId("credit-balance")).toContainText("4 held");

  await running.click();
  const dialog = page.getByRole("dialog", { name: "Generation details" });
  await dialog.getByRole("button", { name: "Cancel generation" }).click();
  await expect(dialog.getByTestId("generation-status")).toHaveText("Canceled");
  await expect(dialog.getByTestId("detail-refund")).toContainText("4 credits refunded");
  await expect(dialog.getByRole("button", { name: "Cancel generation" })).toHaveCount(0);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(running).toHaveAttribute("data-status", "canceled");
  await expect(page.getByTestId("credit-balance-amount")).toHaveText("100 credits");
  await expect(page.getByTestId("credit-balance")).not.toContainText("held");
});
