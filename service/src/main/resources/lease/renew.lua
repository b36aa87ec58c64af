-- Fenced renewal: extend the lease only while it is still the caller's, and tell the followers
-- how long it now has (E), so that their backstop waits for a holder that is alive.
-- KEYS[1] lease key; ARGV[1] token, ARGV[2] hash field, ARGV[3] lease time (ms),
-- ARGV[4] fills channel, ARGV[5] user id
-- Returns 1 extended, 0 no longer held.
if holds() then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  notify(ARGV[4], 'E', ARGV[5], holder(), ARGV[3])
  return 1
end
return 0
