-- Prelude of the lease scripts on a Redis Cluster: notices go out with SPUBLISH on the channel of
-- the script's own slot, so they reach that shard's nodes only, not the whole cluster.
local publish_command = 'SPUBLISH'
