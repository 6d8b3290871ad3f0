/**
 * The run's virtual-time words (part of the simulation's layout, sim/simLayout.ts, which re-exports
 * this file; the control words are layout/control.ts's):
 *
 * time: Float64Array(TIME_WORDS)                       writers / readers
 *   TIME_QUANTUM_END   end of the current quantum (ns)  serial section / workers
 *   TIME_NEXT_SAMPLE   virtual time of the next sample  serial section
 *   TIME_NOW           virtual time reached (ns)        serial section / host
 *   TIME_PREV_T, TIME_PREV.., TIME_PREV_GP  the sampler's memory of the previous row (serial section;
 *                      whichever worker arrives last runs it, so this state must be shared)
 */

import { GS_WORDS } from './guestStats.ts';

export const TIME_QUANTUM_END = 0;
export const TIME_NEXT_SAMPLE = 1;
export const TIME_NOW = 2;
export const TIME_PREV_T = 3; //         virtual time of the previous sample row
export const TIME_PREV = 8; //          [TIME_PREV, + GS_WORDS): all-guest counter sums at the previous row
// TIME_PREV_GP (RCU grace periods at the previous row) and TIME_WORDS follow the GS_WORDS sums (guestStats.ts).
/** RCU grace periods at the previous sample row, after the previous row's GS_WORDS sums (derived, so a new counter moves it). */
export const TIME_PREV_GP = TIME_PREV + GS_WORDS;
export const TIME_WORDS = TIME_PREV_GP + 8;
