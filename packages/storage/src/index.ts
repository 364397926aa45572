export * from "./local-storage";
export * from "./storage";
