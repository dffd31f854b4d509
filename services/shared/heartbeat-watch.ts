/**
 * Detects a wedged MongoDB server monitor from the driver's heartbeat events (pure; store-client.ts wires it).
 *
 * Every driver heartbeat ends in a success or a failure within its own timeouts (connect plus handshake, each
 * `connectTimeoutMS`). A heartbeat that has neither ended after `stallMs` will never end: the driver's monitor
 * waits for it before it checks the server again, so a server that went away and came back stays "unreachable"
 * for the client's whole life. Seen with mongodb 7.9 against FerretDB stopping mid-heartbeat (fault case 4).
 */

/** The heartbeats in flight per server address, and which of them have stalled. */
export class HeartbeatWatch {
  private readonly inFlight = new Map<string, number>();
  private readonly stallMs: number;

  constructor(stallMs: number) {
    this.stallMs = stallMs;
  }

  /** A heartbeat to `address` started at `nowMs`. */
  started(address: string, nowMs: number): void {
    this.inFlight.set(address, nowMs);
  }

  /** The heartbeat to `address` ended (succeeded or failed). */
  ended(address: string): void {
    this.inFlight.delete(address);
  }

  /** The addresses whose heartbeat has been in flight for longer than `stallMs` at `nowMs`, with how long. */
  stalled(nowMs: number): { address: string; forMs: number }[] {
    const out: { address: string; forMs: number }[] = [];
    for (const [address, since] of this.inFlight) if (nowMs - since > this.stallMs) out.push({ address, forMs: nowMs - since });
    return out;
  }

  /** Forgets every heartbeat (after the client was reconnected: its monitors are new). */
  clear(): void {
    this.inFlight.clear();
  }
}

/** The stall threshold for a client: a heartbeat's longest legitimate duration (connect + handshake) plus margin. */
export function stallThresholdMs(connectTimeoutMs: number): number {
  return 2 * connectTimeoutMs + 5_000;
}
