/**
 * Lua helper shared by the write scripts: merges one registration into a
 * slug's meta hash. `spec` is `"<mask>|<categories>|<groups>"`: the
 * stored-granularity bits (`1 << rank`, minutes = 1 … years = 32) to OR into
 * field `g`, then space-separated category and group names, each set as field
 * `c:<name>` / `r:<name>` = 1. Built by `registrationSpec()` in `_packing.ts`.
 */
export const LUA_REGISTER = `local function register(meta, spec)
  local mask, cats, groups = string.match(spec, '^(%d+)|([^|]*)|(.*)$')
  local old = tonumber(redis.call('HGET', meta, 'g') or '0')
  redis.call('HSET', meta, 'g', bit.bor(old, tonumber(mask)))
  for c in string.gmatch(cats, '%S+') do redis.call('HSET', meta, 'c:' .. c, '1') end
  for r in string.gmatch(groups, '%S+') do redis.call('HSET', meta, 'r:' .. r, '1') end
end
`;
