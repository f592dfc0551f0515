import { isIP } from "node:net";
import { InvalidArgumentError } from "commander";

/**
 * `--host`: an address or host name to bind. An empty value is refused, since
 * Node would read it as "every interface" and open the API to the network.
 */
export function parseHost(value: string): string {
  const host = value.trim();
  if (host === "") {
    throw new InvalidArgumentError(
      "Expected an address to bind, such as 127.0.0.1 (the default) or 0.0.0.0 with --allow-open.",
    );
  }
  if (!/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.:-]+)$/.test(host)) {
    throw new InvalidArgumentError("Expected an IP address or a host name, without scheme or port.");
  }
  return host.replace(/^\[(.*)\]$/, "$1");
}

/** Whether binding `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  if (isIP(name) === 6) return name === "::1" || /^(?:0:){7}1$/.test(name) || /^::ffff:127\./.test(name);
  return false;
}
