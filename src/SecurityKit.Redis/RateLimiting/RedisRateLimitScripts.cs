using System.Security.Cryptography;
using System.Text;

namespace SecurityKit.Redis.RateLimiting;

/// <summary>
/// The Lua scripts of <see cref="RedisRateLimitStore"/>. Each touches exactly one key (KEYS[1]), so it is atomic
/// and Redis Cluster-safe, and sets the key's TTL in the same script as the write that needs it.
/// ARGV[1] is the time in microseconds since the Unix epoch, or -1 to read the Redis server's clock (TIME).
/// Numbers stored in hashes are written with string.format because Lua's default conversion keeps 14 digits.
/// Every script returns {allowed (0/1), remaining or failures, retry-after µs (-1 = forever)}.
/// </summary>
internal sealed class RedisRateLimitScripts
{
    private const string Clock = """
        local now = tonumber(ARGV[1])
        if now < 0 then
          local t = redis.call('TIME')
          now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        end

        """;

    // ARGV: now, window µs, limit, permits.   Hash: w = window index, c = count.
    public static readonly RedisRateLimitScripts FixedWindow = new(Clock + """
        local window = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        local permits = tonumber(ARGV[4])
        local idx = math.floor(now / window)
        local st = redis.call('HMGET', KEYS[1], 'w', 'c')
        local count = 0
        if st[1] and tonumber(st[1]) == idx then count = tonumber(st[2]) end
        local left = limit - count
        local reset = (idx + 1) * window - now
        if permits == 0 or permits > left then
          if permits == 0 and left >= 1 then return {1, left, 0} end
          return {0, math.max(left, 0), reset}
        end
        redis.call('HSET', KEYS[1], 'w', string.format('%.0f', idx), 'c', count + permits)
        redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(reset / 1000)))
        return {1, left - permits, 0}
        """);

    // ARGV: now, window µs, limit, permits.   String value = theoretical arrival time (µs, double), written with
    // SET … PX so state and TTL are one command. Arithmetic is done on "ahead" = TAT − now, a small number, so the
    // 2^-2 µs resolution of doubles near 1.7e15 µs never turns a whole permit into a fraction.
    public static readonly RedisRateLimitScripts TokenBucket = new(Clock + """
        local window = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        local permits = tonumber(ARGV[4])
        local interval = window / limit
        local v = redis.call('GET', KEYS[1])
        local ahead = 0
        if v then ahead = math.max(0, tonumber(v) - now) end
        local newAhead = ahead + permits * interval
        if permits == 0 or newAhead - window > 0.05 then
          local remaining = math.max(0, math.floor((window - ahead) / interval + 1e-9))
          if permits == 0 then
            if remaining >= 1 then return {1, remaining, 0} end
            return {0, 0, math.max(1, math.ceil(ahead + interval - window))}
          end
          return {0, remaining, math.max(1, math.ceil(newAhead - window))}
        end
        redis.call('SET', KEYS[1], string.format('%.17g', now + newAhead), 'PX', math.max(1, math.ceil(newAhead / 1000)))
        return {1, math.max(0, math.floor((window - newAhead) / interval + 1e-9)), 0}
        """);

    // ARGV: now, window µs, limit, permits.   Hash: w = window index, c = current count, p = previous count.
    public static readonly RedisRateLimitScripts SlidingWindow = new(Clock + """
        local window = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        local permits = tonumber(ARGV[4])
        local idx = math.floor(now / window)
        local st = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
        local w = -2
        if st[1] then w = tonumber(st[1]) end
        local cur = 0
        if st[2] then cur = tonumber(st[2]) end
        local prev = 0
        if st[3] then prev = tonumber(st[3]) end
        if w ~= idx then
          if w == idx - 1 then prev = cur else prev = 0 end
          cur = 0
        end
        local elapsed = now - idx * window
        local est = prev * (1 - elapsed / window) + cur
        local remaining = math.max(0, math.floor(limit - est + 1e-9))
        local needed = math.max(permits, 1)
        if est + needed <= limit + 1e-9 then
          if permits == 0 then return {1, remaining, 0} end
          redis.call('HSET', KEYS[1], 'w', string.format('%.0f', idx), 'c', cur + permits, 'p', prev)
          redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((2 * window - elapsed) / 1000)))
          return {1, math.max(0, math.floor(limit - est - permits + 1e-9)), 0}
        end
        local wait
        if cur + needed > limit then
          local f = 0
          if cur > 0 then f = 1 - (limit - needed) / cur end
          wait = (window - elapsed) + math.max(0, f) * window
        else
          wait = (1 - (limit - needed - cur) / prev) * window - elapsed
        end
        return {0, remaining, math.max(1, math.ceil(wait))}
        """);

    // ARGV: now, free attempts, initial delay µs, max delay µs, max failures, failure window µs, permanent (0/1).
    // Hash: f = consecutive recorded attempts, l = time of the last one (µs).
    public static readonly RedisRateLimitScripts Lockout = new(Clock + """
        local free = tonumber(ARGV[2])
        local initial = tonumber(ARGV[3])
        local maxDelay = tonumber(ARGV[4])
        local maxF = tonumber(ARGV[5])
        local window = tonumber(ARGV[6])
        local perm = tonumber(ARGV[7])
        local function delay(n)
          if n < free then return 0 end
          local e = n - free
          if e >= 40 then return maxDelay end
          local d = initial * (2 ^ e)
          if d > maxDelay then return maxDelay end
          return d
        end
        local st = redis.call('HMGET', KEYS[1], 'f', 'l')
        local f = 0
        if st[1] then f = tonumber(st[1]) end
        local last = 0
        if st[2] then last = tonumber(st[2]) end
        if f > 0 then
          local hard = f >= maxF
          if hard and perm == 1 then return {0, f, -1} end
          local expires = last + window
          if now >= expires then
            f = 0
          else
            local lockEnd = last + delay(f)
            if hard then lockEnd = expires end
            if now < lockEnd then return {0, f, lockEnd - now} end
          end
        end
        f = f + 1
        redis.call('HSET', KEYS[1], 'f', f, 'l', string.format('%.0f', now))
        if f >= maxF and perm == 1 then
          redis.call('PERSIST', KEYS[1])
          return {1, f, -1}
        end
        redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(window / 1000)))
        if f >= maxF then return {1, f, window} end
        return {1, f, delay(f)}
        """);

    private RedisRateLimitScripts(string text)
    {
        Text = text;
#pragma warning disable CA5350 // SHA-1 is the identifier Redis uses for scripts (EVALSHA), not a security control.
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    /// <summary>Gets the script source, sent with EVAL only when the server does not know the SHA-1 yet (NOSCRIPT).</summary>
    public string Text { get; }

    /// <summary>Gets the SHA-1 of <see cref="Text"/>, sent with EVALSHA.</summary>
    public byte[] Sha1 { get; }
}
