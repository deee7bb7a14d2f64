import type { OnAirConfig } from "../config/schema.js";

/**
 * The lines `onair start` prints about who may do what with this configuration, so a default
 * that matters for security is never a surprise.
 *
 * @example
 * for (const line of startBanner(config)) process.stderr.write(`${line}\n`);
 */
export function startBanner(config: OnAirConfig): string[] {
  const { allowUnregisteredDomains, duplicatePublish } = config.ingest;
  const unregistered =
    allowUnregisteredDomains === "loopback"
      ? "unregistered push domains accepted from loopback publishers only"
      : allowUnregisteredDomains
        ? "unregistered push domains accepted from anywhere, without push auth"
        : "unregistered push domains refused";
  const replacing = {
    "replace-authenticated":
      "a live stream is replaced only by a publisher with the domain's push key (txSecret)",
    replace: "any second publisher replaces a live stream",
    reject: "a second publisher of a live stream is refused",
  }[duplicatePublish];
  return [
    `OnAir ingest policy: ${unregistered}; ${replacing} (ingest.allowUnregisteredDomains=${allowUnregisteredDomains}, ingest.duplicatePublish=${duplicatePublish})`,
  ];
}
