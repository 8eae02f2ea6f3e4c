/**
 * touch (SPEC P7, S3): ARGV[6..] = keys. Existing rows get ts = now and move to the newest end (no
 * change recorded), then expiry runs. Result: nil.
 */
export const TOUCH_LUA = String.raw`
local now = clock()
for i = 6, #ARGV do
  local key = ARGV[i]
  if exists(key) then
    redis.call('HSET', row_key(key), 'ts', int(now))
    bump(key)
  end
end
sweep(now)
return finish(now, false)
`;
