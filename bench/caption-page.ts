import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { Browser } from "@playwright/test";
import { chromium } from "@playwright/test";
import { eq } from "drizzle-orm";

import { grantCredits } from "@spellcast/core";
import { createDb, users } from "@spellcast/db";

import globalSetup from "../e2e/support/global-setup";
import { signUpOverHttp } from "../e2e/support/http-auth";
import { cookiesFor, mutateOverHttp, queryOverHttp, smallPngs, uploadOverHttp } from "../e2e/support/http-api";
import { newUser } from "../e2e/support/users";

// The dataset and captions pages at scale, in Debian's Chromium against the production build and
// the real stack (e2e's global setup: sim at 0 ms, worker, `next start`). In one invocation:
// the images uploaded from the dataset page's file picker, against the same files sent over HTTP
// 100 to a request (baseline); the run with no page open (baseline), then the same run with
// /datasets/:id/captions open —
// how much the open page slows the run, how busy the page's main thread is (long tasks, frames),
// and how late it shows the set completed after the flip commits; then a reload of the
// completed page until its first rows show.

const IMAGES = Number(process.env.BENCH_CAPTION_PAGE_IMAGES ?? 2000);
const TIMEOUT_MS = Number(process.env.BENCH_CAPTION_PAGE_TIMEOUT_MS ?? 300_000);
const root = path.resolve(import.meta.dirname, "..");

// Plain text, not a function: tsx would wrap a function's inner closures in a helper the page lacks.
const PERF_PROBE = `
  const perf = { longTaskMs: 0, frames: 0 };
  window.__benchPerf = perf;
  new PerformanceObserver((list) => { for (const entry of list.getEntries()) perf.longTaskMs += entry.duration; })
    .observe({ type: "longtask", buffered: true });
  const tick = () => { perf.frames += 1; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
`;

// The wall-clock time of the first change event, caught before any handler of the page's own.
const PICKED_AT_PROBE = `document.addEventListener("change", () => { window.__pickedAt ??= Date.now(); }, true);`;

interface SetRead {
  set: { id: string; status: string; updatedAt: string };
}

interface PagePerf {
  longTaskMs: number;
  frames: number;
}

