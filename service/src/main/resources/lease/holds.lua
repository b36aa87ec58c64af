-- Prelude of every lease script. A lease is either herdlab's string lease (the key's value
-- is the holder's token) or a Redisson lock (a hash whose field names the holder).
-- KEYS[1] is always the lease key; ARGV[1] the token, ARGV[2] the hash field ('' = string lease).
local function holds()
  if ARGV[2] == '' then
    return redis.call('GET', KEYS[1]) == ARGV[1]
  end
  return redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1
end

-- A notice on the fills channel: <kind>|<user id>|<Redis time in ms>.
-- F filled (read the cache), A absent (no such user), X failed, R released (ask for the lease again).
local function notify(channel, kind, id)
  local t = redis.call('TIME')
  redis.call('PUBLISH', channel, kind .. '|' .. id .. '|' .. (t[1] * 1000 + math.floor(t[2] / 1000)))
end
