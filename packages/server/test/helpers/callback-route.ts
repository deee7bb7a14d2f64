import type { CallbackTemplate } from "../../src/domain/types.js";
import type { Store, TemplateInput } from "../../src/store/store.js";

export interface CallbackRouteOptions extends Partial<TemplateInput> {
  urls: TemplateInput["urls"];
  callbackKey: string;
  domainName: string;
  /** "" (the default) matches every AppName. */
  appName?: string;
}

/**
 * A callback template and the rule binding `domainName`/`appName` to it, with Tencent's
 * defaults for every field the test does not name: the route a callback test needs.
 */
export async function routeCallbacks(
  store: Store,
  { domainName, appName = "", ...template }: CallbackRouteOptions,
): Promise<CallbackTemplate> {
  const created = await store.templates.create({
    name: "test",
    description: "",
    recordExceptionLevels: [],
    previousKeys: [],
    retryPolicy: null,
    perStreamOrdering: false,
    ...template,
  });
  await store.rules.upsert({ domainName, appName, templateId: created.id });
  return created;
}
