import type { CallbackRule } from "./types.js";

/**
 * The rule for a publish: an exact (domain, AppName) rule wins over the domain-wide rule
 * (AppName ""). Domain names compare case-insensitively, AppNames exactly (they are URL paths).
 */
export function matchRule(
  rules: readonly CallbackRule[],
  domainName: string,
  appName: string,
): CallbackRule | undefined {
  const domain = domainName.toLowerCase();
  const forDomain = rules.filter((r) => r.domainName.toLowerCase() === domain);
  return forDomain.find((r) => r.appName === appName) ?? forDomain.find((r) => r.appName === "");
}
