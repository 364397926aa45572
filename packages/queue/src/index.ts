export * from "./connection";
export * from "./enqueue";
export * from "./heartbeat";
export * from "./jobs/all-jobs";
export * from "./jobs/define";
export * from "./jobs/echo";
export * from "./names";
export * from "./producers";
