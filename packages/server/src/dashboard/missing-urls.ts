import type { CallbackUrlMissing, NodeEvents } from "../observability/node-events.js";
import type { MissingUrlWarning } from "./wire-types.js";

/** Warnings kept at most; one per (template, event type), so a real node has a handful. */
const MAX_WARNINGS = 100;

/**
 * The "callback.url-missing" warnings this node has told since it started, for the overview: a
 * template matched an event but has no URL for its type, so the event went nowhere.
 */
export function collectMissingUrls(nodeEvents: NodeEvents): () => MissingUrlWarning[] {
  const warnings: MissingUrlWarning[] = [];
  nodeEvents.on("callback.url-missing", (m: CallbackUrlMissing) => {
    if (warnings.length >= MAX_WARNINGS) return;
    warnings.push({
      TemplateId: m.templateId,
      TemplateName: m.templateName,
      EventType: m.eventType,
      UrlField: m.urlField,
      StreamName: `${m.domainName}/${m.appName}/${m.streamId}`,
      Time: m.at.toISOString(),
    });
  });
  return () => [...warnings];
}
