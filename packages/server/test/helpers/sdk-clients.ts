import { Agent, type AgentOptions } from "node:http";
import { connect, type Socket } from "node:net";
import { live } from "tencentcloud-sdk-nodejs/tencentcloud/services/live/index.js";

export const LiveClient = live.v20180801.Client;
export type LiveClient = InstanceType<typeof LiveClient>;
export interface Credential {
  secretId: string;
  secretKey: string;
}

/** Sends every connection to 127.0.0.1:port, whatever host the URL names. */
export class LoopbackAgent extends Agent {
  readonly #port: number;
  constructor(port: number, options?: AgentOptions) {
    super(options);
    this.#port = port;
  }
  override createConnection(): Socket {
    return connect(this.#port, "127.0.0.1");
  }
}

/**
 * The SDK pointed at OnAir the first way docs/api.md gives: endpoint
 * `127.0.0.1:PORT` over http.
 */
export function endpointClient(port: number, credential: Credential): LiveClient {
  return new LiveClient({
    credential,
    region: "",
    profile: {
      httpProfile: { endpoint: `127.0.0.1:${port}`, protocol: "http://", reqTimeout: 10 },
    },
  });
}

/** The second way: the real endpoint, connected to OnAir by an agent. */
export function agentClient(port: number, credential: Credential): LiveClient {
  return new LiveClient({
    credential,
    region: "ap-guangzhou",
    profile: {
      httpProfile: { protocol: "http://", reqTimeout: 10, agent: new LoopbackAgent(port) },
    },
  });
}
