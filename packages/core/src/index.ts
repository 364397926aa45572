export * from "./errors";
export * from "./events/append-event";
export * from "./events/schema";
