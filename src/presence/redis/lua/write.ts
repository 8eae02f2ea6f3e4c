/**
 * upsert / openConnection (SPEC K1-K4, P2, P5, P6, S2). ARGV[6] = "upsert" | "open",
 * ARGV[7] = key, ARGV[8] = "1" when the pairs carry a beacon-reported ip, ARGV[9] = the connection's
 * address ("" for none; written only when no beacon reported an ip for the key), ARGV[10..] = the
 * field pairs. "open" also counts one more open connection for the key, here and cluster-wide.
 * Result: the row's fields, or nil when no room at all (nothing stored).
 */
export const WRITE_LUA = String.raw`
local now = clock()
sweep(now)
local mode, key, reported, conn_ip = ARGV[6], ARGV[7], ARGV[8] == '1', ARGV[9]
if mode == 'open' then
  redis.call('HINCRBY', CONNS, key, 1)
  redis.call('HINCRBY', held_key(GW), key, 1)
end
local fields = {}
for i = 10, #ARGV do fields[#fields + 1] = ARGV[i] end
if conn_ip ~= '' and not reported and redis.call('SISMEMBER', IPS, key) == 0 then
  fields[#fields + 1] = 'ip'
  fields[#fields + 1] = conn_ip
end
return finish(now, write(now, key, fields, reported) or false)
`;
