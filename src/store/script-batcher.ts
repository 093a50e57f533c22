import type { Redis } from 'ioredis';
import { hasNonAscii } from './ascii-json.js';
import { runScript } from './lua.js';

/**
 * Many calls of one script in one EVALSHA. Every host run makes two store steps (start and end); at 50 runs at
 * once, sending each as its own command cost more than the steps themselves (a socket write, a command object and
 * a script dispatch each). Calls made while the previous group is on its way wait and go together in the next one,
 * as a group commit. Each call still runs as its own unit, in order, and gets its own result; one that raises a Lua
 * error fails alone (its writes before the error stay, as with a script on its own).
 */

/** Calls per group at most, and arguments per group at most: bounds on one script call's size. */
const MAX_CALLS = 64;
const MAX_ARGS = 20_000;

/**
 * The text of a batched script: `helpers` (Lua `local function`s) once, then `body` as a function of its own
 * `KEYS` and `ARGV`, called once per call. KEYS of the whole: each key any call uses, once (the calls of a group
 * share most of theirs: the batch's sets, the indexes, the streams). ARGV: the number of calls, then per call its
 * argument count, the positions of its keys in KEYS (one text, `3,1,7`) and its arguments. Returns one result per call: the body's
 * result, 0 for false or nothing, or {'ERR', message} when it raised an error.
 */
export function batchedScript(helpers: string, body: string): string {
  return `${helpers}
local function call(KEYS, ARGV)
${body}
end
local results = {}
local ai = 2
for c = 1, tonumber(ARGV[1]) do
  local na = tonumber(ARGV[ai])
  local keys, args = {}, {}
  for index in string.gmatch(ARGV[ai + 1], '%d+') do keys[#keys + 1] = KEYS[tonumber(index)] end
  for j = 1, na do args[j] = ARGV[ai + 1 + j] end
  ai = ai + 2 + na
  local ok, result = pcall(call, keys, args)
  if not ok then
    local message = result
    if type(result) == 'table' then message = result.err or tostring(result) end
    results[c] = {'ERR', tostring(message)}
  else
    results[c] = result or 0
  end
end
return results`;
}

interface PendingCall {
  keys: readonly string[];
  args: readonly string[];
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

export interface ScriptBatcher {
  /** Runs one call of the batched script; resolves with its own result (0 for false or nothing). */
  call(keys: readonly string[], args: readonly string[]): Promise<unknown>;
}

const batchers = new WeakMap<Redis, Map<string, ScriptBatcher>>();

/** The batcher of `script` (from `batchedScript`) on this connection, shared by every caller in the process. */
export function scriptBatcher(redis: Redis, script: string): ScriptBatcher {
  let byScript = batchers.get(redis);
  if (byScript === undefined) {
    byScript = new Map();
    batchers.set(redis, byScript);
  }
  let batcher = byScript.get(script);
  if (batcher === undefined) {
    batcher = createScriptBatcher(redis, script);
    byScript.set(script, batcher);
  }
  return batcher;
}

function createScriptBatcher(redis: Redis, script: string): ScriptBatcher {
  let pending: PendingCall[] = [];
  let sending = false;
  let scheduled = false;

  const send = async (): Promise<void> => {
    scheduled = false;
    sending = true;
    try {
      while (pending.length > 0) {
        let take = 0;
        let argCount = 0;
        while (take < pending.length && take < MAX_CALLS && (take === 0 || argCount + pending[take]!.args.length + pending[take]!.keys.length <= MAX_ARGS)) {
          argCount += pending[take]!.args.length + pending[take]!.keys.length;
          take += 1;
        }
        const group = pending.slice(0, take);
        pending = pending.slice(take);
        await sendGroup(group);
      }
    } finally {
      sending = false;
    }
  };

  const sendGroup = async (group: PendingCall[]): Promise<void> => {
    const keys: string[] = [];
    const positions = new Map<string, number>();
    const args: Array<string | Buffer> = [String(group.length)];
    for (const call of group) {
      const own: number[] = [];
      for (const key of call.keys) {
        let position = positions.get(key);
        if (position === undefined) {
          keys.push(key);
          position = keys.length;
          positions.set(key, position);
        }
        own.push(position);
      }
      args.push(String(call.args.length), own.join(','));
      // A text beyond ASCII that is not JSON (a reason, a note) goes as bytes: in the one command string it would
      // make all of it two-byte (see ascii-json.ts).
      for (const arg of call.args) args.push(hasNonAscii(arg) ? Buffer.from(arg) : arg);
    }
    let results: unknown[];
    try {
      results = (await runScript(redis, script, keys, args)) as unknown[];
    } catch (error) {
      for (const call of group) call.reject(error);
      return;
    }
    group.forEach((call, index) => {
      const result = results[index];
      if (Array.isArray(result) && result[0] === 'ERR' && result.length === 2) call.reject(new Error(`store script failed: ${String(result[1])}`));
      else call.resolve(result);
    });
  };

  return {
    call(keys, args) {
      return new Promise((resolve, reject) => {
        pending.push({ keys, args, resolve, reject });
        // Wait for the rest of this turn's calls (they arrive together when Redis answers many at once), unless a
        // group is on its way: then the next group goes as soon as it is back.
        if (!sending && !scheduled) {
          scheduled = true;
          setImmediate(() => void send());
        }
      });
    },
  };
}
