/**
 * The Lua scripts of the Redis presence store, each the shared prelude (common.ts) plus its body.
 * They are TypeScript strings, so they ship in dist/ with the code; ioredis runs them with EVALSHA
 * (and loads them again by itself after a Redis restart: NOSCRIPT -> EVAL).
 */
import { ADVANCE_LUA } from "./advance.js";
import { CLOSE_LUA } from "./close.js";
import { COMMON_LUA } from "./common.js";
import { LEAVE_LUA } from "./leave.js";
import { READ_LUA } from "./read.js";
import { RESTORE_LUA } from "./restore.js";
import { SELF_LUA } from "./self.js";
import { TICK_LUA } from "./tick.js";
import { TOUCH_LUA } from "./touch.js";
import { WRITE_LUA } from "./write.js";

const BODIES = {
  presenceWrite: WRITE_LUA,
  presenceClose: CLOSE_LUA,
  presenceTouch: TOUCH_LUA,
  presenceRead: READ_LUA,
  presenceSelf: SELF_LUA,
  presenceTick: TICK_LUA,
  presenceAdvance: ADVANCE_LUA,
  presenceRestore: RESTORE_LUA,
  presenceLeave: LEAVE_LUA,
} as const;

export type ScriptName = keyof typeof BODIES;

/** Every script's full source (for ioredis `defineCommand`, one key: the meta hash). */
export const SCRIPTS: Record<ScriptName, string> = Object.fromEntries(
  Object.entries(BODIES).map(([name, body]) => [name, `${COMMON_LUA}\n${body}`]),
) as Record<ScriptName, string>;
