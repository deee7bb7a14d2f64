import { OnAirError } from "../errors.js";

const invalid = (message: string) => new OnAirError("ONAIR_ERR_INVALID_PARAMETER", message);

/**
 * Request headers saved next to a body: a JSON object (`{"webhook-id": "…"}`) or HTTP header
 * lines (`webhook-id: …`, as `curl -D` or a proxy log writes them; a request line is skipped).
 * Names come back lower-case.
 */
export function parseHeadersText(text: string): Record<string, string> {
  const trimmed = text.trim();
  const headers: Record<string, string> = {};
  if (trimmed.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw invalid(`headers file is not valid JSON: ${(err as Error).message}`);
    }
    for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
      if (typeof value === "string" || typeof value === "number")
        headers[name.toLowerCase()] = String(value);
      else if (Array.isArray(value)) headers[name.toLowerCase()] = value.map(String).join(", ");
    }
    return headers;
  }
  for (const line of trimmed.split(/\r?\n/)) {
    if (line.trim() === "" || /^(?:[A-Z]+ \S+ HTTP\/|HTTP\/)/.test(line)) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw invalid(`headers file: "${line}" is not "name: value"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
