/**
 * A closed-loop client (memtier_benchmark with --pipeline 1): each connection has one request
 * outstanding and sends the next one only when the reply to the previous one has arrived
 * (memtier's shard_connection: a request is sent when the previous response was processed).
 * The server side is one vCPU running one memcached worker thread, which serves the requests of
 * the connections bound to it (memcached hands each new connection to one worker thread,
 * dispatch_conn_new, round robin) in arrival order.
 *
 * Time a connection is "away": from the moment the vCPU finishes a reply until its next request
 * is ready on that vCPU: socket transfer both ways, the client's processing, wake-ups. The lab has
 * no network or client process; `roundTripNs` stands for all of it. The client measures an
 * operation's latency from sending the request to receiving the reply; the lab counts the whole
 * round trip in it (the client's own processing between a reply and the next request is included:
 * see the preset for why that is small).
 *
 * With one connection: the vCPU serves a request for `s` ns, then waits `roundTripNs` for the next
 * one: ops/s = 1 / (roundTripNs + s), latency = roundTripNs + s. With several, requests that arrive
 * while the vCPU is busy queue and their latency includes the wait.
 *
 * Hot path: two calls per operation, no allocation; the earliest-ready connection is found by a
 * linear scan (connections per vCPU are few: 1 in the published memcached setup).
 */
export class ClosedLoop {
  /** When each connection's next request is (or was) ready on this vCPU. */
  private readonly ready: Float64Array;
  /** The connection whose request is in service. */
  private cur = 0;

  constructor(
    readonly connections: number,
    readonly roundTripNs: number,
    startNs: number,
  ) {
    if (!Number.isInteger(connections) || connections < 1)
      throw new Error(`connections must be an integer >= 1, got ${connections}`);
    if (!(roundTripNs >= 0) || !Number.isFinite(roundTripNs))
      throw new Error(`roundTripNs must be a finite number >= 0, got ${roundTripNs}`);
    // Every connection sends its first request at the start (memtier starts all connections at once).
    this.ready = new Float64Array(connections).fill(startNs);
  }

  /**
   * The vCPU is free at `t`: it takes the request that has been ready longest (ties: the lowest
   * connection) and returns when its service starts, `t` or later (idle until a request is ready).
   */
  next(t: number): number {
    const r = this.ready;
    let best = 0;
    let at = r[0];
    for (let i = 1; i < r.length; i++) {
      if (r[i] < at) {
        at = r[i];
        best = i;
      }
    }
    this.cur = best;
    return at > t ? at : t;
  }

  /**
   * The request in service was answered at `t`: returns its latency as the client sees it (the
   * round trip, plus the time from its arrival to `t`: queueing and service), and the connection's
   * next request is ready at t + roundTripNs.
   */
  complete(t: number): number {
    const c = this.cur;
    const latency = t - this.ready[c] + this.roundTripNs;
    this.ready[c] = t + this.roundTripNs;
    return latency;
  }
}
