-- Fenced renewal: extend the lease only while it is still the caller's.
-- KEYS[1] lease key; ARGV[1] token, ARGV[2] hash field, ARGV[3] lease time (ms)
-- Returns 1 extended, 0 no longer held.
if holds() then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
