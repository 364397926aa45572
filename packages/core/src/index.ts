export * from "./api-keys";
export * from "./errors";
export * from "./events/append-event";
export * from "./events/schema";
export * from "./users/caller";
export * from "./credits";
export * from "./events/event-hub";
export * from "./events/read-events";
