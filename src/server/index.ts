export { createApp } from "./app.js";
export { parseTokens } from "./auth.js";
export { type NodeHandler, type NodeHandlerOptions, toNodeHandler } from "./node.js";
export { type ServeOptions, type ServerHandle, serve } from "./serve.js";
export type { AppOptions, AuthOptions, HttpErrorCode, Scope, TokenConfig } from "./types.js";
