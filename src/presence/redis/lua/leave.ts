/**
 * close(): this gateway leaves the cluster. Its self row goes; connections it still counts close
 * (P6). Result: nil.
 */
export const LEAVE_LUA = String.raw`
local now = clock()
leave(GW, now)
sweep(now)
return finish(now, false)
`;
