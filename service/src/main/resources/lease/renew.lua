-- Fenced renewal of every lease one replica holds that is due (one call, not one per lease):
-- each is extended only while it is still its holder's, and one notice (E) tells the followers
-- which leases now have the full lease time, so that their backstop waits for holders that live.
-- KEYS lease keys; ARGV[1] lease time (ms), ARGV[2] fills channel, then per lease, in KEYS'
-- order, its token, its hash field ('' = string lease) and its user id.
-- Returns per lease 1 extended, 0 no longer held.
-- The notice: E|<user id>,<user id>,…|<Redis time in ms>|<holder>,<holder>,…|<lease time in ms>.
local held, ids, holders = {}, {}, {}
for i = 1, #KEYS do
  local token, field, id = ARGV[3 * i], ARGV[3 * i + 1], ARGV[3 * i + 2]
  if holds_lease(KEYS[i], token, field) then
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
    held[i] = 1
    ids[#ids + 1] = id
    holders[#holders + 1] = field == '' and token or field
  else
    held[i] = 0
  end
end
if #ids > 0 then
  notify(ARGV[2], 'E', table.concat(ids, ','), table.concat(holders, ','), ARGV[1])
end
return held
