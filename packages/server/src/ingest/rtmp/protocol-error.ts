import type { Errcode } from "@onair/callbacks";

/** The interruption errcodes a wire-format violation is reported as (Tencent 267/31083). */
export type ProtocolErrcode =
  | typeof Errcode.RtmpProtocolError
  | typeof Errcode.MessageTooLarge
  | typeof Errcode.AmfError;

/**
 * A violation of the RTMP or AMF wire format, carrying the Tencent interruption `errcode` it is
 * reported as: malformed RTMP (6), a message over the size limit (7), malformed AMF (33). The pure
 * protocol modules throw it; the session turns it into the end of the publish.
 */
export class RtmpProtocolError extends Error {
  override readonly name = "RtmpProtocolError";
  readonly errcode: ProtocolErrcode;

  constructor(errcode: ProtocolErrcode, message: string) {
    super(message);
    this.errcode = errcode;
  }
}
