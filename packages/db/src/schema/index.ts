export * from "./auth";
export * from "./api-keys";
export * from "./sessions";
export * from "./events";
export * from "./credits";
export * from "./datasets";
export * from "./spells";
export * from "./admin";
