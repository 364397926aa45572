import type { ServerResponse } from "node:http";

import { z } from "zod";

import { addFaultsBodySchema } from "../fault-schema";
import { describeIssue, sendError, sendJson } from "../http-io";
import type { SimState } from "../sim-state";

export const CONTROL_PREFIX = "/__sim/";

const configBodySchema = z.strictObject({ latencyMs: z.int().min(0).max(600_000) });

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  json: unknown;
  requestId: string;
  res: ServerResponse;
}

/** Test-only endpoints: faults, latency, counters. Never counted in the call log. */
export function handleControl(state: SimState, { method, path, query, json, requestId, res }: ControlRequest): void {
  const route = `${method} ${path.slice(CONTROL_PREFIX.length - 1)}`;
  switch (route) {
    case "GET /calls": {
      const limit = query.get("limit");
      sendJson(res, 200, state.calls.snapshot(limit === null ? undefined : Math.max(0, Number(limit) || 0)));
      return;
    }
    case "POST /reset":
      state.reset();
      sendJson(res, 200, { ok: true });
      return;
    case "GET /faults":
      sendJson(res, 200, { rules: state.faults.list() });
      return;
    case "POST /faults": {
      const parsed = addFaultsBodySchema.safeParse(json);
      if (!parsed.success) {
        sendError(res, 400, requestId, { message: describeIssue(parsed.error.issues) });
        return;
      }
      const data = parsed.data;
      const rules = Array.isArray(data) ? data : "rules" in data ? data.rules : [data];
      sendJson(res, 200, { ids: state.faults.add(rules) });
      return;
    }
    case "DELETE /faults":
      sendJson(res, 200, { cleared: state.faults.clear() });
      return;
    case "GET /config":
      sendJson(res, 200, { latencyMs: state.latencyMs });
      return;
    case "POST /config": {
      const parsed = configBodySchema.safeParse(json);
      if (!parsed.success) {
        sendError(res, 400, requestId, { message: describeIssue(parsed.error.issues) });
        return;
      }
      state.latencyMs = parsed.data.latencyMs;
      sendJson(res, 200, { latencyMs: state.latencyMs });
      return;
    }
    default:
      sendError(res, 404, requestId, { message: `Unknown control endpoint ${method} ${path}.` });
  }
}
