/**
 * The `event_type` values Tencent Cloud CSS documents, by name.
 *
 * @example
 * if (event.event_type === EventType.Interruption) console.log(event.errcode);
 */
export const EventType = {
  /** Push interrupted (断流), `StreamEndNotifyUrl`. */
  Interruption: 0,
  /** Push started (推流), `StreamBeginNotifyUrl`. */
  Push: 1,
  /** A new recording file is complete (录制), `RecordNotifyUrl`. */
  RecordFile: 100,
  /** A new screenshot (截图), `SnapshotNotifyUrl`. */
  Snapshot: 200,
  /** Pull-and-relay task progress (拉流转推), the task's own `CallbackUrl`. */
  Relay: 314,
  /** Audio moderation (音频审核), `AudioAuditNotifyUrl`. */
  AudioModeration: 315,
  /** Image moderation, formerly porn detection (鉴黄), `PornCensorshipNotifyUrl`. */
  PornDetection: 317,
  /** Push exception report (推流异常), `PushExceptionNotifyUrl`. */
  PushException: 321,
  /** Recording status (录制状态), `RecordStatusNotifyUrl`. */
  RecordStatus: 332,
  /** Recording exception (录制异常), `RecordExceptionNotifyUrl`. */
  RecordException: 341,
} as const;

/** A known `event_type` number. */
export type KnownEventType = (typeof EventType)[keyof typeof EventType];

const known = new Set<number>(Object.values(EventType));

/** True when Tencent documents this `event_type` and this package has a typed variant for it. */
export function isKnownEventType(value: number): value is KnownEventType {
  return known.has(value);
}

/**
 * Event types whose documented samples carry no `t`/`sign` (Tencent 267/42525, 267/58643,
 * 267/53310). A receiver accepts them unsigned only when told to with `allowUnsigned`.
 */
export const UNSIGNED_IN_TENCENT_SAMPLES: readonly KnownEventType[] = [
  EventType.Relay,
  EventType.AudioModeration,
  EventType.PushException,
];
