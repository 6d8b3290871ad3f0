/**
 * The reclaim policy of one lruvec (the lab's choice of LRU: MGLRU, mm/vmscan.c lru_gen_*; the active /
 * inactive lists, shrink_active_list / shrink_inactive_list; and two non-kernel references, exact LRU and
 * CLOCK), built over the node's list links by Pgdat for each of its lruvecs, with its aging gate.
 */
import type { ScenarioConfig } from '../../../protocol.ts';
import type { DList } from '../../sim/dlist.ts';
import { ActiveInactive } from './activeInactive.ts';
import { AgingGate, GATE_WORDS } from './agingGate.ts';
import { Clock } from './clock.ts';
import { ExactLru } from './exactLru.ts';
import { Mglru } from './mglru.ts';
import type { Policy } from './policy.ts';

/**
 * A lruvec's policy; its counters in `ps.state` and its aging gate's in `nodeState` at `ps.gateAt`
 * (GATE_WORDS), initialised unless a shared lruvec was built already (`ps.fresh` false).
 */
export function makePolicy(
  config: ScenarioConfig,
  list: DList,
  tag: Int16Array,
  folioFlags: Uint8Array,
  first: number,
  end: number,
  headBase: number,
  stats: Float64Array,
  sb: number,
  nodeState: Float64Array,
  ps: { state: Float64Array; gateAt: number; fresh: boolean; filters: Uint8Array; ctrl?: Int32Array | null },
): Policy {
  const policy = config.reclaim.policy;
  if (ps.gateAt + GATE_WORDS > nodeState.length) throw new Error('lruvec state: no room for the aging gate');
  const gate = new AgingGate(config.reclaim.agingIntervalMs * 1e6, nodeState, ps.gateAt, ps.fresh);
  switch (policy) {
    case 'exact-lru':
      return new ExactLru(list, headBase, ps.state, ps.fresh);
    case 'clock':
      return new Clock(list, headBase, ps.state, ps.fresh);
    case 'active-inactive':
      return new ActiveInactive(
        list,
        tag,
        headBase,
        stats,
        sb,
        gate,
        ps.state,
        ps.fresh,
        config.host.scale ?? 1,
        folioFlags,
      );
    case 'mglru':
      return new Mglru(
        list,
        tag,
        first,
        end,
        headBase,
        stats,
        sb,
        gate,
        ps.state,
        ps.fresh,
        folioFlags,
        ps.filters,
        ps.ctrl ?? null,
      );
    default: {
      const never: never = policy;
      throw new Error(`unexpected reclaim policy ${String(never)}`);
    }
  }
}
