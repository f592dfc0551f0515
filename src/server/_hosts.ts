import { isIP } from "node:net";
import { describeValue, MetricsError } from "../errors.js";

/** Host names a loopback-bound server answers by default (DNS-rebinding guard). */
export const LOOPBACK_HOSTS: readonly string[] = [".localhost", "127.0.0.1", "::1"];

/** `host` or `host:port` as sent in a `Host` header; IPv6 literals in brackets. */
const HOST_HEADER = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+))(?::\d{1,5})?$/;
/** An `allowedHosts` entry: `*`, a name, `.suffix` or an IP (IPv6 with or without brackets). */
const HOST_PATTERN = /^(?:\*|\.?[A-Za-z0-9_-][A-Za-z0-9_.-]*|\[?[0-9A-Fa-f:.]+\]?)$/;

const normalize = (name: string): string => name.toLowerCase().replace(/\.$/, "");

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackAddress(hostname: string): boolean {
  const name = normalize(hostname.replace(/^\[(.*)\]$/, "$1"));
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  if (isIP(name) === 6) return name === "::1" || /^::ffff:127\./.test(name) || name === "0:0:0:0:0:0:0:1";
  return false;
}

/** The host name of a `Host` header (lower case, no port, no brackets), or null when malformed. */
export function hostOfHeader(header: string | undefined): string | null {
  const match = header === undefined ? null : HOST_HEADER.exec(header.trim());
  if (!match) return null;
  return normalize(match[1] ?? match[2] ?? "");
}

/** Validate `allowedHosts` and build its matcher over `Host` header names. */
export function hostMatcher(allowed: unknown): (host: string) => boolean {
  if (!Array.isArray(allowed) || allowed.length === 0) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `allowedHosts must be a non-empty array of host names (e.g. ["metrics.example.org", ".internal", "*"]), got ${describeValue(allowed)}`,
    );
  }
  const exact = new Set<string>();
  const suffixes: string[] = [];
  let any = false;
  for (const entry of allowed) {
    if (typeof entry !== "string" || !HOST_PATTERN.test(entry)) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `allowedHosts entry ${describeValue(entry)} is not a host name, ".suffix", IP address or "*" (no ports, no schemes)`,
      );
    }
    const name = normalize(entry.replace(/^\[(.*)\]$/, "$1"));
    if (name === "*") any = true;
    else if (name.startsWith(".")) suffixes.push(name);
    else exact.add(name);
  }
  return (host) => any || exact.has(host) || suffixes.some((s) => host === s.slice(1) || host.endsWith(s));
}
