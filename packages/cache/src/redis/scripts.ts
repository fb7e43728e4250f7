/**
 * Stores ARGV[1] unless the stored keyv value holds a higher `version` whose `storedUntil` has not passed.
 * KEYS[1] = key; ARGV = serialized value, version, ttl ms (0 = none), now (cache clock, ms). Returns 1 if stored.
 */
export const SET_IF_NOT_OLDER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and type(decoded['value']) == 'table' then
    local stored = tonumber(decoded['value']['version'])
    local storedUntil = tonumber(decoded['value']['storedUntil'])
    if stored and storedUntil and stored > tonumber(ARGV[2]) and storedUntil > tonumber(ARGV[4]) then
      return 0
    end
  end
end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
`;

/** Deletes KEYS[1] only while it still holds the owner token ARGV[1]. Returns 1 if deleted. */
export const COMPARE_AND_DELETE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;
