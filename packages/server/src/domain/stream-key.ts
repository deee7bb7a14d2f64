/**
 * One live stream's identity everywhere in OnAir: the push domain, the AppName and the
 * StreamName of `rtmp://<domainName>/<appName>/<streamName>` (Tencent's `app`, `appname` and
 * `stream_id` fields of every callback, Tencent 267/47025).
 */
export interface StreamKey {
  readonly domainName: string;
  readonly appName: string;
  readonly streamName: string;
}

/**
 * The key as one string, for logs and map keys: `domain/app/stream`. Unambiguous because none of
 * the three may contain `/`.
 *
 * @example
 * streamKeyText({ domainName: "push.example.com", appName: "live", streamName: "cam1" })
 * // "push.example.com/live/cam1"
 */
export function streamKeyText(key: StreamKey): string {
  return `${key.domainName}/${key.appName}/${key.streamName}`;
}
