/**
 * JSON request bodies with a nesting limit. `JSON.parse` itself copes with any depth, but
 * everything that walks the result recursively afterwards (parameter cleaning, validation,
 * `JSON.stringify` into the store) overflows the stack near 10,000 levels and the request became
 * a 500 with a logged stack. Counting brackets before parsing is linear, needs no recursion, and
 * refuses such a body as bad input. No OnAir body nests more than a handful of levels.
 */

import type { Logger } from "pino";

/** A body that is not JSON, or nests deeper than allowed; its message is safe to return. */
export class JsonInputError extends SyntaxError {
  override readonly name = "JsonInputError";
  constructor(
    message: string,
    /** True when the body was refused for its depth (the caller logs that limit). */
    readonly tooDeep = false,
  ) {
    super(message);
  }
}

/**
 * `JSON.parse` that refuses more than `maxDepth` (config `maxJsonDepth`) nested arrays and
 * objects, logging the refusal once per body as a warning without a stack.
 *
 * @example
 * const value = parseJson(body.toString("utf8"), { maxDepth: config.maxJsonDepth, logger, route: "api" });
 */
export function parseJson(
  text: string,
  options: { maxDepth: number; logger?: Logger | undefined; route: string },
): unknown {
  const { maxDepth } = options;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) {
        options.logger?.warn(
          { route: options.route, maxJsonDepth: maxDepth },
          "JSON body refused: nested deeper than maxJsonDepth",
        );
        throw new JsonInputError(`nests deeper than ${maxDepth} levels (maxJsonDepth)`, true);
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new JsonInputError((err as Error).message);
  }
}
