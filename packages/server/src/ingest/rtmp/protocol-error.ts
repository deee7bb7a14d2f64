/**
 * A violation of the RTMP or AMF wire format, carrying the Tencent interruption `errcode` it is
 * reported as (Tencent 267/31083): 6 malformed RTMP, 7 a message over the size limit, 33 malformed AMF.
 * The pure protocol modules throw it; the session turns it into the end of the publish.
 */
export class RtmpProtocolError extends Error {
  override readonly name = "RtmpProtocolError";
  readonly errcode: 6 | 7 | 33;

  constructor(errcode: 6 | 7 | 33, message: string) {
    super(message);
    this.errcode = errcode;
  }
}
