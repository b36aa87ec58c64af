-- Prelude of every lease script. A lease is either herdlab's string lease (the key's value
-- is the holder's token) or a Redisson lock (a hash whose field names the holder).
-- holds() checks the script's own lease: KEYS[1] the lease key, ARGV[1] the token, ARGV[2] the
-- hash field ('' = string lease); holds_lease(key, token, field) any one (renew.lua, many at once).
local function holds_lease(key, token, field)
  if field == '' then
    return redis.call('GET', key) == token
  end
  return redis.call('HEXISTS', key, field) == 1
end

local function holds()
  return holds_lease(KEYS[1], ARGV[1], ARGV[2])
end

-- A notice on the fills channel (publish_command: publish.lua or, on a cluster, spublish.lua,
-- the prelude before this one): <kind>|<user id>|<Redis time in ms>|<holder>|<payload>.
-- F filled (the payload is the cached entry: followers answer with it), A absent (no such
-- user), X failed, R released (ask for the lease again), E extended (renew.lua: the ids and the
-- holders are comma-separated lists, the payload the leases' new time in ms: followers move their
-- backstop). The holder is the lease's token (its hash field for a Redisson lock), so a follower
-- knows whose outcome it is.
local function notify(channel, kind, id, holder, payload)
  local t = redis.call('TIME')
  redis.call(publish_command, channel,
    kind .. '|' .. id .. '|' .. (t[1] * 1000 + math.floor(t[2] / 1000)) .. '|' .. holder .. '|' .. payload)
end

local function holder()
  if ARGV[2] == '' then
    return ARGV[1]
  end
  return ARGV[2]
end
