export * from "./bulk-replay";
export * from "./list-dead-letters";
export * from "./replay-cost";
export * from "./replay-dead-letter";
export * from "./schema";
