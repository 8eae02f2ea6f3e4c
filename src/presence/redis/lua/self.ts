/**
 * setSelf (SPEC P1): ARGV[6] = this process' token, ARGV[7..] = field pairs. Joins the cluster (a
 * heartbeat, and a place under the cap: a full list evicts its oldest row), merges the fields into
 * this gateway's self row (reason defaults to "self"). A process that restarted under the same id
 * first closes the connections its previous life counted. Result: {the self row with ts = now, how many
 * keys its previous life held open}.
 */
export const SELF_LUA = String.raw`
local now = clock()
sweep(now)
local owner = redis.call('HGET', P .. ':owners', GW)
local closed = 0
if owner and owner ~= ARGV[6] then
  -- A new process under this id (a restart with the same --gateway-id): the connections the
  -- previous one counted are gone (P6).
  local held = redis.call('HGETALL', held_key(GW))
  redis.call('DEL', held_key(GW))
  for i = 1, #held, 2 do release(now, held[i], tonumber(held[i + 1])) end
  closed = #held / 2
end
register(real_ms(), ARGV[6])
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
merge(self_key(GW), fields)
if redis.call('HEXISTS', self_key(GW), 'reason') == 0 then redis.call('HSET', self_key(GW), 'reason', 'self') end
local row = self_row(GW, now)
record('upsert', '@Self:' .. GW, row)
return finish(now, { row, closed })
`;
