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

/**
 * Token bucket (see core's `takeFromBucket`, same arithmetic), atomic per key. KEYS[1] = bucket hash
 * (`tokens`, `at`); ARGV = capacity, refill per second, now (caller's clock, ms). Returns
 * `{allowed (0|1), remaining (floor), retryAfterMs}`. The key expires once the bucket would be full again.
 */
export const TAKE_TOKEN = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
else
  tokens = math.min(capacity, tokens + (math.max(0, now - at) / 1000) * rate)
  at = math.max(at, now)
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil(((1 - tokens) / rate) * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity / rate) * 1000) + 1000)
return {allowed, math.floor(tokens), retry}
`;
