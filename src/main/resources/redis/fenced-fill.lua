-- Fenced fill: write the value only while the lease is still ours, release it, announce it.
-- KEYS[1] lease key, KEYS[2] value key, KEYS[3] pub/sub channel
-- ARGV[1] token, ARGV[2] hash field ('' for a string lease: the key's value is the token),
-- ARGV[3] encoded entry ('' = nothing to cache), ARGV[4] absolute expiry in ms, ARGV[5] user id
-- Returns 1 written; 0 fenced: the lease is gone (expired, or deleted by a write);
-- -1 lost: another holder has the lease now.
local holds
if ARGV[2] == '' then
  holds = redis.call('GET', KEYS[1]) == ARGV[1]
else
  holds = redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1
end
if not holds then
  if redis.call('EXISTS', KEYS[1]) == 1 then
    return -1
  end
  return 0
end
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[2], ARGV[3], 'PXAT', ARGV[4])
end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', KEYS[3], ARGV[5])
return 1
