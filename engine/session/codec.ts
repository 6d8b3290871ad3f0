/**
 * Session file codec: SessionData <-> bytes (msgpack).
 *
 * Encoding: msgpackr with `moreTypes: true` (Float64Array columns travel as msgpack extension values,
 * byte-exact, NaN and -0 included) and `useRecords: false` (plain msgpack maps, so any msgpack tool can
 * read a session; no msgpackr-specific record structures). No structuredClone extension.
 *
 * decodeSession NEVER throws: every failure is a Result error with a message a user can act on:
 *   - larger than maxBytes (default SESSION_MAX_BYTES = 256 MiB) -> "too large"
 *   - not decodable msgpack, or trailing bytes                   -> "corrupt or truncated session file"
 *   - missing/wrong format tag                                    -> "not an Overcommit Lab session (foreign file)"
 *   - version above SESSION_VERSION                               -> "made by a newer version (vN); this build reads up to vM"
 *   - any field of the wrong shape                                -> "invalid session: <path>: <problem>"
 */
import { Packr } from 'msgpackr';
import { SESSION_FORMAT, type Result, type SessionData } from '../protocol.ts';
import { sessionError, validateSessionData } from './sessionSchema.ts';

/** 256 MiB: a long multi-run session is tens of MiB; anything bigger is refused before decoding. */
export const SESSION_MAX_BYTES = 256 * 1024 * 1024;

/** The file extension sessions use (dialogs, command line, drag-and-drop). */
export const SESSION_EXTENSION = 'msgpack';

export interface DecodeOptions {
  /** Refuse inputs larger than this many bytes (default SESSION_MAX_BYTES). */
  maxBytes?: number;
}

// One Packr per module: its options are the format. (It keeps a reusable scratch buffer, hence the copy.)
const packr = new Packr({ moreTypes: true, useRecords: false, structuredClone: false, int64AsType: 'number' });

/**
 * Encode a session. Throws (an Error named SessionEncodeError, with the problems) when the session would
 * not load back through decodeSession — e.g. a draft whose memory field was left empty mid-edit — so that
 * no file is ever written that this build would then refuse to open. Callers show the message and keep
 * the session in memory; nothing is lost.
 */
export function encodeSession(session: SessionData): Uint8Array {
  const check = validateSessionData(session);
  if (!check.ok) {
    const e = new Error(`this session would not open again, so it was not saved: ${check.error.message}`);
    e.name = 'SessionEncodeError';
    throw e;
  }
  const packed: Uint8Array = packr.pack(session);
  // Copy into a plain Uint8Array that owns its memory: msgpackr may hand out a view of a pooled buffer.
  return new Uint8Array(packed);
}

export function decodeSession(bytes: Uint8Array, options: DecodeOptions = {}): Result<SessionData> {
  const maxBytes = options.maxBytes ?? SESSION_MAX_BYTES;
  if (!(bytes instanceof Uint8Array)) return sessionError('corrupt', 'corrupt or truncated session file: no bytes');
  if (bytes.byteLength > maxBytes) {
    return sessionError(
      'too-large',
      `session file too large: ${formatMiB(bytes.byteLength)}, the limit is ${formatMiB(maxBytes)}`,
    );
  }
  if (bytes.byteLength === 0) return sessionError('corrupt', 'corrupt or truncated session file: the file is empty');
  // A session is exactly one msgpack value. Decode values one by one (at most two) so that:
  // a first value without our format tag is a foreign file (a JPEG, a JSON file, another tool's
  // msgpack), whatever follows it; a failure inside our own value, or trailing bytes after it, is corruption.
  const values: unknown[] = [];
  let failure: unknown = null;
  try {
    packr.unpackMultiple(bytes, (v: unknown) => {
      values.push(v);
      return values.length < 2;
    });
  } catch (e) {
    failure = e;
  }
  if (values.length > 0 && !hasSessionTag(values[0])) {
    // A JSON file decodes as msgpack fixint 123 ('{'), which the schema check calls "no format tag": true
    // but no help to someone who picked a preset or a config by mistake. Say what the file is instead.
    if (looksLikeJson(bytes))
      return sessionError(
        'foreign',
        'not an Overcommit Lab session (foreign file): it is JSON text (a preset or a config?); a session is ' +
          'the msgpack file the lab saves (Save, or lab run --out FILE.msgpack)',
      );
    return validateSessionData(values[0]); // -> foreign
  }
  if (failure !== null) return sessionError('corrupt', `corrupt or truncated session file: ${decodeFailure(failure)}`);
  if (values.length !== 1)
    return sessionError('corrupt', 'corrupt or truncated session file: trailing data after the session');
  return validateSessionData(values[0]);
}

/**
 * msgpackr's reason in our words: its messages advise on its own options ("decoded as a Map with
 * mapsAsObjects: false") or run to hundreds of characters, neither of which helps a user.
 */
function decodeFailure(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (e instanceof RangeError && /call stack/i.test(m)) return 'values are nested too deeply';
  if (/unexpected end|end of buffer|out of range|outside the bounds/i.test(m))
    return 'the file ends in the middle of a value';
  if (/non-string key|mapsAsObjects|property type/i.test(m)) return 'a map has a key that is not a string';
  if (/extension/i.test(m)) return 'it holds a msgpack extension this format does not use';
  if (/utf-?8|string/i.test(m)) return 'it holds a malformed string';
  return 'the bytes are not valid msgpack';
}

/** First byte other than whitespace (or a UTF-8 BOM) is '{' or '['. A session starts with a msgpack map byte. */
function looksLikeJson(bytes: Uint8Array): boolean {
  for (const b of bytes.subarray(0, 64)) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x7b || b === 0x5b;
  }
  return false;
}

function hasSessionTag(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { format?: unknown }).format === SESSION_FORMAT;
}

function formatMiB(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
