/**
 * The periodic tick of every gateway: ARGV[6] = deadAfterMs, ARGV[7] = "1" to run expiry, ARGV[8] =
 * this process' token.
 * Refreshes this gateway's heartbeat (only while it is registered: a gateway that was declared dead,
 * or whose Redis lost its data, must re-register with restore), removes gateways whose heartbeat is
 * older than deadAfterMs (their self rows go, their connections close: P6), then runs expiry (S1).
 * Result: {registered 0|1, the test clock offset, the change counter, 1 when another process
 * registered this gateway id since, {id, keys with connections it held, ...} of the gateways this tick removed}.
 */
export const TICK_LUA = String.raw`
local now = clock()
local real = real_ms()
local registered = redis.call('ZSCORE', GATEWAYS, GW) ~= false
if registered then redis.call('ZADD', GATEWAYS, real, GW) end
local dead = redis.call('ZRANGEBYSCORE', GATEWAYS, '-inf', '(' .. int(real - tonumber(ARGV[6])))
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