export async function runCaptionPageBench(): Promise<Record<string, unknown>> {
  console.error("caption-page bench: building the web app (cached when unchanged)");
  execFileSync("npx", ["turbo", "run", "build", "--filter=@spellcast/web", "--output-logs=errors-only"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1", BETTER_AUTH_SECRET: "build-time-placeholder-secret-not-used-at-runtime" },
  });
  const teardown = await globalSetup();
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
  try {
    const base = env("E2E_BASE_URL");
    const user = newUser("Bench watcher");
    const cookie = await signUpOverHttp(base, user);
    await grantFor(user.email, IMAGES * 3 * 2);
    const files = await writeImages(IMAGES);
    const httpStarted = Date.now();
    const baseline = await mutateOverHttp<{ id: string }>(base, cookie, "datasets.create", { name: "Bench upload (HTTP)" });
    await uploadOverHttp(base, cookie, baseline.id, files.images);
    const httpUploadS = (Date.now() - httpStarted) / 1000;
    const { dataset, uiUploadS, pickS } = await uploadFromPage(browser, base, cookie, files.paths);
    await files.remove();
    const spells = await queryOverHttp<Array<{ id: string; name: string }>>(base, cookie, "spells.list", {});
    const spellId = spells.find((s) => s.name === "Caption")?.id;
    if (!spellId) throw new Error("no built-in Caption spell");
    const start = () => mutateOverHttp<{ id: string }>(base, cookie, "captions.start", { datasetId: dataset.id, spellId });
    const read = (setId: string) => queryOverHttp<SetRead>(base, cookie, "captions.get", { setId });

    // Baseline: the same run, nobody watching (its end read by polling the set).
    const aloneStarted = Date.now();
    const alone = await start();
    while ((await read(alone.id)).set.status !== "completed") {
      if (Date.now() - aloneStarted > TIMEOUT_MS) throw new Error("the unwatched run did not complete");
      await new Promise((r) => setTimeout(r, 100));
    }
    const aloneS = (Date.now() - aloneStarted) / 1000;

    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
    await context.addCookies(cookiesFor(base, cookie));
    const page = await context.newPage();
    await page.addInitScript(PERF_PROBE);
    const watchedStarted = Date.now();
    const watched = await start();
    await page.goto(`/datasets/${dataset.id}/captions?set=${watched.id}`);
    await page.getByTestId("caption-set-status").and(page.locator('[data-status="completed"]')).waitFor({ timeout: TIMEOUT_MS });
    const seenAt = Date.now();
    const perf = await page.evaluate(() => (window as unknown as { __benchPerf: PagePerf }).__benchPerf);
    const flippedAt = Date.parse((await read(watched.id)).set.updatedAt);
    const watchedS = (seenAt - watchedStarted) / 1000;

    const reloadStarted = Date.now();
    await page.reload();
    await page.getByTestId("caption-row").nth(Math.min(IMAGES, 100) - 1).waitFor({ timeout: TIMEOUT_MS });
    const reloadMs = Date.now() - reloadStarted;
    await context.close();

    const result = {
      images: IMAGES,
      httpUploadS,
      uiUploadS,
      pickS,
      uploadRatio: round(uiUploadS / httpUploadS),
      aloneS,
      watchedS,
      slowdown: round(watchedS / aloneS),
      longTaskShare: round(perf.longTaskMs / (watchedS * 1000)),
      framesPerS: round(perf.frames / watchedS),
      completedSeenAfterMs: seenAt - flippedAt,
      reloadToRowsMs: reloadMs,
    };
    console.error(`caption-page bench: ${JSON.stringify(result)}`);
    return { captionPage: result };
  } finally {
    await browser.close();
    await teardown();
  }
}

/** `count` distinct small PNGs, in memory and written to a fresh folder (the file picker takes paths). */
async function writeImages(count: number) {
  const dir = await mkdtemp(path.join(tmpdir(), "bench-caption-page-"));
  const images = await smallPngs(count);
  for (const image of images) await writeFile(path.join(dir, image.name), image.bytes);
  return { images, paths: images.map((image) => path.join(dir, image.name)), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The files picked on a new dataset's page, until the dataset holds them all. */
async function uploadFromPage(browser: Browser, base: string, cookie: string, paths: readonly string[]) {
  const dataset = await mutateOverHttp<{ id: string }>(base, cookie, "datasets.create", { name: "Bench captions" });
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
  await context.addCookies(cookiesFor(base, cookie));
  const page = await context.newPage();
  await page.goto(`/datasets/${dataset.id}`);
  // Playwright takes ~1 s to hand 2,000 picked files to the page (a user's file dialog is no part
  // of the app's time): the clock starts when the input's change event reaches the page, before
  // the app's own handler runs.
  await page.evaluate(PICKED_AT_PROBE);
  const picking = Date.now();
  await page.getByLabel("Add images").setInputFiles([...paths]);
  const started = Number(await page.evaluate("window.__pickedAt"));
  await page.getByTestId("upload-summary").and(page.getByText(`${paths.length.toLocaleString("en")} added`)).waitFor({ timeout: TIMEOUT_MS });
  const uiUploadS = (Date.now() - started) / 1000;
  await context.close();
  return { dataset, uiUploadS, pickS: (started - picking) / 1000 };
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (global setup)`);
  return value;
}

async function grantFor(email: string, amount: number) {
  const { db, close } = createDb(env("E2E_DATABASE_URL"));
  try {
    const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (!row) throw new Error("bench user not found");
    await grantCredits(db, { userId: row.id, amount, reason: "Bench credits", subject: { type: "seed", id: "bench" }, key: "bench:caption-page" });
  } finally {
    await close();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
