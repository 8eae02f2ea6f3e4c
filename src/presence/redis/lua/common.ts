/**
 * The Lua shared by every script of the Redis presence store: key names, the cluster clock, rows,
 * the K3 merge, expiry (S1), eviction (S2), P6 release, and change records (E1). Each script is this
 * prelude plus its own body (./index.ts); Redis runs a script atomically, so no other gateway's write
 * can fall between a read and the write built on it.
 *
 * Calling convention (every script): KEYS[1] = `<prefix>:meta` (also the key a Redis Cluster routes
 * by), ARGV[1] = prefix, ARGV[2] = this gateway's id, ARGV[3] = the gateway's clock (ms), ARGV[4] =
 * ttlMs, ARGV[5] = maxEntries; the script's own arguments follow from ARGV[6]. Every script returns
 * `{changesJson, now, result}`: changesJson is also PUBLISHed on `<prefix>:changes` when not empty
 * (it carries `r: 1` when a row's ts was refreshed without a change, so other gateways' cached listings go).
 *
 * Data model (docs/cluster.md): `<prefix>:row:<key>` hash of a row's fields with `ts`;
 * `<prefix>:order` sorted set key -> write sequence (the write order is the ts order, as in the memory
 * store); `<prefix>:gateways` sorted set gatewayId -> last heartbeat (Redis TIME, ms);
 * `<prefix>:self:<gatewayId>` hash of a gateway's self row (no ts: fresh in every listing);
 * `<prefix>:conns` hash key -> open connections on every gateway; `<prefix>:held:<gatewayId>` hash
 * key -> open connections on that gateway; `<prefix>:ips` set of keys whose ip a beacon reported;
 * `<prefix>:meta` hash: version (change counter), seq (write sequence), lastTs, clock (test offset).
 */
