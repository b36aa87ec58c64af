-- Fenced fill: the holder writes its loaded row only while the lease is still its own and
-- only if the cache does not hold a newer version (a PUT's tombstone, or a newer row), then
-- gives the lease up and tells the followers, with the entry itself: they answer without
-- reading it back.
-- KEYS[1] lease key, KEYS[2] value key, KEYS[3] outcome key
-- ARGV[1] token, ARGV[2] hash field, ARGV[3] encoded entry ('' = nothing to cache),
-- ARGV[4] absolute expiry (ms), ARGV[5] the row's version, ARGV[6] fills channel,
-- ARGV[7] user id, ARGV[8] notice kind on success (F, or A for an absent row),
-- ARGV[9] how long the outcome key keeps an absent row's outcome (ms)
-- Returns 1 written; 0 fenced: the lease is gone; -1 lost: another holder has it;
-- -2 refused: the cache holds a newer version (the lease is given up, followers ask again).
if not holds() then
  if redis.call('EXISTS', KEYS[1]) == 1 then
    return -1
  end
  notify(ARGV[6], 'R', ARGV[7], holder(), '')
  return 0
end
local current = redis.call('GET', KEYS[2])
if current then
  local version = tonumber(string.match(current, '^[^|]*|[^|]*|[^|]*|(-?%d+)|'))
  if version and version > tonumber(ARGV[5]) then
    redis.call('DEL', KEYS[1])
    notify(ARGV[6], 'R', ARGV[7], holder(), '')
    return -2
  end
end
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[2], ARGV[3], 'PXAT', ARGV[4])
elseif ARGV[8] == 'A' then
  -- "no such user", cached nowhere (negative caching off): kept a moment, so that a caller
  -- whose look-up comes right after this script answers 404 instead of loading again
  redis.call('SET', KEYS[3], 'A', 'PX', ARGV[9])
end
redis.call('DEL', KEYS[1])
notify(ARGV[6], ARGV[8], ARGV[7], holder(), ARGV[3])
return 1
