import { expect, test } from "@playwright/test";

import { createApiKeyOverHttp, signInOverHttp, signUpOverHttp } from "../support/http-auth";
import { newUser, signUp } from "../support/users";

const ADMIN = { email: "admin@spellcast.local", password: "admin-password" };
const QUEUES = ["generation", "generation-dlq", "maintenance", "system"];

type Who = "anonymous" | "user" | "user key" | "admin" | "admin key";

interface Callers {
  headers: Record<Who, Record<string, string>>;
}

async function setUpCallers(baseURL: string): Promise<Callers> {
  const adminCookie = await signInOverHttp(baseURL, ADMIN.email, ADMIN.password);
  const userCookie = await signUpOverHttp(baseURL, newUser("Queue Visitor"));
  const [adminKey, userKey] = await Promise.all([
    createApiKeyOverHttp(baseURL, adminCookie, "bull board e2e (admin)"),
    createApiKeyOverHttp(baseURL, userCookie, "bull board e2e (user)"),
  ]);
  // Browsers send Origin on every PUT/POST/DELETE; cookie-authenticated writes need a trusted one.
  return {
    headers: {
      anonymous: { origin: baseURL },
      user: { cookie: userCookie, origin: baseURL },
      "user key": { authorization: `Bearer ${userKey}` },
      admin: { cookie: adminCookie, origin: baseURL },
      "admin key": { authorization: `Bearer ${adminKey}` },
    },
  };
}

async function call(baseURL: string, headers: Record<string, string>, method: string, path: string, body?: object) {
  return fetch(`${baseURL}${path}`, {
    method,
    redirect: "manual",
    headers: body ? { ...headers, "content-type": "application/json" } : headers,
    body: body ? JSON.stringify(body) : undefined,
  });
}

/** Adds an echo job that fails its only attempt, through Bull Board's own API, and waits until it has failed. */
async function failedSystemJob(baseURL: string, admin: Record<string, string>): Promise<string> {
  const added = await call(baseURL, admin, "POST", "/admin/queues/api/queues/system/add", {
    name: "echo",
    data: { message: "bull board e2e", failTimes: 100 },
    options: { attempts: 1 },
  });
  expect(added.status).toBe(200);
  const { job } = (await added.json()) as { job: { id: string } };
  await expect
    .poll(async () => {
      const res = await call(baseURL, admin, "GET", `/admin/queues/api/queues/system/${job.id}`);
      return ((await res.json()) as { status?: string }).status;
    })
    .toBe("failed");
  return job.id;
}

