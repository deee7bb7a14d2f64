import assert from "node:assert/strict";
import { test } from "node:test";
import { expectTypeOf } from "expect-type";
import { createExpressHandler } from "../../src/adapters/express.js";
import {
  type CallbackEvent,
  EventType,
  type InterruptionEvent,
  type PornDetectionEvent,
  type PushEvent,
  type RecordFileEvent,
  type UnknownEvent,
  verify,
} from "../../src/index.js";

// These functions are type assertions: `tsc -b` fails the build when a narrowing is wrong, and the
// `@ts-expect-error` lines fail it when a wrong access compiles.
function narrowsWithSwitch(event: CallbackEvent): void {
  switch (event.event_type) {
    case EventType.Push:
      expectTypeOf(event).toEqualTypeOf<PushEvent>();
      expectTypeOf(event.sequence).toEqualTypeOf<string>();
      expectTypeOf(event.appid).toEqualTypeOf<number | undefined>();
      // @ts-expect-error push_duration exists only on interruptions
      void event.push_duration;
      break;
    case EventType.Interruption:
      expectTypeOf(event).toEqualTypeOf<InterruptionEvent>();
      expectTypeOf(event.push_duration).toEqualTypeOf<string | undefined>();
      expectTypeOf(event.errcode).toEqualTypeOf<number | undefined>();
      break;
    case EventType.RecordFile:
      expectTypeOf(event).toEqualTypeOf<RecordFileEvent>();
      expectTypeOf(event.file_size).toEqualTypeOf<number>();
      expectTypeOf(event.video_url).toEqualTypeOf<string>();
      // @ts-expect-error recordings have no pic_url
      void event.pic_url;
      break;
    case EventType.Snapshot:
      expectTypeOf(event.pic_url).toEqualTypeOf<string>();
      expectTypeOf(event.pic_full_url).toEqualTypeOf<string | undefined>();
      break;
    case EventType.PornDetection:
      expectTypeOf(event).toEqualTypeOf<PornDetectionEvent>();
      expectTypeOf(event.score).toEqualTypeOf<number[] | undefined>();
      expectTypeOf(event.type).toEqualTypeOf<number[]>();
      expectTypeOf(event.t).toEqualTypeOf<number | undefined>();
      break;
    case EventType.RecordException:
      expectTypeOf(event.exception.type).toEqualTypeOf<number>();
      break;
    case "unknown":
      expectTypeOf(event).toEqualTypeOf<UnknownEvent>();
      expectTypeOf(event.wire_event_type).toEqualTypeOf<number>();
      expectTypeOf(event.raw).toEqualTypeOf<Readonly<Record<string, unknown>>>();
      break;
  }
}

function narrowsWithIf(event: CallbackEvent): void {
  if (event.event_type === 1) {
    expectTypeOf(event.stream_param).toEqualTypeOf<string>();
  }
  if (event.event_type === 100) {
    expectTypeOf(event.duration).toEqualTypeOf<number>();
  }
  // @ts-expect-error without narrowing, variant fields are not accessible
  void event.sequence;
}

test("type tests compile, and verify returns a CallbackEvent", () => {
  expectTypeOf(verify).returns.toEqualTypeOf<CallbackEvent>();
  expectTypeOf(createExpressHandler).parameter(0).toHaveProperty("onEvent");
  assert.equal(typeof narrowsWithSwitch, "function");
  assert.equal(typeof narrowsWithIf, "function");
});
