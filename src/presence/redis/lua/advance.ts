/**
 * test.clock.advance (SPEC S3): ARGV[6] = ms. Adds ms to the cluster's clock offset and tells every
 * gateway (a message {g, o} on the changes channel). Expiry runs afterwards, when the caller touches
 * its live rows. Result: the new offset.
 */
export const ADVANCE_LUA = String.raw`
local offset = redis.call('HINCRBY', META, 'clock', ARGV[6])
redis.call('PUBLISH', P .. ':changes', cjson.encode({ g = GW, o = int(offset) }))
return { '', int(clock()), int(offset) }
`;
