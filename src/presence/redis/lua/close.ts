/**
 * closeConnection / markDisconnected (SPEC P6). ARGV[6] = "close" | "mark", ARGV[7] = key.
 * "close": one connection of this gateway holding the key closed; the row is marked disconnected
 * only when no gateway has one open any more. A key this gateway does not hold (its connections were
 * already released, e.g. by survivors that thought it dead) changes nothing.
 * Result: the disconnected row's fields, or nil.
 */
export const CLOSE_LUA = String.raw`
local now = clock()
sweep(now)
local mode, key = ARGV[6], ARGV[7]
if mode == 'mark' then return finish(now, disconnect(now, key) or false) end
local mine = redis.call('HINCRBY', held_key(GW), key, -1)
if mine <= 0 then redis.call('HDEL', held_key(GW), key) end
if mine < 0 then return finish(now, false) end
return finish(now, release(now, key, 1) or false)
`;
