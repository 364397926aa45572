export * from "./cancel-dataset-runs";
export * from "./cancel-run";
export * from "./read-captions";
export * from "./resume-stalled";
export * from "./run-captions";
export * from "./schema";
export { toCaptionSetSnapshot, toCaptionSnapshot } from "./snapshot";
export * from "./edit-captions";
export * from "./export-captions";
