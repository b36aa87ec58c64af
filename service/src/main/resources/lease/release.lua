-- Give a lease up without a fill, and tell the followers: ask for it again (R) or the load
-- failed (X).
-- KEYS[1] lease key; ARGV[1] token, ARGV[2] hash field ('' = string lease), ARGV[3] fills channel,
-- ARGV[4] user id, ARGV[5] notice kind (R or X)
-- Returns 1 released, 0 not held (nothing to do).
if holds() then
  redis.call('DEL', KEYS[1])
  notify(ARGV[3], ARGV[5], ARGV[4], holder(), '')
  return 1
end
return 0