test("access matrix: page, static assets and API under /admin/queues for anonymous, user and admin", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const { headers } = await setUpCallers(baseURL);
  const jobId = await failedSystemJob(baseURL, headers.admin);

  const rows: { name: string; method: string; path: string; expect: Record<Who, number> }[] = [
    { name: "page", method: "GET", path: "/admin/queues", expect: { anonymous: 302, user: 403, "user key": 403, admin: 200, "admin key": 200 } },
    { name: "deep page", method: "GET", path: "/admin/queues/queue/generation?status=failed", expect: { anonymous: 302, user: 403, "user key": 403, admin: 200, "admin key": 200 } },
    { name: "static asset", method: "GET", path: "/admin/queues/static/images/logo.svg", expect: { anonymous: 401, user: 403, "user key": 403, admin: 200, "admin key": 200 } },
    { name: "list queues", method: "GET", path: "/admin/queues/api/queues", expect: { anonymous: 401, user: 403, "user key": 403, admin: 200, "admin key": 200 } },
    { name: "read a job", method: "GET", path: `/admin/queues/api/queues/system/${jobId}`, expect: { anonymous: 401, user: 403, "user key": 403, admin: 200, "admin key": 200 } },
    // Harmless for the rest of the run: nothing fails in maintenance (generation is left alone, other specs use it).
    { name: "retry all failed", method: "PUT", path: "/admin/queues/api/queues/maintenance/retry/failed", expect: { anonymous: 401, user: 403, "user key": 403, admin: 200, "admin key": 200 } },
  ];
  const seen: string[] = [];
  for (const row of rows) {
    for (const who of Object.keys(row.expect) as Who[]) {
      const res = await call(baseURL, headers[who], row.method, row.path);
      seen.push(`${row.method} ${row.path} as ${who}: ${res.status}`);
      expect.soft(res.status, `${row.name} (${row.method} ${row.path}) as ${who}`).toBe(row.expect[who]);
      if (res.status === 302) {
        const location = new URL(res.headers.get("location") ?? "", baseURL);
        expect(location.pathname).toBe("/sign-in");
        expect(location.searchParams.get("next")).toBe(new URL(row.path, baseURL).pathname + new URL(row.path, baseURL).search);
      }
      if (res.status === 401 || (res.status === 403 && row.path.includes("/api/"))) {
        expect(res.headers.get("content-type")).toContain("application/json");
        expect(((await res.json()) as { error?: string }).error).toBe(res.status === 401 ? "UNAUTHORIZED" : "FORBIDDEN");
      }
      if (res.status === 403 && row.name.includes("page")) expect(await res.text()).toContain("Admins only");
      if (row.path === "/admin/queues/api/queues" && res.status === 200) {
        const body = (await res.json()) as { queues: { name: string }[] };
        expect(body.queues.map((q) => q.name).sort()).toEqual(QUEUES);
      }
    }
  }

  // One job's retry, last: it re-runs the job. Anonymous and user first, so a hole would show up as a 204.
  const retry = `/admin/queues/api/queues/system/${jobId}/retry`;
  const retryAs = async (who: Who) => (await call(baseURL, headers[who], "PUT", retry)).status;
  expect(await retryAs("anonymous")).toBe(401);
  expect(await retryAs("user")).toBe(403);
  expect(await retryAs("user key")).toBe(403);
  expect(await retryAs("admin")).toBe(204);

  // Cookie-authenticated writes need a trusted Origin (cross-site request forgery).
  const { origin: _origin, ...adminNoOrigin } = headers.admin;
  const noOrigin = await call(baseURL, adminNoOrigin, "PUT", "/admin/queues/api/queues/maintenance/retry/failed");
  expect(noOrigin.status).toBe(403);
  const foreign = await call(baseURL, { ...adminNoOrigin, origin: "http://evil.example" }, "PUT", "/admin/queues/api/queues/maintenance/retry/failed");
  expect(foreign.status).toBe(403);
  // A bad bearer key is refused, not treated as anonymous-then-redirected.
  const badKey = await call(baseURL, { authorization: "Bearer sc_not-a-key" }, "GET", "/admin/queues");
  expect(badKey.status).toBe(401);

  test.info().annotations.push({ type: "access matrix", description: seen.join("\n") });
});

interface SessionView {
  status: string;
  errorDetails: { refundedCredits?: number } | null;
}

