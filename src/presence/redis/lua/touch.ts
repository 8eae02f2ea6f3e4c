/**
 * touch (SPEC P7, S3): ARGV[6..] = keys. Existing rows get ts = now and move to the newest end (no
 * change recorded, nothing pushed), then expiry runs. A refresh is still published (`r: 1`): every
 * other gateway's cached listing has the row's old ts, and eviction (S2) and expiry (S1) go by the
 * new one. Result: nil.
 */
export const TOUCH_LUA = String.raw`
local now = clock()
for i = 6, #ARGV do
  local key = ARGV[i]
  if exists(key) then
    redis.call('HSET', row_key(key), 'ts', int(now))
    bump(key)
    refreshed = true
  end
end
sweep(now)
return finish(now, false)
`;
