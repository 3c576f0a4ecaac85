using System.Security.Cryptography;
using System.Text;

namespace SecurityKit.Redis.RateLimiting;

/// <summary>
/// The Lua scripts of <see cref="RedisRateLimitStore"/>. Each touches exactly one key (KEYS[1]), so it is atomic
/// and Redis Cluster-safe, and sets the key's TTL in the same command as the state (SET … PX).
/// ARGV[1] is the time in microseconds since the Unix epoch, or -1 to read the Redis server's clock (TIME).
/// </summary>
/// <remarks>
/// <para>The three limiter scripts are written for the server's single thread: each check is TIME + GET + at most one
/// SET … PX (every <c>redis.call</c> costs the server about a microsecond, a script write more), state is one
/// integer-valued string rather than a hash, ARGV strings are coerced by arithmetic instead of <c>tonumber</c>, and
/// numbers are handed to <c>redis.call</c> as Lua numbers, which Redis renders with 17 significant digits (exact for
/// every value here, all below 2^53). Measured with <c>redis-benchmark</c> in <c>benchmarks/results/rate-limiting.md</c>.</para>
/// <para>Reply of the limiter scripts, one integer in the common cases so the client parses no array:
/// <c>r ≥ 0</c> allowed with r remaining; <c>r ≤ −2</c> denied, nothing remaining, retry after −r − 1 µs;
/// <c>{remaining, retry µs}</c> denied with permits still remaining (a multi-permit request larger than what is left).</para>
/// </remarks>
internal sealed class RedisRateLimitScripts
{
    private const string Clock = """
        local now = ARGV[1] + 0
        if now < 0 then
          local t = redis.call('TIME')
          now = t[1] * 1000000 + t[2]
        end

        """;

    private const string LimiterArguments = Clock + """
        local window = ARGV[2] + 0
        local limit = ARGV[3] + 0
        local permits = ARGV[4] + 0

        """;

    // ARGV: now, window µs, limit, permits.
    // Value: (window index mod 2^28) + count · 2^28 (< 2^52). The key expires at the end of its window, so a stored
    // index that differs from the current one modulo 2^28 can only be a key read in the millisecond it expires.
    public static readonly RedisRateLimitScripts FixedWindow = new(LimiterArguments + """
        local idx = math.floor(now / window)
        local low = idx % 268435456
        local count = 0
        local v = redis.call('GET', KEYS[1])
        if v then
          v = v + 0
          if v % 268435456 == low then count = math.floor(v / 268435456) end
        end
        local left = limit - count
        local reset = (idx + 1) * window - now
        if permits == 0 or permits > left then
          if permits == 0 and left >= 1 then return left end
          if left <= 0 then return -reset - 1 end
          return {left, reset}
        end
        redis.call('SET', KEYS[1], low + (count + permits) * 268435456, 'PX', math.ceil(reset / 1000))
        return left - permits
        """);

    // ARGV: now, window µs, limit, permits.   Value = theoretical arrival time (µs, double); SET … PX writes state
    // and TTL in one command. Arithmetic is done on "ahead" = TAT − now, a small number, so the 2^-2 µs resolution
    // of doubles near 1.7e15 µs never turns a whole permit into a fraction; "remaining" tolerates a millionth of a
    // permit of rounding, like the in-memory store.
    public static readonly RedisRateLimitScripts TokenBucket = new(LimiterArguments + """
        local interval = window / limit
        local v = redis.call('GET', KEYS[1])
        local ahead = 0
        if v then
          ahead = v - now
          if ahead < 0 then ahead = 0 end
        end
        local newAhead = ahead + permits * interval
        if permits == 0 or newAhead - window > 0.05 then
          local remaining = math.floor((window - ahead) / interval + 1e-6)
          if remaining < 0 then remaining = 0 end
          local retry
          if permits == 0 then
            if remaining >= 1 then return remaining end
            retry = math.ceil(ahead + interval - window)
          else
            retry = math.ceil(newAhead - window)
          end
          if retry < 1 then retry = 1 end
          if remaining == 0 then return -retry - 1 end
          return {remaining, retry}
        end
        redis.call('SET', KEYS[1], now + newAhead, 'PX', math.ceil(newAhead / 1000))
        local r = math.floor((window - newAhead) / interval + 1e-6)
        if r < 0 then return 0 end
        return r
        """);

    // ARGV: now, window µs, limit, permits.   Value: "<window index>:<current count>:<previous count>" (every number
    // below 10^14, so Lua's 14-digit number-to-string conversion is exact). The full index is kept (not packed modulo
    // a small number with the counts) so a client clock that jumps whole windows ahead can never revive old counts.
    public static readonly RedisRateLimitScripts SlidingWindow = new(LimiterArguments + """
        local idx = math.floor(now / window)
        local cur = 0
        local prev = 0
        local v = redis.call('GET', KEYS[1])
        if v then
          local w, c, p = string.match(v, '^(%d+):(%d+):(%d+)$')
          w = w + 0
          if w == idx then
            cur = c + 0
            prev = p + 0
          elseif w == idx - 1 then
            prev = c + 0
          end
        end
        local elapsed = now - idx * window
        local est = prev * (1 - elapsed / window) + cur
        local remaining = math.floor(limit - est + 1e-9)
        if remaining < 0 then remaining = 0 end
        local needed = permits
        if needed < 1 then needed = 1 end
        if est + needed <= limit + 1e-9 then
          if permits == 0 then return remaining end
          redis.call('SET', KEYS[1], idx .. ':' .. (cur + permits) .. ':' .. prev, 'PX', math.ceil((2 * window - elapsed) / 1000))
          local r = math.floor(limit - est - permits + 1e-9)
          if r < 0 then return 0 end
          return r
        end
        local wait
        if cur + needed > limit then
          local f = 0
          if cur > 0 then f = 1 - (limit - needed) / cur end
          if f < 0 then f = 0 end
          wait = (window - elapsed) + f * window
        else
          wait = (1 - (limit - needed - cur) / prev) * window - elapsed
        end
        wait = math.ceil(wait)
        if wait < 1 then wait = 1 end
        if remaining == 0 then return -wait - 1 end
        return {remaining, wait}
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
