export { toNextJsHandler } from "better-auth/next-js";
