export * from "./create-auth";
