import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { Page } from "@playwright/test";
import { expect, test } from "@playwright/test";
import sharp from "sharp";
import type { Create } from "sharp";

import { signUpOverHttp } from "../support/http-auth";
import { cookiesFor, datasetOverHttp, mutateOverHttp, queryOverHttp } from "../support/http-api";
import { attachScreenshot, createDatasetOnPage } from "../support/pages";
import { newUser, signUp } from "../support/users";

/** Real PNGs, each its own colour and shape, written to a fresh folder. */
async function writeImages(dir: string) {
  const specs = [
    { name: "sunset.png", width: 640, height: 400, background: "#f97316" },
    { name: "forest.png", width: 300, height: 500, background: "#15803d" },
    { name: "ocean.png", width: 512, height: 512, background: "#1d4ed8" },
    { name: "dropped.png", width: 200, height: 120, background: "#a21caf" },
  ];
  const paths: string[] = [];
  for (const spec of specs) {
    const file = path.join(dir, spec.name);
    await sharp({ create: { width: spec.width, height: spec.height, channels: 3, background: spec.background } })
      .png()
      .toFile(file);
    paths.push(file);
  }
  const fake = path.join(dir, "fake.png");
  await writeFile(fake, "This is a text file wearing a .png name.\n");
  // The first image's bytes under another name: the dataset already holds it.
  const copy = path.join(dir, "sunset copy.png");
  await copyFile(paths[0] ?? "", copy);
  return { paths, fake, copy };
}

