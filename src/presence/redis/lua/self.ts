/**
 * setSelf (SPEC P1): ARGV[6] = this process' token, ARGV[7..] = field pairs. Joins the cluster (a heartbeat, and a place under the
 * cap: a full list evicts its oldest row), merges the fields into this gateway's self row (reason
 * defaults to "self"). Result: the self row with ts = now.
 */
export const SELF_LUA = String.raw`
local now = clock()
sweep(now)
register(real_ms(), ARGV[6])
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
merge(self_key(GW), fields)
if redis.call('HEXISTS', self_key(GW), 'reason') == 0 then redis.call('HSET', self_key(GW), 'reason', 'self') end
local row = self_row(GW, now)
record('upsert', '@Self:' .. GW, row)
return finish(now, row)
`;
