import { expect, test } from "@playwright/test";

import { attachScreenshot } from "../support/pages";
import { newUser, signIn, signUp } from "../support/users";

test("a new user gets 100 credits; an admin's grant reaches their header and history live", async ({ browser }, testInfo) => {
  const userContext = await browser.newContext();
  const adminContext = await browser.newContext();
  try {
    const page = await userContext.newPage();
    const user = newUser("Credit Holder");
    await signUp(page, user);
    const balance = page.getByTestId("credit-balance");
    await expect(balance).toContainText("100 credits");

    await balance.click();
    await expect(page).toHaveURL(/\/credits$/);
    await expect(page.getByRole("heading", { level: 1, name: "Credits" })).toBeVisible();
    await expect(page.getByTestId("credit-summary-available")).toContainText("100");
    const rows = page.getByTestId("ledger-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("Welcome credits");
    await expect(rows.first()).toContainText("+100");
    await expect(page.getByTestId("no-holds")).toBeVisible();
    // Not an admin: no grant form.
    await expect(page.getByRole("form", { name: "Grant credits" })).toHaveCount(0);
    // The event stream is up, so what follows arrives through it (the fallback poll is 10 s).
    await expect(balance).toHaveAttribute("data-live", "connected");

    const admin = await adminContext.newPage();
    await signIn(admin, "admin@spellcast.local", "admin-password");
    await expect(admin.getByTestId("user-name")).toHaveText("Admin");
    // The admin page leads to the grant form.
    await admin.goto("/admin");
    await admin.getByRole("link", { name: "Grant credits to any user by email" }).click();
    // This machine's Chromium (156) lands on /credits with or without the hash: the form is what matters.
    await expect(admin).toHaveURL(/\/credits(#grant-title)?$/);
    await expect(admin.getByRole("form", { name: "Grant credits" })).toBeInViewport();
    const form = admin.getByRole("form", { name: "Grant credits" });
    const submit = form.getByRole("button", { name: "Grant credits" });

    // Client-side validation first, then the server's word on an unknown user.
    await submit.click();
    await expect(form.getByText("Enter the recipient's email address")).toBeVisible();
    await form.getByLabel("User email").fill(user.email);
    await form.getByLabel("Amount").fill("1.5");
    await form.getByLabel("Reason").fill("E2E thank-you grant");
    await submit.click();
    await expect(form.getByText("Use a whole number of credits")).toBeVisible();
    await form.getByLabel("User email").fill("nobody-here@example.test");
    await form.getByLabel("Amount").fill("250");
    await submit.click();
    await expect(form.getByTestId("form-error")).toContainText("No user with that email");

    await form.getByLabel("User email").fill(user.email);
    await submit.click();
    await expect(form.getByTestId("grant-success")).toContainText(`Granted 250 credits to ${user.email}`);
    await expect(form.getByTestId("grant-success")).toContainText("Their balance is now 350 credits");
    await attachScreenshot(admin, testInfo, "credits-admin");

    // The user's tab, never reloaded: header and history update from the credits_changed event.
    await expect(balance).toContainText("350 credits", { timeout: 5_000 });
    await expect(rows).toHaveCount(2, { timeout: 5_000 });
    await expect(rows.first()).toContainText("E2E thank-you grant");
    await expect(rows.first()).toContainText("+250");
    await expect(rows.first()).toContainText("350");
    await expect(page.getByTestId("credit-summary-available")).toContainText("350");
    await attachScreenshot(page, testInfo, "credits-user");
  } finally {
    await userContext.close();
    await adminContext.close();
  }
});

test("a user requests credits; an admin sees the request arrive and grants it; the user's balance and request update live", async ({ browser }, testInfo) => {
  const userContext = await browser.newContext();
  const adminContext = await browser.newContext();
  try {
    // The admin's queue is open first: the request must arrive in it without a reload.
    const admin = await adminContext.newPage();
    await signIn(admin, "admin@spellcast.local", "admin-password");
    await expect(admin.getByTestId("user-name")).toHaveText("Admin");
    await admin.goto("/admin");
    await expect(admin.getByRole("heading", { name: "Credit requests" })).toBeVisible();
    await expect(admin.getByTestId("credit-balance")).toHaveAttribute("data-live", "connected");

    const page = await userContext.newPage();
    const user = newUser("Credit Asker");
    await signUp(page, user);
    const balance = page.getByTestId("credit-balance");
    await expect(balance).toContainText("100 credits");
    await page.goto("/credits");
    const card = page.getByTestId("request-credits");
    const form = card.getByRole("form", { name: "Request credits" });
    // The server's rules, said before anything is sent.
    await form.getByLabel("Amount").fill("100001");
    await form.getByRole("button", { name: "Send request" }).click();
    await expect(form.getByText("At most 100,000 credits per request")).toBeVisible();
    await form.getByLabel("Amount").fill("400");
    await form.getByLabel("Reason (optional)").fill("Captioning my holiday photos");
    await form.getByRole("button", { name: "Send request" }).click();
    const mine = card.getByTestId("credit-request-row");
    await expect(mine).toHaveCount(1);
    await expect(mine).toHaveAttribute("data-status", "open");
    await expect(mine).toContainText("Waiting for an admin");
    // One open request at a time: no form until it is answered or withdrawn.
    await expect(card.getByTestId("credit-request-waiting")).toBeVisible();
    await expect(form).toHaveCount(0);
    await expect(balance).toHaveAttribute("data-live", "connected");

    const row = admin.getByTestId("open-credit-request").filter({ hasText: user.email });
    await expect(row).toHaveCount(1, { timeout: 5_000 });
    await expect(row).toContainText("400 credits");
    await expect(row).toContainText("Captioning my holiday photos");
    await expect(row).toContainText("just now");
    await row.getByRole("button", { name: "Grant…" }).click();
    const dialog = admin.getByRole("dialog", { name: `Grant credits to ${user.email}?` });
    await expect(dialog.getByLabel("Amount to grant")).toHaveValue("400");
    await dialog.getByLabel("Amount to grant").fill("300");
    await dialog.getByLabel("Note to the user (optional)").fill("300 to start with");
    await attachScreenshot(admin, testInfo, "credit-request-grant-dialog");
    await dialog.getByRole("button", { name: "Grant", exact: true }).click();
    await expect(admin.getByTestId("credit-request-decided")).toHaveText(`Granted 300 credits to ${user.email}. Their balance is now 400 credits.`);
    await expect(row).toHaveCount(0);

    // The user's tab, never reloaded: the header, the request and the history all move.
    await expect(balance).toContainText("400 credits", { timeout: 5_000 });
    await expect(mine).toHaveAttribute("data-status", "granted", { timeout: 5_000 });
    await expect(mine).toContainText("300 credits granted");
    await expect(mine.getByTestId("credit-request-note")).toHaveText("“300 to start with”");
    await expect(page.getByTestId("ledger-row").first()).toContainText("Credit request granted: 300 to start with");
    await expect(page.getByTestId("ledger-row").first()).toContainText("+300");
    await expect(card.getByRole("form", { name: "Request credits" })).toBeVisible();
    await attachScreenshot(page, testInfo, "credit-request-granted");
  } finally {
    await userContext.close();
    await adminContext.close();
  }
});

test("the demo user starts with 1,000 credits and sees no grant form", async ({ page }) => {
  await signIn(page, "demo@spellcast.local", "demo-password");
  await expect(page.getByTestId("user-name")).toHaveText("Demo User");
  await expect(page.getByTestId("credit-balance")).toContainText("1,000 credits");
  await page.goto("/credits");
  await expect(page.getByTestId("ledger-row").filter({ hasText: "Demo credits" })).toHaveCount(1);
  await expect(page.getByTestId("ledger-row").filter({ hasText: "Welcome credits" })).toHaveCount(1);
  await expect(page.getByRole("form", { name: "Grant credits" })).toHaveCount(0);

  // On a phone: the nav strip scrolls to the current page, and the history table scrolls inside
  // its card, never the page.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId("ledger-row").first()).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Credits" })).toBeInViewport({ ratio: 1 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  const history = page.getByRole("table", { name: "Credit history, newest first" });
  expect(await history.evaluate((table) => !!table.parentElement && table.parentElement.scrollWidth > table.parentElement.clientWidth)).toBe(true);
});
