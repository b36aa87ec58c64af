-- Prelude of the lease scripts on one Redis server: notices go out with PUBLISH.
local publish_command = 'PUBLISH'
