-- Versioned fill: write a loaded row unless the cache already holds a newer version of it
-- (a value, or the tombstone a PUT leaves), so a read that started before an update never
-- leaves the old row cached after it.
-- KEYS[1] value key; ARGV[1] encoded entry, ARGV[2] absolute expiry (ms), ARGV[3] its version
-- Returns 1 written, -2 refused: the cache holds a newer version.
local current = redis.call('GET', KEYS[1])
if current then
  local version = tonumber(string.match(current, '^[^|]*|[^|]*|[^|]*|(-?%d+)|'))
  if version and version > tonumber(ARGV[3]) then
    return -2
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
return 1
