export * from "./cancel-cast";
export * from "./create-cast";
export * from "./owned-step";
export * from "./read-casts";
export * from "./schema";
export * from "./step-jobs";
export { toCastSnapshot } from "./snapshot";
export * from "./retry-cast";