async function thumbnailsLoaded(page: Page): Promise<boolean> {
  return page
    .getByTestId("dataset-image")
    .locator("img")
    .evaluateAll((imgs) => imgs.every((img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0));
}

test("create a dataset, upload images (file picker and drop), see thumbnails; a fake PNG and a repeated image are rejected with their reasons; others get 404", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  const dir = await mkdtemp(path.join(tmpdir(), "spellcast-e2e-images-"));
  try {
    const { paths, fake, copy } = await writeImages(dir);
    const [sunset, forest, ocean, dropped] = paths;
    if (!sunset || !forest || !ocean || !dropped) throw new Error("images not written");

    await signUp(page, newUser("Dataset Maker"));
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Datasets" }).click();
    await page.getByLabel("Dataset name").fill("E2E landscapes");
    await page.getByRole("button", { name: "Create dataset" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "E2E landscapes" })).toBeVisible();
    const datasetUrl = page.url();

    await page.getByLabel("Add images").setInputFiles([sunset, forest, ocean]);
    await expect(page.getByTestId("dataset-image")).toHaveCount(3);
    await expect(page.getByTestId("dataset-image-count")).toHaveText("3 images");
    await expect(page.getByTestId("upload-progress").locator('[data-status="added"]')).toHaveCount(3);
    await expect(page.getByTestId("upload-summary")).toHaveText("3 files: 3 added");
    await expect.poll(() => thumbnailsLoaded(page)).toBe(true);
    // Each tile names its file.
    await expect(page.getByTestId("dataset-image").filter({ hasText: "sunset.png" })).toContainText("640 × 400");
    await expect(page.getByTestId("dataset-image").filter({ hasText: "forest.png" })).toContainText("300 × 500");
    await attachScreenshot(page, testInfo, "dataset-grid");

    await page.getByLabel("Add images").setInputFiles(fake);
    const rejections = page.getByTestId("upload-rejections");
    await expect(rejections).toContainText("fake.png");
    await expect(rejections).toContainText("not a PNG, JPEG or WebP image");
    await expect(page.getByTestId("upload-summary")).toHaveText("4 files: 3 added, 1 not added");
    await expect(page.getByTestId("dataset-image")).toHaveCount(3);

    await page.getByLabel("Add images").setInputFiles(copy);
    await expect(rejections).toContainText('sunset copy.png: the same image is already in this dataset as "sunset.png"');
    await expect(rejections).toContainText("2 files were not added");
    await expect(page.getByTestId("dataset-image")).toHaveCount(3);
    await expect(page.getByTestId("dataset-image-count")).toHaveText("3 images");

    // Drag and drop: a real drop event carrying a file.
    const b64 = (await readFile(dropped)).toString("base64");
    const dataTransfer = await page.evaluateHandle((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
      return transfer;
    }, b64);
    await page.getByTestId("upload-zone").dispatchEvent("drop", { dataTransfer });
    await expect(page.getByTestId("dataset-image")).toHaveCount(4);
    await expect.poll(() => thumbnailsLoaded(page)).toBe(true);
    await attachScreenshot(page, testInfo, "dataset-grid-with-rejection");

    const thumbSrc = await page.getByTestId("dataset-image").first().locator("img").getAttribute("src");
    if (!thumbSrc || !baseURL) throw new Error("no thumbnail src");

    await page.getByRole("link", { name: "Datasets" }).first().click();
    await expect(page.getByTestId("dataset-row").filter({ hasText: "E2E landscapes" })).toContainText("4 images");

    // Someone else: the page says not found and the thumbnail URL answers 404.
    const otherContext = await browser.newContext();
    try {
      const other = await otherContext.newPage();
      await signUp(other, newUser("Someone Else"));
      await other.goto(datasetUrl);
      await expect(other.getByText("Dataset not found")).toBeVisible();
      const res = await other.request.get(new URL(thumbSrc, baseURL).toString());
      expect(res.status()).toBe(404);
    } finally {
      await otherContext.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("45 files at once: spread over three requests sent side by side, counted in a summary rather than a row each, shown in the order chosen; a repeat among them is named with its reason", async ({
  page,
}) => {
  const dir = await mkdtemp(path.join(tmpdir(), "spellcast-e2e-many-"));
  try {
    const files: string[] = [];
    for (let i = 0; i < 44; i++) {
      const file = path.join(dir, `tile_${String(i).padStart(2, "0")}.png`);
      // The first ten are large and noisy, so the first request (files 1–15) is the slowest to land of the three.
      const create: Create =
        i < 10
          ? { width: 400, height: 400, channels: 3, background: "#000000", noise: { type: "gaussian", mean: 128, sigma: 40 } }
          : { width: 24, height: 24, channels: 3, background: { r: i * 5, g: 120, b: 200 - i * 4 } };
      await sharp({ create }).png().toFile(file);
      files.push(file);
    }
    // The same bytes again, last in the drop: whichever of the two requests commits second is refused.
    const repeat = path.join(dir, "tile copy.png");
    await copyFile(files[0] ?? "", repeat);
    files.push(repeat);
    const requests: string[] = [];
    page.on("request", (req) => {
      if (req.method() === "POST" && /\/api\/datasets\/[^/]+\/images$/.test(req.url())) requests.push(req.url());
    });

    await signUp(page, newUser("Bulk Uploader"));
    await createDatasetOnPage(page, "E2E many");
    await page.getByLabel("Add images").setInputFiles(files);

    await expect(page.getByTestId("upload-summary")).toHaveText("45 files: 44 added, 1 not added");
    await expect(page.getByTestId("dataset-image-count")).toHaveText("44 images");
    await expect(page.getByTestId("dataset-image")).toHaveCount(44);
    // No row per finished file: only the refusal is listed, with its reason.
    await expect(page.getByTestId("upload-progress").locator("li")).toHaveCount(0);
    await expect(page.getByTestId("upload-rejections")).toContainText(
      /tile copy\.png: the same image is already in this dataset as "tile_00\.png"|tile_00\.png: the same image is already in this dataset as "tile copy\.png"/,
    );
    expect(requests).toHaveLength(3);
    // Shown in the order chosen, whichever request landed first (the refused repeat aside).
    const shown = await page.getByTestId("dataset-image").locator("img").evaluateAll((imgs) => imgs.map((img) => (img instanceof HTMLImageElement ? img.alt : "")));
    const chosen = files.map((file) => path.basename(file));
    expect(shown).toEqual(chosen.filter((name) => shown.includes(name)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("requests whose answer is lost after the server stored their files, or that a 503 turns away, are sent again: every file added once, none called a repeat", async ({
  page,
}) => {
  const dir = await mkdtemp(path.join(tmpdir(), "spellcast-e2e-retry-"));
  try {
    const files: string[] = [];
    for (const [i, colour] of ["#ef4444", "#22c55e", "#3b82f6"].entries()) {
      const file = path.join(dir, `retry_${i + 1}.png`);
      await sharp({ create: { width: 32, height: 32, channels: 3, background: colour } }).png().toFile(file);
      files.push(file);
    }
    await signUp(page, newUser("Flaky Uploader"));
    await createDatasetOnPage(page, "E2E retry");

    // Three files go as three requests at once, in reserved places 0–2. The first request is
    // stored but its answer never arrives: the test sends the server the same upload itself (a
    // page's file body cannot be forwarded from an interception), which stores all three files in
    // their places, then drops the page's connection. The second gets a 503 from "a proxy".
    const origin = new URL(page.url()).origin;
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const outcomes: string[] = [];
    await page.route(/\/api\/datasets\/[^/]+\/images$/, async (route) => {
      const n = outcomes.push(outcomes.length === 0 ? "stored, answer lost" : outcomes.length === 1 ? "503" : "sent");
      if (n === 1) {
        const form = new FormData();
        form.append("firstIndex", "0");
        for (const file of files) form.append("file", new Blob([new Uint8Array(await readFile(file))], { type: "image/png" }), path.basename(file));
        const stored = await fetch(route.request().url(), { method: "POST", headers: { cookie, origin }, body: form });
        expect(((await stored.json()) as { added: unknown[] }).added).toHaveLength(3);
        await route.abort("connectionreset");
      } else if (n === 2) {
        await route.fulfill({ status: 503, json: { error: "The server is restarting" } });
      } else {
        await route.continue();
      }
    });
    await page.getByLabel("Add images").setInputFiles(files);

    // The 503'd request waits a second before going again, shown as such with the server's words.
    await expect(page.locator('[data-status="retrying"]').first()).toBeVisible();
    await expect(page.locator('[data-status="retrying"] [title*="The server is restarting"]').first()).toBeAttached();
    await expect(page.getByTestId("upload-summary")).toHaveText("3 files: 3 added");
    expect(outcomes).toEqual(["stored, answer lost", "503", "sent", "sent", "sent"]);
    await expect(page.getByTestId("dataset-image-count")).toHaveText("3 images");
    await expect(page.getByTestId("upload-rejections")).toHaveCount(0);
    const shown = await page.getByTestId("dataset-image").locator("img").evaluateAll((imgs) => imgs.map((img) => (img instanceof HTMLImageElement ? img.alt : "")));
    expect(shown).toEqual(["retry_1.png", "retry_2.png", "retry_3.png"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** The page's requests for places (tRPC batches name the procedure in the path). */
const RESERVATION = /\/api\/trpc\/[^?]*datasets\.reserveImageIndexes/;

/** The grid's file names, in the order shown. */
const shownNames = (page: Page) =>
  page
    .getByTestId("dataset-image")
    .locator("img")
    .evaluateAll((imgs) => imgs.map((img) => (img instanceof HTMLImageElement ? img.alt : "")));

test("a reservation of places turned away once (503) goes again: every file lands once, in the order chosen, and no error is shown", async ({ page }) => {
  const dir = await mkdtemp(path.join(tmpdir(), "spellcast-e2e-reserve-"));
  try {
    const files: string[] = [];
    for (const [i, colour] of ["#000000", "#f59e0b", "#0ea5e9"].entries()) {
      const file = path.join(dir, `placed_${i + 1}.png`);
      // The first is large and noisy, so its request (one file each, three at once) lands last.
      const create: Create =
        i === 0
          ? { width: 400, height: 400, channels: 3, background: colour, noise: { type: "gaussian", mean: 128, sigma: 40 } }
          : { width: 24, height: 24, channels: 3, background: colour };
      await sharp({ create }).png().toFile(file);
      files.push(file);
    }
    await signUp(page, newUser("Reserving Uploader"));
    await createDatasetOnPage(page, "E2E reserve retry");
    const reservations: string[] = [];
    await page.route(RESERVATION, async (route) => {
      // The first answer comes from "a proxy" in front of a restarting server, not from the API.
      if (reservations.push(reservations.length === 0 ? "503" : "sent") === 1) await route.fulfill({ status: 503, body: "Service Unavailable" });
      else await route.continue();
    });
    await page.getByLabel("Add images").setInputFiles(files);

    // The files wait for their places, shown as retrying with why, then all land.
    await expect(page.locator('[data-status="retrying"] [title*="Could not reserve the files\' places"]')).toHaveCount(3);
    await expect(page.getByTestId("upload-summary")).toHaveText("3 files: 3 added");
    expect(reservations).toEqual(["503", "sent"]);
    await expect(page.getByTestId("dataset-image-count")).toHaveText("3 images");
    await expect(page.getByTestId("upload-rejections")).toHaveCount(0);
    await expect(page.getByTestId("upload-progress").locator('[data-status="added"]')).toHaveCount(3);
    expect(await shownNames(page)).toEqual(["placed_1.png", "placed_2.png", "placed_3.png"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a reservation the server refuses (over the count limit) fails its files at once with the server's words and is not sent again; the next drop goes", async ({
  page,
}) => {
  const dir = await mkdtemp(path.join(tmpdir(), "spellcast-e2e-refused-"));
  try {
    const files: string[] = [];
    for (const [i, colour] of ["#dc2626", "#16a34a"].entries()) {
      const file = path.join(dir, `refused_${i + 1}.png`);
      await sharp({ create: { width: 24, height: 24, channels: 3, background: colour } }).png().toFile(file);
      files.push(file);
    }
    await signUp(page, newUser("Refused Uploader"));
    await createDatasetOnPage(page, "E2E reserve refused");
    const reservations: string[] = [];
    const uploads: string[] = [];
    page.on("request", (req) => {
      if (req.method() === "POST" && /\/api\/datasets\/[^/]+\/images$/.test(req.url())) uploads.push(req.url());
    });
    // The page asks for more places than one reservation may hold: the real server refuses it (400).
    await page.route(RESERVATION, async (route) => {
      reservations.push(route.request().url());
      await route.continue({ postData: (route.request().postData() ?? "").replace(/"count":\d+/, '"count":10001') });
    });
    await page.getByLabel("Add images").setInputFiles(files);

    const rejections = page.getByTestId("upload-rejections");
    for (const name of ["refused_1.png", "refused_2.png"]) {
      await expect(rejections.locator("li").filter({ hasText: name })).toHaveText(
        `${name}: Could not reserve the files' places in the dataset: count: a whole number of images from 1 to 10000`,
      );
    }
    await expect(page.getByTestId("upload-summary")).toHaveText("2 files: 0 added, 2 not added");
    await expect(page.locator('[data-status="retrying"]')).toHaveCount(0);
    expect(reservations).toHaveLength(1);
    expect(uploads).toEqual([]);
    await expect(page.getByTestId("dataset-image")).toHaveCount(0);

    // Nothing is stuck behind the refusal: the same files dropped again land, in order.
    await page.unroute(RESERVATION);
    await page.getByRole("button", { name: "Clear finished uploads" }).click();
    await page.getByLabel("Add images").setInputFiles(files);
    await expect(page.getByTestId("upload-summary")).toHaveText("2 files: 2 added");
    expect(await shownNames(page)).toEqual(["refused_1.png", "refused_2.png"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("images are chosen and removed after asking: gone from the grid and the count; a finished run keeps its caption of it; a paused run holds it back", async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  const base = baseURL ?? "";
  const cookie = await signUpOverHttp(base, newUser("Pruner"));
  const dataset = await datasetOverHttp(base, cookie, "E2E prune", 3);
  const spells = await queryOverHttp<Array<{ id: string; name: string }>>(base, cookie, "spells.list", {});
  const caption = spells.find((s) => s.name === "Caption");
  if (!caption) throw new Error("no built-in Caption spell");
  const setStatus = (setId: string) => async () => (await queryOverHttp<{ set: { status: string } }>(base, cookie, "captions.get", { setId })).set.status;
  const finished = await mutateOverHttp<{ id: string }>(base, cookie, "captions.start", { datasetId: dataset.id, spellId: caption.id });
  await expect.poll(setStatus(finished.id), { timeout: 30_000 }).toBe("completed");

  await context.addCookies(cookiesFor(base, cookie));
  await page.goto(`/datasets/${dataset.id}`);
  const count = page.getByTestId("dataset-image-count");
  await expect(count).toHaveText("3 images");
  // A shift-click chooses the range from the last one clicked; Clear selection drops the choice.
  const removeSelected = page.getByRole("button", { name: /^Remove selected/ });
  await page.getByRole("checkbox", { name: "Select img_00000.png" }).check();
  await page.getByRole("checkbox", { name: "Select img_00002.png" }).click({ modifiers: ["Shift"] });
  await expect(page.getByRole("checkbox", { name: "Select img_00001.png" })).toBeChecked();
  await expect(removeSelected).toHaveText("Remove selected (3)");
  await page.getByRole("button", { name: "Clear selection" }).click();
  await expect(removeSelected).toHaveCount(0);
  await expect(page.getByRole("checkbox", { name: "Select img_00001.png" })).not.toBeChecked();

  // Chosen, then kept: nothing is removed without the question.
  await page.getByRole("checkbox", { name: "Select img_00001.png" }).check();
  await page.getByRole("checkbox", { name: "Select img_00002.png" }).check();
  await expect(removeSelected).toHaveText("Remove selected (2)");
  await removeSelected.click();
  const dialog = page.getByRole("dialog", { name: "Remove 2 images?" });
  await expect(dialog.getByTestId("remove-images-names")).toHaveText("img_00001.png, img_00002.png");
  await dialog.getByRole("button", { name: "Keep them" }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole("checkbox", { name: "Select img_00002.png" }).uncheck();
  await expect(removeSelected).toHaveText("Remove selected (1)");
  await removeSelected.click();
  const one = page.getByRole("dialog", { name: "Remove “img_00001.png”?" });
  await one.getByRole("button", { name: "Yes, remove image" }).click();
  await expect(one).toBeHidden();
  await expect(count).toHaveText("2 images");
  await expect(page.getByTestId("dataset-image")).toHaveCount(2);
  await expect(page.locator('[data-testid="dataset-image"][data-file-name="img_00001.png"]')).toHaveCount(0);
  await expect(removeSelected).toHaveCount(0);

  // The finished run still lists it, with its caption and no image behind it.
  await page.goto(`/datasets/${dataset.id}/captions?set=${finished.id}`);
  const kept = page.locator('[data-testid="caption-row"][data-file-name="img_00001.png"]');
  await expect(kept.getByTestId("caption-image-removed")).toHaveText("Removed");
  await expect(kept.getByTestId("caption-text")).toContainText("Final caption");
  await expect(page.getByTestId("caption-progress")).toContainText("3/3 captioned");
  await attachScreenshot(page, testInfo, "captions-of-a-removed-image");

  // A run paused at its budget (one image of two) could still cast any of them: removing one waits.
  const paused = await mutateOverHttp<{ id: string }>(base, cookie, "captions.start", { datasetId: dataset.id, spellId: caption.id, budget: 3 });
  await expect.poll(setStatus(paused.id), { timeout: 30_000 }).toBe("paused");
  await page.goto(`/datasets/${dataset.id}`);
  await page.getByRole("checkbox", { name: "Select img_00000.png" }).check();
  await removeSelected.click();
  const refused = page.getByRole("dialog", { name: "Remove “img_00000.png”?" });
  await refused.getByRole("button", { name: "Yes, remove image" }).click();
  await expect(refused).toContainText("A caption run on this dataset is still going or paused: let it finish or cancel it, then remove images");
  await attachScreenshot(page, testInfo, "remove-image-refused-while-run-paused");
  await refused.getByRole("button", { name: "Keep it" }).click();
  await expect(count).toHaveText("2 images");
  await expect(page.getByTestId("dataset-image")).toHaveCount(2);
});
