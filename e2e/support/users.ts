import { randomBytes } from "node:crypto";

import type { Page } from "@playwright/test";
import { expect } from "@playwright/test";

export function newUser(name = "E2E Person") {
  return { name, email: `e2e-${randomBytes(5).toString("hex")}@example.test`, password: "e2e-password-123" };
}

export async function signUp(page: Page, user: ReturnType<typeof newUser>) {
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("user-name")).toHaveText(user.name);
  // The header knows the user before the form's redirect lands: a goto in between would be cut off by it.
  await page.waitForURL((url) => url.pathname !== "/sign-up");
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Signed in, the form redirects: wait for it (or for the form's error), so a goto right after is
  // not cut off by it, nor the page it opens replaced.
  await page.waitForFunction(() => window.location.pathname !== "/sign-in" || document.querySelector('[data-testid="form-error"]') !== null);
}
