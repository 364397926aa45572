import type { HealthReport } from "./check-health";

/** 200 when everything answers, 503 with the report (naming what is down) otherwise. */
export function healthResponse(report: HealthReport): Response {
  return Response.json(report, {
    status: report.ok ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
