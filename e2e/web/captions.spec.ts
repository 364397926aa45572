import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { Page, TestInfo } from "@playwright/test";
import { expect, test } from "@playwright/test";
import { strFromU8, unzipSync } from "fflate";
import sharp from "sharp";

import { newUser, signUp } from "../support/users";

async function attachScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const shot = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach(name, { path: shot, contentType: "image/png" });
}

/** Slows only JoyCaption calls (no other spec uses them), so the run is visibly in progress for a while. */
async function slowJoyCaption(delayMs: number) {
  const simUrl = process.env.E2E_SIM_URL;
  if (!simUrl) throw new Error("E2E_SIM_URL is not set (global setup)");
  const res = await fetch(`${simUrl}/__sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ match: { model: "joycaption-alpha-two" }, delayMs, times: 5 }),
  });
  if (!res.ok) throw new Error(`sim fault: ${res.status}`);
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
    await page.goto("/datasets");
    await page.getByLabel("Dataset name").fill("E2E captions");
    await page.getByRole("button", { name: "Create dataset" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "E2E captions" })).toBeVisible();
    await page.getByLabel("Add images").setInputFiles(files);
    await expect(page.getByTestId("dataset-image-count")).toHaveText("5 images");

    await expect(page.getByTestId("caption-estimate")).toHaveText("5 images × 3 credits = 15 credits");
    // Long enough for the page to load and show the run in progress on a busy machine (2.5 s was
    // not, once, in a full run).
    await slowJoyCaption(8_000);
    await page.getByRole("button", { name: "Start captioning" }).click();
    await page.waitForURL(/\/datasets\/[0-9a-f-]+\/captions\?set=/);
    const status = page.getByTestId("caption-set-status");
    await expect(status).toHaveAttribute("data-status", "in_progress");
    await expect(page.getByTestId("caption-row")).toHaveCount(5);
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
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
