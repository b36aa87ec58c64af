-- Give a string lease up without a fill, and tell the followers to ask for it again.
-- KEYS[1] lease key; ARGV[1] token, ARGV[2] '' (string lease), ARGV[3] fills channel, ARGV[4] user id
-- Returns 1 released, 0 not held (nothing to do).
if holds() then
  redis.call('DEL', KEYS[1])
  notify(ARGV[3], 'R', ARGV[4])
  return 1
end
return 0
