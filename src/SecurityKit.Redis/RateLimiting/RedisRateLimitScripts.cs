using System.Security.Cryptography;
using System.Text;

namespace SecurityKit.Redis.RateLimiting;

/// <summary>
/// The Lua scripts of <see cref="RedisRateLimitStore"/>. ARGV[1] is the time in microseconds since the Unix epoch, or
/// -1 to read the Redis server's clock (TIME). Every key a script writes gets its TTL in the same command as the state
/// (SET … PX), so no key is ever left without expiry.
/// </summary>
/// <remarks>
/// <para><see cref="Checks"/> runs a batch of limiter checks (1 to <see cref="MaxChecksPerBatch"/>) in one atomic script,
/// in order: KEYS[i] is the i-th check's key and ARGV[4i − 2 … 4i + 1] its algorithm (0 token bucket, 1 fixed window,
/// 2 sliding window), window (µs), limit and permits. A batch of one is a plain check; the store batches only checks
/// that arrive while earlier ones are in flight, and in Redis Cluster only keys of one hash slot.</para>
/// <para>The script is written for the server's single thread: per check one GET and at most one SET … PX (every
/// <c>redis.call</c> costs the server about a microsecond, a write more), TIME once per batch, state in one string rather
/// than a hash, ARGV strings coerced by arithmetic instead of <c>tonumber</c>, and numbers handed to <c>redis.call</c>
/// as Lua numbers, which Redis renders with 17 significant digits (exact for every value here, all below 2^53).</para>
/// <para>Reply: a flat array with two integers per check, <c>code, retry µs</c>: <c>code ≥ 0</c> allowed with
/// <c>code</c> permits remaining (retry 0); <c>−2^24 − 1 ≤ code &lt; 0</c> denied with <c>−code − 1</c> remaining;
/// <see cref="WrongTypeCode"/> when the key holds another Redis type (that check alone fails).</para>
/// </remarks>
internal sealed class RedisRateLimitScripts
{
    /// <summary>The largest batch <see cref="Checks"/> is given (bounds the time one script holds the server).</summary>
    public const int MaxChecksPerBatch = 64;

    /// <summary>The per-check reply code for a key that holds another Redis type (−2^40).</summary>
    public const long WrongTypeCode = -1099511627776;

    private const string Clock = """
        local now = ARGV[1] + 0
        if now < 0 then
          local t = redis.call('TIME')
          now = t[1] * 1000000 + t[2]
        end

        """;

    public static readonly RedisRateLimitScripts Checks = new(Clock + """
        -- Token bucket (GCRA). Value = theoretical arrival time (µs, double). Arithmetic is done on "ahead" = TAT − now,
        -- a small number, so the 2^-2 µs resolution of doubles near 1.7e15 µs never turns a whole permit into a
        -- fraction; "remaining" tolerates a millionth of a permit of rounding, like the in-memory store.
        local function bucket(key, v, window, limit, permits)
          local interval = window / limit
          local ahead = 0
          local tat = tonumber(v)
          if tat then
            ahead = tat - now
            if ahead < 0 then ahead = 0 end
          end
          local newAhead = ahead + permits * interval
          if permits == 0 or newAhead - window > 0.05 then
            local remaining = math.floor((window - ahead) / interval + 1e-6)
            if remaining < 0 then remaining = 0 end
            if permits == 0 then
              if remaining >= 1 then return remaining, 0 end
              local retry = math.ceil(ahead + interval - window)
              if retry < 1 then retry = 1 end
              return -1, retry
            end
            local retry = math.ceil(newAhead - window)
            if retry < 1 then retry = 1 end
            return -1 - remaining, retry
          end
          redis.call('SET', key, now + newAhead, 'PX', math.ceil(newAhead / 1000))
          local r = math.floor((window - newAhead) / interval + 1e-6)
          if r < 0 then r = 0 end
          return r, 0
        end

        -- Fixed window. Value: (window index mod 2^28) + count · 2^28 (< 2^52). The key expires at the end of its
        -- window, so a stored index that matches the current one modulo 2^28 is the current window.
        local function fixed(key, v, window, limit, permits)
          local idx = math.floor(now / window)
          local low = idx % 268435456
          local count = 0
          local packed = tonumber(v)
          if packed and packed % 268435456 == low then count = math.floor(packed / 268435456) end
          local left = limit - count
          local reset = (idx + 1) * window - now
          if permits == 0 or permits > left then
            if permits == 0 and left >= 1 then return left, 0 end
            if left < 0 then left = 0 end
            return -1 - left, reset
          end
          redis.call('SET', key, low + (count + permits) * 268435456, 'PX', math.ceil(reset / 1000))
          return left - permits, 0
        end

        -- Sliding window. Value: "<window index>:<current count>:<previous count>" (every number below 10^14, so Lua's
        -- 14-digit number-to-string conversion is exact). The full index is kept so a client clock that jumps whole
        -- windows ahead can never revive old counts.
        local function sliding(key, v, window, limit, permits)
          local idx = math.floor(now / window)
          local cur = 0
          local prev = 0
          local w, c, p
          if v then w, c, p = string.match(v, '^(%d+):(%d+):(%d+)$') end
          if w then
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
            if permits == 0 then return remaining, 0 end
            redis.call('SET', key, idx .. ':' .. (cur + permits) .. ':' .. prev, 'PX', math.ceil((2 * window - elapsed) / 1000))
            local r = math.floor(limit - est - permits + 1e-9)
            if r < 0 then r = 0 end
            return r, 0
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
          return -1 - remaining, wait
        end

        -- A value another algorithm wrote does not parse here and counts as empty: the key starts over, as in memory.
        -- A key of another type (e.g. a lockout counter's hash) fails its own check only, never the rest of the batch.
        local out = {}
        for i = 1, #KEYS do
          local a = 4 * i - 2
          local algorithm = ARGV[a] + 0
          local v = redis.pcall('GET', KEYS[i])
          local code, retry
          if type(v) == 'table' then
            code, retry = -1099511627776, 0
          elseif algorithm == 0 then
            code, retry = bucket(KEYS[i], v, ARGV[a + 1] + 0, ARGV[a + 2] + 0, ARGV[a + 3] + 0)
          elseif algorithm == 1 then
            code, retry = fixed(KEYS[i], v, ARGV[a + 1] + 0, ARGV[a + 2] + 0, ARGV[a + 3] + 0)
          else
            code, retry = sliding(KEYS[i], v, ARGV[a + 1] + 0, ARGV[a + 2] + 0, ARGV[a + 3] + 0)
          end
          out[2 * i - 1] = code
          out[2 * i] = retry
        end
        return out
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
