export * from "./server";
export * from "./control-client";
export type { CallEntry, CallOutcome, CallsSnapshot } from "./call-log";
export type { FaultAction, FaultMatch, FaultRule } from "./fault-schema";
export { faultRuleSchema } from "./fault-schema";