async function trpcQuery<T>(baseURL: string, key: string, path: string, input?: object): Promise<T> {
  const query = input ? `?input=${encodeURIComponent(JSON.stringify({ json: input }))}` : "";
  const res = await fetch(`${baseURL}/api/trpc/${path}${query}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
}

/** Provider calls the sim saw for prompts containing `token` (its log keeps the last 500 calls). */
async function simCallsFor(token: string): Promise<number> {
  const simURL = process.env.E2E_SIM_URL;
  if (!simURL) throw new Error("no E2E_SIM_URL");
  const res = await fetch(`${simURL}/__sim/calls`);
  const { calls } = (await res.json()) as { calls: { prompt?: string | null }[] };
  return calls.filter((c) => c.prompt?.includes(token)).length;
}

test("a Bull Board retry of a terminal, refunded session's job runs no provider call and refunds nothing twice", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const simURL = process.env.E2E_SIM_URL;
  if (!simURL) throw new Error("no E2E_SIM_URL");
  const token = `BBRETRY${Date.now().toString(36)}`;
  // A fatal provider answer (400) for this test's prompt only: the session fails on its first attempt.
  const rule = await fetch(`${simURL}/__sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ match: { promptContains: token }, status: 400 }),
  });
  expect(rule.status).toBeLessThan(300);

  const adminCookie = await signInOverHttp(baseURL, ADMIN.email, ADMIN.password);
  const admin = { cookie: adminCookie, origin: baseURL };
  const userCookie = await signUpOverHttp(baseURL, newUser("Retry Subject"));
  const key = await createApiKeyOverHttp(baseURL, userCookie, "bull board retry e2e");
  // balance, held and available: a double release or refund would move one of them.
  const balanceOf = () => trpcQuery<{ balance: number; held: number; available: number }>(baseURL, key, "credits.balance");
  const before = await balanceOf();

  const created = await fetch(`${baseURL}/api/trpc/generations.create`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ json: { prompt: `a lighthouse ${token}`, clientKey: `bb-${token}` } }),
  });
  expect(created.status, await created.clone().text()).toBe(200);
  const sessionId = ((await created.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;

  const readSession = () => trpcQuery<SessionView>(baseURL, key, "generations.get", { id: sessionId });
  await expect.poll(async () => (await readSession()).status, { timeout: 30_000 }).toBe("failed");
  const jobPath = `/admin/queues/api/queues/generation/gen_${sessionId}`;
  const jobState = async () => {
    const res = await call(baseURL, admin, "GET", jobPath);
    expect(res.status).toBe(200);
    return (await res.json()) as { status: string; job: { returnValue?: { outcome?: string } | null } };
  };
  await expect.poll(async () => (await jobState()).status).toBe("failed");
  const failed = await readSession();
  expect(failed.errorDetails?.refundedCredits).toBeGreaterThan(0);
  expect(await balanceOf()).toEqual(before); // refunded once
  const callsBefore = await simCallsFor(token);
  expect(callsBefore).toBe(1);

  // The operator's retry, through Bull Board's HTTP API: the job runs again and finds the session terminal.
  const retried = await call(baseURL, admin, "PUT", `${jobPath}/retry`);
  expect(retried.status).toBe(204);
  await expect.poll(async () => (await jobState()).status).toBe("completed");
  expect((await jobState()).job.returnValue?.outcome).toBe("skipped");

  expect(await simCallsFor(token)).toBe(callsBefore); // no provider work on the house
  expect(await balanceOf()).toEqual(before); // no second refund
  const after = await readSession();
  expect(after.status).toBe("failed");
  expect(after.errorDetails).toEqual(failed.errorDetails);
});

test("an admin opens Bull Board (via sign-in and via /admin) and sees every queue", async ({ page }, testInfo) => {
  await page.goto("/admin/queues");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fadmin%2Fqueues$/);
  // The form on the page it was sent to (signIn() would open /sign-in afresh, without ?next=).
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/admin\/queues\/?$/);
  const sidebar = page.getByRole("complementary").getByRole("navigation");
  for (const name of QUEUES) await expect(sidebar.getByRole("link", { name, exact: true })).toBeVisible();
  const shot = testInfo.outputPath("bull-board-admin.png");
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach("bull-board-admin", { path: shot, contentType: "image/png" });

  await page.goto("/admin");
  await page.getByRole("link", { name: "Open the queue dashboard (Bull Board)" }).click();
  await expect(page).toHaveURL(/\/admin\/queues\/?$/);
  await expect(sidebar.getByRole("link", { name: "generation-dlq", exact: true })).toBeVisible();
});

test("a signed-in user is refused Bull Board with a 403 page", async ({ page }, testInfo) => {
  await signUp(page, newUser("Not An Admin"));
  const res = await page.goto("/admin/queues");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
  await expect(page.getByText("generation-dlq")).toHaveCount(0);
  const shot = testInfo.outputPath("bull-board-user-refused.png");
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach("bull-board-user-refused", { path: shot, contentType: "image/png" });
});
