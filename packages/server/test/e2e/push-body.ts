import { buildPushEvent } from "@onair/callbacks";

/** A push body for stream `s<i>` of `domain`, with a sequence unique per (base, i). */
export function pushBody(
  domain: string,
  i: number,
  sequenceBase: bigint,
): Record<string, unknown> & { event_type: number } {
  return buildPushEvent({
    appid: 1,
    app: domain,
    appname: "live",
    stream_id: `s${i}`,
    event_time: Math.floor(Date.now() / 1000),
    sequence: String(sequenceBase + BigInt(i)),
    node: "127.0.0.1",
    user_ip: "127.0.0.1",
    stream_param: "",
    set_id: 2,
    idc_id: 0,
  }) as unknown as Record<string, unknown> & { event_type: number };
}
