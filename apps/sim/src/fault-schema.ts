import { z } from "zod";

/** What a matching fault does. Everything optional: a rule with only delayMs just slows calls. */
export const faultActionSchema = z.strictObject({
  /** Status to answer with. Defaults to 429 when retryAfter is set, else 503 when failFirst is set. */
  status: z.int().min(200).max(599).optional(),
  /** Raw body to send instead of the standard error envelope; with no status it is sent as a 200. */
  body: z.string().optional(),
  /** Pads the standard error envelope (not `body`) to this many bytes. */
  bodySize: z.int().min(0).max(10_000_000).optional(),
  delayMs: z.int().min(0).max(600_000).optional(),
  /** Sent verbatim as `Retry-After`: seconds or an HTTP date. */
  retryAfter: z.union([z.string().min(1), z.number().nonnegative()]).optional(),
  /** Fail the first N calls of each distinct request (same path and body), then let it succeed. */
  failFirst: z.int().positive().optional(),
  /** Destroy the socket without answering. */
  drop: z.boolean().optional(),
  /** Never answer; the client's timeout has to fire. */
  hang: z.boolean().optional(),
});
export type FaultAction = z.infer<typeof faultActionSchema>;

export const faultMatchSchema = z.strictObject({
  path: z.string().optional(),
  promptContains: z.string().min(1).optional(),
  model: z.string().optional(),
});
export type FaultMatch = z.infer<typeof faultMatchSchema>;

export const faultRuleSchema = faultActionSchema.extend({
  match: faultMatchSchema.default({}),
  /** The rule fires at most this many times in total, then is spent. */
  times: z.int().positive().optional(),
});
export type FaultRule = z.input<typeof faultRuleSchema>;

/** `POST /__sim/faults` accepts one rule, a list, or `{ rules: [...] }`. */
export const addFaultsBodySchema = z.union([
  z.array(faultRuleSchema),
  z.strictObject({ rules: z.array(faultRuleSchema) }),
  faultRuleSchema,
]);

const flag = z.enum(["1", "true", "0", "false"]).transform((v) => v === "1" || v === "true");
const intHeader = z.coerce.number().int().min(0);

/** The same modes, per request, through `x-sim-*` headers. */
export const faultHeadersSchema = z.object({
  "x-sim-status": z.coerce.number().int().min(200).max(599).optional(),
  "x-sim-body": z.string().optional(),
  "x-sim-body-size": intHeader.max(10_000_000).optional(),
  "x-sim-delay-ms": intHeader.max(600_000).optional(),
  "x-sim-retry-after": z.string().min(1).optional(),
  "x-sim-fail-first": intHeader.min(1).optional(),
  /** Groups calls for fail-first; defaults to path + body, so a retry of the same request counts. */
  "x-sim-fail-key": z.string().min(1).optional(),
  "x-sim-drop": flag.optional(),
  "x-sim-hang": flag.optional(),
});
export const FAULT_HEADER_NAMES = Object.keys(faultHeadersSchema.shape);
