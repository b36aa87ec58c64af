-- Lookup-or-lease (memcached's "mg <key> N R", Facebook's lease-get): one round trip answers
-- a read with the value, or with who loads it: this caller (the lease is its own now) or the
-- current holder, with the time its lease has left.
-- KEYS[1] value key, KEYS[2] lease key, KEYS[3] outcome key
-- ARGV[1] a new token, ARGV[2] lease time (ms), ARGV[3] the caller's clock (ms),
-- ARGV[4] 'read' (value first) or 'lease' (the lease only: a refresh of a value still fresh)
-- Returns {kind, entry, claim, token, ttl}, H and A only what they carry: kind H (a fresh value
-- or a cached "no such user"), M (no fresh value: a miss, or a value past its soft expiry that the
-- caller already holds, with a claim for the load), A (no such user: the last holder found none,
-- under a moment ago); claim L (the lease is the caller's: token is ARGV[1]) or B (busy: token is
-- the holder's, ttl its lease's time left); '' stands for nothing.
local function claim()
  if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return {'M', '', 'L', ARGV[1], tonumber(ARGV[2])}
  end
  return {'M', '', 'B', redis.call('GET', KEYS[2]) or '', redis.call('PTTL', KEYS[2])}
end

if ARGV[4] == 'lease' then
  return claim()
end
local value = redis.call('GET', KEYS[1])
if value then
  local kind = string.sub(value, 1, 1)
  if kind == 'N' then
    return {'H', value}
  end
  if kind == 'V' then
    if tonumber(string.match(value, '^V|(%d+)|')) > tonumber(ARGV[3]) then
      return {'H', value}
    end
    return claim()
  end
  -- T: a write's tombstone, a miss
end
if redis.call('GET', KEYS[3]) == 'A' then
  return {'A'}
end
return claim()
