/**
 * The periodic tick of every gateway: ARGV[6] = deadAfterMs, ARGV[7] = "1" to run expiry, ARGV[8] =
 * this process' token, ARGV[9] = "1" once a tick of this process was answered (a process' first tick
 * moves no heartbeat, below).
 * Refreshes this gateway's heartbeat (only while it is registered: a gateway that was declared dead,
 * or whose Redis lost its data, must re-register with restore), removes gateways whose heartbeat is
 * older than deadAfterMs (their self rows go, their connections close: P6), then runs expiry (S1).
 * Heartbeats land only while Redis runs commands. When no gateway ticked for deadAfterMs / 2 (Redis
 * was frozen or overloaded; `tickAt` in META is the last tick of any gateway), every heartbeat is
 * moved on by that gap (never past now): the ticks queued in a frozen Redis run back to back when it
 * thaws, and the first of them would otherwise find every other gateway's heartbeat as old as the
 * freeze and declare them all dead (their rows disconnected, then written back by their restore).
 * A gateway that had stopped before the gap keeps the age it had. A process' first tick moves none:
 * when no gateway ticked because none ran (a whole cluster restarted after a crash), the heartbeats
 * left by the crashed processes are old, not frozen, and its first tick removes them at once (moved
 * on, they were listed with their connections for another deadAfterMs).
 * Result: {registered 0|1, the test clock offset, the change counter, 1 when another process
 * registered this gateway id since, {id, keys with connections it held, ...} of the gateways this tick removed}.
 */
export const TICK_LUA = String.raw`
local now = clock()
local real = real_ms()
local dead_after = tonumber(ARGV[6])
local last_tick = tonumber(redis.call('HGET', META, 'tickAt') or '0')
redis.call('HSET', META, 'tickAt', int(real))
if ARGV[9] == '1' and last_tick > 0 and real - last_tick > dead_after / 2 then
  local beats = redis.call('ZRANGE', GATEWAYS, 0, -1, 'WITHSCORES')
  for i = 1, #beats, 2 do redis.call('ZADD', GATEWAYS, int(math.min(tonumber(beats[i + 1]) + real - last_tick, real)), beats[i]) end
end
local registered = redis.call('ZSCORE', GATEWAYS, GW) ~= false
if registered then redis.call('ZADD', GATEWAYS, real, GW) end
local dead = redis.call('ZRANGEBYSCORE', GATEWAYS, '-inf', '(' .. int(real - dead_after))
local removed = {}
for _, id in ipairs(dead) do
  if id ~= GW then
    local keys = leave(id, now)
    removed[#removed + 1] = id
    removed[#removed + 1] = keys
  end
end
if ARGV[7] == '1' then sweep(now) end
local offset = redis.call('HGET', META, 'clock') or '0'
local owner = redis.call('HGET', P .. ':owners', GW)
local taken = registered and owner ~= false and owner ~= ARGV[8]
return finish(now, { registered and 1 or 0, offset, redis.call('HGET', META, 'version') or '0', taken and 1 or 0, removed })
`;
