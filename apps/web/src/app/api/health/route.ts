import { services } from "~/server/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** 200 when Postgres, Redis and a worker all answer; 503 naming what is down. */
export async function GET() {
  const report = await services().apiDeps.checkHealth();
  return Response.json(report, {
    status: report.ok ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
