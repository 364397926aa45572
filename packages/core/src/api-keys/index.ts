export * from "./key-format";
export * from "./manage-api-keys";
export * from "./schema";
export * from "./verify-api-key";
