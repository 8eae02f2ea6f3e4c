/**
 * Reconcile after an outage, or after Redis lost its data, or after the others declared this gateway
 * dead (SPEC P1, P6, and issue 12's "nothing a client still holds open is lost"). ARGV[6] = JSON:
 *   { v: change counter known here, o: clock offset known here, t: this process' token, self: self row pairs,
 *     rows: [{ k: key, n: connections open here, lr: the reason their connect wrote,
 *              base: pairs of the full local row, upd: pairs written here during the outage,
 *              cip: a connection address, rip: 1 when a beacon reported the ip }] }
 * The counters never go back. This gateway re-registers with its self row; its open connections
 * replace what Redis counted for it. A row Redis lost is written back from `base`; every row gets the
 * updates made during the outage (K3, in order); a row open somewhere is never marked disconnected,
 * and a key this gateway held before but no gateway holds now is (P6). Result: nil.
 */
export const RESTORE_LUA = String.raw`
local data = cjson.decode(ARGV[6])
for field, known in pairs({ version = data.v, clock = data.o }) do
  if tonumber(known) > tonumber(redis.call('HGET', META, field) or '0') then redis.call('HSET', META, field, known) end
end
local now = clock()
register(real_ms(), data.t)
merge(self_key(GW), data.self)
if redis.call('HEXISTS', self_key(GW), 'reason') == 0 then redis.call('HSET', self_key(GW), 'reason', 'self') end
record('upsert', '@Self:' .. GW, self_row(GW, now))

local held_before = redis.call('HGETALL', held_key(GW))
redis.call('DEL', held_key(GW))
for i = 1, #held_before, 2 do redis.call('HINCRBY', CONNS, held_before[i], -tonumber(held_before[i + 1])) end
for _, r in ipairs(data.rows) do
  if r.n > 0 then
    redis.call('HINCRBY', CONNS, r.k, r.n)
    redis.call('HSET', held_key(GW), r.k, r.n)
  end
end

local function without_disconnect(list)
  local out = {}
  for i = 1, #list, 2 do
    if not (list[i] == 'reason' and list[i + 1] == 'disconnect') then
      out[#out + 1] = list[i]
      out[#out + 1] = list[i + 1]
    end
  end
  return out
end

local function concat(...)
  local out = {}
  for _, list in ipairs({ ... }) do
    for i = 1, #list do out[#out + 1] = list[i] end
  end
  return out
end

for _, r in ipairs(data.rows) do
  local open = open_count(r.k) > 0
  local upd = r.upd or {}
  if open then upd = without_disconnect(upd) end
  local reported = r.rip == 1
  local add_ip = {}
  if r.cip and not reported and redis.call('SISMEMBER', IPS, r.k) == 0 then add_ip = { 'ip', r.cip } end
  -- A connection still open here keeps its row live (it may have been marked disconnected while
  -- the others thought this gateway dead): the reason its connect wrote.
  local live = {}
  if r.n > 0 then live = { 'reason', r.lr or 'connect' } end
  if not exists(r.k) then
    -- Lost by Redis: written back from the local copy. Without one the row went here too (evicted
    -- or expired while open): it stays gone, as it would on one gateway.
    if r.base or #upd > 0 then
      local base = r.base or {}
      if open then base = without_disconnect(base) end
      write(now, r.k, concat(live, base, upd, add_ip), reported)
    end
  else
    if r.n > 0 and redis.call('HGET', row_key(r.k), 'reason') == 'disconnect' then upd = concat(live, upd) end
    upd = concat(upd, add_ip)
    if #upd > 0 then write(now, r.k, upd, reported) end
  end
end

for i = 1, #held_before, 2 do
  local key = held_before[i]
  if open_count(key) <= 0 then
    redis.call('HDEL', CONNS, key)
    if exists(key) and redis.call('HGET', row_key(key), 'reason') ~= 'disconnect' then disconnect(now, key) end
  end
end
sweep(now)
return finish(now, false)
`;
