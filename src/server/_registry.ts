import type { Logger } from "../stores/types.js";

/** What {@link serve} needs to know about an app made by `createApp()`. */
export interface AppInfo {
  /** Whether `auth` tokens protect the API. */
  hasTokens: boolean;
  /** The app's logger, for warnings at start. */
  logger: Logger | undefined;
}

const apps = new WeakMap<object, AppInfo>();

/** Remember how `app` was configured. */
export function registerApp(app: object, info: AppInfo): void {
  apps.set(app, info);
}

/** How `app` was configured, or undefined for an app `createApp()` did not make. */
export function appInfo(app: object): AppInfo | undefined {
  return apps.get(app);
}
