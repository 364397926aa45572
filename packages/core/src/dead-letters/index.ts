export * from "./list-dead-letters";
export * from "./replay-dead-letter";
export * from "./schema";
