import { expect, test } from "@playwright/test";

import { newUser, signIn, signUp } from "../support/users";

/** Calls the `me` query over HTTP the way another app would, with a bearer key. */
async function meWithKey(baseURL: string, key: string) {
  const res = await fetch(`${baseURL}/api/trpc/me`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as { result?: { data?: { json?: { email?: string } } } } };
}

test("sign up, sign out, sign in, create an API key, use it, revoke it", async ({ page, baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const user = newUser("Grace Hopper");
  await signUp(page, user);

  // Signing out of a page that needs a session goes home, not to sign in again.
  await page.goto("/api-keys");
  await expect(page.getByLabel("Key name")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" }).first()).toBeVisible();
  await expect(page).toHaveURL((url) => url.pathname === "/");
  await expect(page.locator("#home-title")).toBeVisible();
  await expect(page).toHaveURL((url) => url.pathname === "/");

  // A shared link opened signed out: sign in, and land on that link, its query and hash kept.
  await page.goto("/api-keys?from=mail#key-name");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fapi-keys%3Ffrom%3Dmail%23key-name$/);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/api-keys\?from=mail#key-name$/);
  await expect(page.getByTestId("user-name")).toHaveText(user.name);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("Key name").fill("e2e pipeline");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key-value").innerText()).trim();
  expect(key).toMatch(/^sc_[A-Za-z0-9_-]{43}$/);

  const row = page.getByTestId("api-key-row").filter({ hasText: "e2e pipeline" });
  await expect(row).toHaveAttribute("data-status", "active");

  const before = await meWithKey(baseURL, key);
  expect(before.status).toBe(200);
  expect(before.body.result?.data?.json?.email).toBe(user.email);

  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Yes, revoke key" }).click();
  await expect(row).toHaveAttribute("data-status", "revoked");
  await expect(row).toContainText("Revoked");

  const after = await meWithKey(baseURL, key);
  expect(after.status).toBe(401);
});

test("a sign-out the server fails says so and keeps the visitor signed in where they were", async ({ page }) => {
  const user = newUser("Stays In");
  await signUp(page, user);
  await page.goto("/api-keys");
  await expect(page.getByLabel("Key name")).toBeVisible();
  await page.route("**/api/auth/sign-out", (route) => route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ message: "Service unavailable" }) }));
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Could not sign out" })).toContainText("Please try again.");
  await expect(page.getByTestId("user-name")).toHaveText(user.name);
  await expect(page).toHaveURL((url) => url.pathname === "/api-keys");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeEnabled();

  // Once the server answers again, the same button signs out.
  await page.unroute("**/api/auth/sign-out");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" }).first()).toBeVisible();
  await expect(page).toHaveURL((url) => url.pathname === "/");
});

test("wrong credentials and a duplicate email get clear messages", async ({ page }) => {
  const user = newUser();
  await signUp(page, user);
  await page.getByRole("button", { name: "Sign out" }).click();
  // Navigating away before sign-out answers would abort it and leave the session alive.
  await expect(page.getByRole("link", { name: "Sign in" }).first()).toBeVisible();

  await signIn(page, user.email, "not-the-password");
  await expect(page.getByTestId("form-error")).toContainText("Invalid email or password");

  await page.goto("/sign-up");
  await page.getByLabel("Name").fill("Someone Else");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("another-password-1");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("form-error")).toContainText(/already exists/i);
});

test("the home page renders for a visitor (screenshot artifact) and health is green", async ({ page, request }, testInfo) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const shot = testInfo.outputPath("home.png");
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach("home", { path: shot, contentType: "image/png" });

  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, down: [], worker: { ok: true } });
});
