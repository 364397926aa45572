import type { Page, TestInfo } from "@playwright/test";
import { expect } from "@playwright/test";

/** A full-page screenshot saved with the test's output and attached to its report. */
export async function attachScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const shot = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach(name, { path: shot, contentType: "image/png" });
}

/** Creates a spell through the Spells page's editor. */
export async function createSpell(page: Page, name: string, steps: Array<{ tool: string; prompt?: string }>) {
  await page.goto("/spells");
  await page.getByRole("button", { name: "New spell" }).click();
  const editor = page.getByTestId("spell-editor");
  await editor.getByLabel("Name").fill(name);
  for (const [i, step] of steps.entries()) {
    if (i > 0) await editor.getByRole("button", { name: "Add step" }).click();
    await editor.getByLabel(`Step ${i + 1} tool`).selectOption(step.tool);
    if (step.prompt) await editor.getByLabel(`Step ${i + 1} prompt`).fill(step.prompt);
  }
  await editor.getByRole("button", { name: "Save spell" }).click();
  await expect(page.getByTestId("spell-card").filter({ hasText: name })).toBeVisible();
}

/** Creates a dataset on the Datasets page and waits on its own page. */
export async function createDatasetOnPage(page: Page, name: string) {
  await page.goto("/datasets");
  await page.getByLabel("Dataset name").fill(name);
  await page.getByRole("button", { name: "Create dataset" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}
