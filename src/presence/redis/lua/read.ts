/**
 * Reads, each after expiry (SPEC M1, S1): ARGV[6] = "list" | "get" | "self" | "size" | "version" |
 * "expire", ARGV[7] = key for "get". Results: list = {selves, rows} where selves = {{id, fields}...}
 * (this gateway first, then the others by id) and rows = {{key, fields}...} newest first; get / self
 * = fields or nil; size = rows + self rows; version = the change counter; expire = rows removed.
 */
export const READ_LUA = String.raw`
local now = clock()
local removed = sweep(now)
local op = ARGV[6]
if op == 'get' then
  local key = ARGV[7]
  if not exists(key) then return finish(now, false) end
  return finish(now, redis.call('HGETALL', row_key(key)))
elseif op == 'self' then
  if redis.call('EXISTS', self_key(GW)) == 0 then return finish(now, false) end
  return finish(now, self_row(GW, now))
elseif op == 'size' then
  return finish(now, redis.call('ZCARD', ORDER) + gateways())
elseif op == 'version' then
  return finish(now, redis.call('HGET', META, 'version') or '0')
elseif op == 'expire' then
  return finish(now, removed)
end
local ids = redis.call('ZRANGE', GATEWAYS, 0, -1)
table.sort(ids, function(a, b)
  if a == GW or b == GW then return a == GW and b ~= GW end
  return a < b
end)
local selves = {}
for _, id in ipairs(ids) do
  if redis.call('EXISTS', self_key(id)) == 1 then selves[#selves + 1] = { id, self_row(id, now) } end
end
local rows = {}
for _, key in ipairs(redis.call('ZREVRANGE', ORDER, 0, -1)) do
  rows[#rows + 1] = { key, redis.call('HGETALL', row_key(key)) }
end
return finish(now, { selves, rows })
`;