export const COMMON_LUA = String.raw`
local P, GW = ARGV[1], ARGV[2]
local ARG_NOW, TTL, MAX = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local META = KEYS[1]
local ORDER, GATEWAYS, CONNS, IPS = P .. ':order', P .. ':gateways', P .. ':conns', P .. ':ips'
local MAX_LIST = 32
local changes = {}
-- Set when a row's ts moved without a change (P7: a keep-alive touch, or expiry finding a row still
-- open): no change is recorded or pushed, but the other gateways must drop their cached listing.
local refreshed = false

local function int(n) return string.format('%.0f', n) end
local function row_key(key) return P .. ':row:' .. key end
local function self_key(id) return P .. ':self:' .. id end
local function held_key(id) return P .. ':held:' .. id end

-- Redis' own time in ms: heartbeats use it, so gateways with skewed clocks agree on who is dead.
local function real_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The cluster clock: the caller's time, never below the latest ts handed out (so ts never
-- decreases and the write order is the ts order, cluster-wide).
local function clock()
  local last = tonumber(redis.call('HGET', META, 'lastTs') or '0')
  local t = math.floor(ARG_NOW)
  if t > last then
    redis.call('HSET', META, 'lastTs', int(t))
    return t
  end
  return last
end

local function record(kind, key, flat)
  local v = redis.call('HINCRBY', META, 'version', 1)
  changes[#changes + 1] = { kind, key, v, flat }
end

local function exists(key) return redis.call('ZSCORE', ORDER, key) ~= false end
local function open_count(key) return tonumber(redis.call('HGET', CONNS, key) or '0') end
local function gateways() return redis.call('ZCARD', GATEWAYS) end

-- Moves a row to the newest end of the write order.
local function bump(key) redis.call('ZADD', ORDER, redis.call('HINCRBY', META, 'seq', 1), key) end

local function remove(kind, key)
  local flat = redis.call('HGETALL', row_key(key))
  redis.call('DEL', row_key(key))
  redis.call('ZREM', ORDER, key)
  redis.call('SREM', IPS, key)
  record(kind, key, flat)
end

local function evict_oldest()
  local oldest = redis.call('ZRANGE', ORDER, 0, 0)[1]
  if oldest then remove('evict', oldest) end
end

-- S1: removes rows more than TTL old; a row with an open connection on a live gateway is alive
-- (P7) and moves to the newest end instead.
local function sweep(now)
  local cutoff, removed = now - TTL, 0
  while true do
    local oldest = redis.call('ZRANGE', ORDER, 0, 0)[1]
    if not oldest then break end
    local ts = tonumber(redis.call('HGET', row_key(oldest), 'ts') or '0')
    if ts >= cutoff then break end
    if open_count(oldest) > 0 then
      redis.call('HSET', row_key(oldest), 'ts', int(now))
      bump(oldest)
      refreshed = true
    else
      remove('expire', oldest)
      removed = removed + 1
    end
  end
  return removed
end

-- roles / scopes: JSON arrays of strings. Union in first-seen order; over MAX_LIST items, the oldest
-- stored items the update does not name go first (the same rule as merge.ts unionList).
local function decode_list(s)
  if not s then return {} end
  local ok, t = pcall(cjson.decode, s)
  if ok and type(t) == 'table' then return t end
  return {}
end

local function encode_list(t)
  local parts = {}
  for i, v in ipairs(t) do parts[i] = cjson.encode(v) end
  return '[' .. table.concat(parts, ',') .. ']'
end

local function union(stored, incoming)
  local seen, merged = {}, {}
  for _, list in ipairs({ stored, incoming }) do
    for _, v in ipairs(list) do
      if not seen[v] then
        seen[v] = true
        merged[#merged + 1] = v
      end
    end
  end
  local excess = #merged - MAX_LIST
  if excess <= 0 then return merged end
  local wanted = {}
  for i = math.max(1, #incoming - MAX_LIST + 1), #incoming do wanted[incoming[i]] = true end
  local out = {}
  for _, v in ipairs(merged) do
    if excess > 0 and not wanted[v] then excess = excess - 1 else out[#out + 1] = v end
  end
  local from = #out - MAX_LIST
  if from <= 0 then return out end
  local cut = {}
  for i = from + 1, #out do cut[#cut + 1] = out[i] end
  return cut
end

-- K3: writes the fields of pairs (name, value, ...; checked by the gateway) into hash hkey: present
-- fields overwrite, absent ones stay, roles/scopes are unions.
local function merge(hkey, pairs)
  local args = {}
  for i = 1, #pairs, 2 do
    local name, value = pairs[i], pairs[i + 1]
    if name == 'roles' or name == 'scopes' then
      value = encode_list(union(decode_list(redis.call('HGET', hkey, name)), decode_list(value)))
    end
    args[#args + 1] = name
    args[#args + 1] = value
  end
  if #args > 0 then redis.call('HSET', hkey, unpack(args)) end
end

-- The upsert of K3 and S2: a new key at the cap evicts the oldest row (never a self row). Returns
-- the row's fields, or nil when there is no room at all (self rows fill the cap): nothing stored.
local function write(now, key, pairs, reported)
  if not exists(key) then
    local room = MAX - gateways()
    if room <= 0 then return nil end
    while redis.call('ZCARD', ORDER) >= room do evict_oldest() end
  end
  local hkey = row_key(key)
  merge(hkey, pairs)
  redis.call('HSET', hkey, 'ts', int(now))
  bump(key)
  if reported then redis.call('SADD', IPS, key) end
  local flat = redis.call('HGETALL', hkey)
  record('upsert', key, flat)
  return flat
end

-- P6: reason disconnect and a fresh ts; a row already gone stays gone.
local function disconnect(now, key)
  if not exists(key) then return nil end
  local hkey = row_key(key)
  redis.call('HSET', hkey, 'reason', 'disconnect', 'ts', int(now))
  bump(key)
  local flat = redis.call('HGETALL', hkey)
  record('disconnect', key, flat)
  return flat
end

-- n connections holding key closed: when none is left on any gateway, the row is disconnected.
local function release(now, key, n)
  local left = redis.call('HINCRBY', CONNS, key, -n)
  if left > 0 then return nil end
  redis.call('HDEL', CONNS, key)
  return disconnect(now, key)
end

-- A self row as listed: its fields plus ts = now (P1: fresh in every listing).
local function self_row(id, now)
  local flat = redis.call('HGETALL', self_key(id))
  flat[#flat + 1] = 'ts'
  flat[#flat + 1] = int(now)
  return flat
end

-- Joins the cluster (or refreshes the heartbeat); a gateway that is new takes a place under the cap.
-- token: this process' random id, so two processes given the same gateway id can be told apart.
local function register(real, token)
  if redis.call('ZSCORE', GATEWAYS, GW) == false then
    while redis.call('ZCARD', ORDER) > 0 and redis.call('ZCARD', ORDER) + gateways() >= MAX do evict_oldest() end
  end
  redis.call('ZADD', GATEWAYS, real, GW)
  redis.call('HSET', P .. ':owners', GW, token)
end

-- A gateway leaves (closed, or dead: no heartbeat): its self row goes and its open connections
-- close (P6), so their rows become disconnect rows that expire as usual.
local function leave(id, now)
  local flat = self_row(id, now)
  local had_self = redis.call('EXISTS', self_key(id)) == 1
  redis.call('DEL', self_key(id))
  redis.call('ZREM', GATEWAYS, id)
  redis.call('HDEL', P .. ':owners', id)
  if had_self then record('expire', '@Self:' .. id, flat) end
  local held = redis.call('HGETALL', held_key(id))
  redis.call('DEL', held_key(id))
  for i = 1, #held, 2 do release(now, held[i], tonumber(held[i + 1])) end
  return #held / 2
end

-- The message {g, c = changes, r = 1 when rows were refreshed} is published when there is either.
local function finish(now, result)
  local json = ''
  if #changes > 0 or refreshed then
    local message = { g = GW }
    if #changes > 0 then message.c = changes end
    if refreshed then message.r = 1 end
    json = cjson.encode(message)
    redis.call('PUBLISH', P .. ':changes', json)
  end
  return { json, int(now), result }
end
`;
