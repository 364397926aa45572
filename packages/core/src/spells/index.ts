export * from "./manage-spells";
export * from "./schema";
export * from "./tools";
export * from "./validate-spell";
