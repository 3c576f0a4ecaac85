using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.Redis.RateLimiting;

/// <summary>
/// The Lua scripts of <see cref="RedisRateLimitStore"/>. ARGV[1] is the time in microseconds since the Unix epoch, or
/// -1 to read the Redis server's clock (TIME). Every key a script creates gets its TTL in the same command as the state
/// (SET … PX), so no key is ever left without expiry, except a permanently locked lockout counter (opt-in).
/// </summary>
/// <remarks>
/// <para><see cref="CheckFor"/> builds the script of one limiter check under one rule (the rule's constants in its
/// text): KEYS[1], ARGV = [permits] [, now] (no permits argument in the one-permit variant). <see cref="Check"/> runs one check under any rule: KEYS[1], ARGV = now,
/// algorithm (0 token bucket, 1 fixed window, 2 sliding window), window µs, limit, TTL ms, permits. Both reply with the
/// integer <c>code</c> when <c>code ≥ 0</c> (allowed, <c>code</c> permits remaining) and with <c>{code, retry µs}</c>
/// otherwise.</para>
/// <para><see cref="Checks"/> runs a batch of checks (1 to <see cref="MaxChecksPerBatch"/>) in one atomic script. The
/// store groups the checks of a batch by key and rule: KEYS[g] is the g-th group's key. ARGV[2] is the number of
/// distinct rules R, then four values per rule (algorithm, window µs, limit, TTL ms), then per group: its rule's number
/// (1-based), its number of checks n, and their n permit counts in arrival order. The checks of a batch were all in
/// flight at once, so deciding them group by group is one of their valid orders; within a group (one key, one rule)
/// arrival order is kept. Reply: a flat array with two integers per check, in group order: <c>code, retry µs</c>.</para>
/// <para>Codes: <c>code ≥ 0</c> allowed with <c>code</c> permits remaining (retry 0); <c>−2^24 − 1 ≤ code &lt; 0</c>
/// denied with <c>−code − 1</c> remaining; <see cref="WrongTypeCode"/> when the key holds another Redis type (those
/// checks alone fail). The single-check scripts read with <c>redis.call</c>, not <c>redis.pcall</c> (0.7k server
/// instructions less per check): a key of another type fails the call with a WRONGTYPE error reply before anything is
/// written, and the store turns that into the same exception as <see cref="WrongTypeCode"/>.</para>
/// <para>Both scripts are built from the same Lua fragments (inserted as text, so no script pays for a function call)
/// and are written for the server's single thread (costs measured with callgrind on redis-server 7.0; see
/// docs/redis.md): per key one GET and at most one SET, however many checks it carries; state packed in binary with
/// <c>struct.pack</c> (formatting a Lua number as decimal text costs the server more than the SET itself); no TTL
/// arithmetic in Lua (the TTL is a string computed by the client per rule); and a write that leaves the key's expiry
/// valid keeps it (<c>KEEPTTL</c>, half the cost of <c>PX</c>). Redis 6.0 or later.</para>
/// <para>Stored state, big-endian doubles starting with the rule's window in µs; a value of another length (written by
/// another algorithm) or with another window (the rule changed) counts as empty, and its write then sets a new TTL, so a
/// TTL chosen for one window never outlives its purpose under another: token bucket 16 bytes, <c>&gt;dd</c> window,
/// theoretical arrival time in µs; fixed window 24 bytes, <c>&gt;ddd</c> window, window index, count; sliding window 32
/// bytes, <c>&gt;dddd</c> window, window index, count in it, count in the window before.</para>
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

    // The fragments below share these locals: key, v (the GET reply: the stored string or false), window, limit, life
    // (the TTL string), permits, and set code/retry (one check's result) and changed (the state must be written).

    // Token bucket (GCRA) on "ahead" = TAT − now, a small number, so the 2^-2 µs resolution of doubles near 1.7e15 µs
    // never turns a whole permit into a fraction; "remaining" tolerates a millionth of a permit of rounding, like the
    // in-memory store. Expiry: time is cut into slots of q = max(window / 4, 1 ms); a write whose TAT moves to a later
    // slot (or creates the key) sets TTL = window + q + 1 ms, which outlives the end of that slot (the TAT is at most a
    // window ahead of now); a write within the same slot keeps the TTL. So the key never expires before its TAT.
    private const string TokenBucketRead = """
        local interval = window / limit
        local q = window / 4
        if q < 1000 then q = 1000 end
        local tat
        if v and #v == 16 then
          local sw, st = struct.unpack('>dd', v)
          if sw == window then tat = st end
        end
        local slot = tat and math.floor(tat / q)
        local changed = false

        """;

    private const string TokenBucketStep = """
        local ahead = 0
        if tat then
          ahead = tat - now
          if ahead < 0 then ahead = 0 end
        end
        local newAhead = ahead + permits * interval
        if permits == 0 or newAhead - window > 0.05 then
          local remaining = math.floor((window - ahead) / interval + 1e-6)
          if remaining < 0 then remaining = 0 end
          if permits == 0 and remaining >= 1 then
            code, retry = remaining, 0
          else
            if permits == 0 then
              remaining = 0
              retry = math.ceil(ahead + interval - window)
            else
              retry = math.ceil(newAhead - window)
            end
            if retry < 1 then retry = 1 end
            code = -1 - remaining
          end
        else
          tat = now + newAhead
          -- A double near 1.7e15 µs holds multiples of 0.25 µs: rounding the new arrival time down (an interval of 1.1 µs
          -- stored as +1.0 on every write) granted ~10 % more than the rule. Round up instead: stricter, never looser.
          if tat - now < newAhead then
            local _, e = math.frexp(tat)
            tat = tat + math.ldexp(1, e - 53)
          end
          changed = true
          code = math.floor((window - newAhead) / interval + 1e-6)
          if code < 0 then code = 0 end
          retry = 0
        end

        """;

    private const string TokenBucketWrite = """
        if changed then
          if slot and math.floor(tat / q) == slot then
            redis.call('SET', key, struct.pack('>dd', window, tat), 'KEEPTTL')
          else
            redis.call('SET', key, struct.pack('>dd', window, tat), 'PX', life)
          end
        end

        """;

    // Fixed and sliding windows store the full window index, so neither a key that outlives its window nor a client
    // clock that jumps whole windows ahead can ever revive old counts. The first write of a window sets TTL = window
    // (fixed) or 2 · window (sliding), + 1 ms: past the end of the window, or of the window after it, whose estimate
    // still weighs this count. Later writes in the same window keep that TTL. A clock that reads earlier than the stored
    // window (a client clock behind another client's, or a server clock stepped back, e.g. after a failover) is decided
    // at the start of the stored window: a key's window never moves back, so no count is ever forgotten.
    private const string WindowRead = """
        local now = now
        local idx = math.floor(now / window)
        local w, c, p
        if algorithm == 1 then
          if v and #v == 24 then
            local sw
            sw, w, c = struct.unpack('>ddd', v)
            if sw ~= window then w = nil end
          end
        elseif v and #v == 32 then
          local sw
          sw, w, c, p = struct.unpack('>dddd', v)
          if sw ~= window then w, p = nil, nil end
        end
        if w and w > idx then
          idx = w
          now = idx * window
        end
        local cur, prev = 0, 0
        if w == idx then
          cur = c
          if p then prev = p end
        elseif p and w == idx - 1 then
          prev = c
        end
        local changed = false

        """;

    private const string FixedWindowStep = """
        local left = limit - cur
        if permits == 0 or permits > left then
          if permits == 0 and left >= 1 then
            code, retry = left, 0
          else
            if left < 0 then left = 0 end
            code, retry = -1 - left, (idx + 1) * window - now
          end
        else
          cur = cur + permits
          changed = true
          code, retry = left - permits, 0
        end

        """;

    private const string FixedWindowWrite = """
        if changed then
          if w == idx then
            redis.call('SET', key, struct.pack('>ddd', window, idx, cur), 'KEEPTTL')
          else
            redis.call('SET', key, struct.pack('>ddd', window, idx, cur), 'PX', life)
          end
        end

        """;

    private const string SlidingWindowRead = """
        local elapsed = now - idx * window
        local carried = prev * (1 - elapsed / window)

        """;

    private const string SlidingWindowStep = """
        local est = carried + cur
        local remaining = math.floor(limit - est + 1e-9)
        if remaining < 0 then remaining = 0 end
        local needed = permits
        if needed < 1 then needed = 1 end
        if est + needed <= limit + 1e-9 then
          if permits == 0 then
            code, retry = remaining, 0
          else
            cur = cur + permits
            changed = true
            code = math.floor(limit - est - permits + 1e-9)
            if code < 0 then code = 0 end
            retry = 0
          end
        else
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
          code, retry = -1 - remaining, wait
        end

        """;

    private const string SlidingWindowWrite = """
        if changed then
          if w == idx then
            redis.call('SET', key, struct.pack('>dddd', window, idx, cur, prev), 'KEEPTTL')
          else
            redis.call('SET', key, struct.pack('>dddd', window, idx, cur, prev), 'PX', life)
          end
        end

        """;

    /// <summary>The batch script's loop over one group's checks: ARGV[first … a − 1] are their permits, each result is
    /// appended to <c>out</c>.</summary>
    private static string EachCheck(string step) => """
        for j = first, a - 1 do
          local permits = ARGV[j] + 0
          local code, retry

        """ + step + """
          out[o + 1], out[o + 2] = code, retry
          o = o + 2
        end

        """;

    /// <summary>One check under any rule: ARGV = now, algorithm, window µs, limit, TTL ms, permits (the store's fallback
    /// when it already holds <see cref="RedisRateLimitStore.MaxRuleScripts"/> per-rule scripts).</summary>
    public static readonly RedisRateLimitScripts Check = new(Clock + """
        local key = KEYS[1]
        local algorithm, window, limit, life, permits = ARGV[2] + 0, ARGV[3] + 0, ARGV[4] + 0, ARGV[5], ARGV[6] + 0

        """ + CheckBody(RateLimitAlgorithm.TokenBucket, RateLimitAlgorithm.FixedWindow, RateLimitAlgorithm.SlidingWindow));

    // The clock of a per-rule check: ARGV[{0}], when present, is the client's time in µs; otherwise the server's TIME.
    private const string RuleClock = """
        local now
        if ARGV[{0}] then
          now = ARGV[{0}] + 0
        else
          local t = redis.call('TIME')
          now = t[1] * 1000000 + t[2]
        end

        """;

    /// <summary>
    /// One check under one rule (the path of a lone caller): the rule's algorithm alone, with its window, limit and TTL
    /// written into the script as constants, so the call carries one key and at most two arguments. With
    /// <paramref name="onePermit"/> the permit count is the constant 1 too and ARGV holds only the client's time in µs,
    /// for a client-clock store (a server-clock check then has no argument at all); otherwise ARGV = permits [, client
    /// time]. Reply as for <see cref="Check"/>. Compared with <see cref="Check"/> the server runs ~25 % fewer instructions
    /// per one-permit check (no rule or permit arguments to create and convert, no algorithm dispatch; callgrind,
    /// docs/redis.md).
    /// </summary>
    /// <param name="algorithm">The rule's algorithm.</param>
    /// <param name="windowMicroseconds">The rule's window in µs (a whole number of milliseconds).</param>
    /// <param name="limit">The rule's limit.</param>
    /// <param name="ttlMilliseconds">The TTL a write sets when it creates a key or moves it to a new window.</param>
    /// <param name="onePermit">Whether the script checks exactly one permit (the permit count is not an argument).</param>
    /// <returns>The script.</returns>
    public static RedisRateLimitScripts CheckFor(RateLimitAlgorithm algorithm, long windowMicroseconds, int limit, long ttlMilliseconds, bool onePermit = false)
    {
        // Only integers go into the text, formatted invariantly: nothing a caller controls becomes Lua source.
        var constants = string.Create(
            CultureInfo.InvariantCulture,
            $"local algorithm, window, limit, life, permits = {(int)algorithm}, {windowMicroseconds}, {limit}, '{ttlMilliseconds}', {(onePermit ? "1" : "ARGV[1] + 0")}\n");
        return new(RuleClock.Replace("{0}", onePermit ? "1" : "2", StringComparison.Ordinal) + "local key = KEYS[1]\n" + constants + CheckBody(algorithm));
    }

    /// <summary>The body of a single check for the given algorithms (dispatching on the local <c>algorithm</c> when
    /// there are several).</summary>
    private static string CheckBody(params RateLimitAlgorithm[] algorithms)
    {
        var body = new StringBuilder("""
            local v = redis.call('GET', key)
            local code, retry

            """);
        if (algorithms.Length == 1)
        {
            body.Append(algorithms[0] switch
            {
                RateLimitAlgorithm.TokenBucket => TokenBucketRead + TokenBucketStep + TokenBucketWrite,
                RateLimitAlgorithm.FixedWindow => WindowRead + FixedWindowStep + FixedWindowWrite,
                _ => WindowRead + SlidingWindowRead + SlidingWindowStep + SlidingWindowWrite,
            });
        }
        else
        {
            body.Append("if algorithm == 0 then\n")
                .Append(TokenBucketRead + TokenBucketStep + TokenBucketWrite)
                .Append("else\n")
                .Append(WindowRead)
                .Append("  if algorithm == 1 then\n")
                .Append(FixedWindowStep + FixedWindowWrite)
                .Append("  else\n")
                .Append(SlidingWindowRead + SlidingWindowStep + SlidingWindowWrite)
                .Append("  end\nend\n");
        }

        return body.Append("""
            if code >= 0 then return code end
            return {code, retry}
            """).ToString();
    }

    /// <summary>A batch of checks grouped by key and rule (see the remarks).</summary>
    public static readonly RedisRateLimitScripts Checks = new(Clock + """
        local rules = ARGV[2] + 0
        local alg, win, lim, ttl = {}, {}, {}, {}
        for r = 1, rules do
          local b = 4 * r - 1
          alg[r], win[r], lim[r], ttl[r] = ARGV[b] + 0, ARGV[b + 1] + 0, ARGV[b + 2] + 0, ARGV[b + 3]
        end

        local out = {}
        local o = 0
        local a = 4 * rules + 3
        for k = 1, #KEYS do
          local key = KEYS[k]
          local r = ARGV[a] + 0
          local first = a + 2
          a = first + ARGV[a + 1]
          local algorithm, window, limit, life = alg[r], win[r], lim[r], ttl[r]
          local v = redis.pcall('GET', key)
          if type(v) == 'table' then
            -- A key of another Redis type (e.g. a hash some other code wrote) fails its own checks only.
            for j = first, a - 1 do
              out[o + 1], out[o + 2] = -1099511627776, 0
              o = o + 2
            end
          elseif algorithm == 0 then

        """ + TokenBucketRead + EachCheck(TokenBucketStep) + TokenBucketWrite + """
          else

        """ + WindowRead + """
            if algorithm == 1 then

        """ + EachCheck(FixedWindowStep) + FixedWindowWrite + """
            else

        """ + SlidingWindowRead + EachCheck(SlidingWindowStep) + SlidingWindowWrite + """
            end
          end
        end
        return out
        """);

    // ARGV: now, free attempts, initial delay µs, max delay µs, max failures, failure window µs, permanent (0/1), and the
    // failure window in ms rounded up (the TTL, a string: no number formatting in Lua). State: 17 bytes, struct '>Bdd':
    // the tag 'L' (76), consecutive recorded attempts, time of the last one (µs); any other string counts as no attempts,
    // a key of another Redis type fails with WRONGTYPE. One GET and at most one SET (PX, or no TTL once permanently
    // locked: SET without an expiry option clears the TTL).
    public static readonly RedisRateLimitScripts Lockout = new(Clock + """
        local free, initial, maxDelay, maxF, window = ARGV[2] + 0, ARGV[3] + 0, ARGV[4] + 0, ARGV[5] + 0, ARGV[6] + 0
        local perm = ARGV[7] == '1'
        local function delay(n)
          if n < free then return 0 end
          local e = n - free
          if e >= 40 then return maxDelay end
          local d = initial * (2 ^ e)
          if d > maxDelay then return maxDelay end
          return d
        end
        local v = redis.call('GET', KEYS[1])
        local f, last, skew = 0, 0, 0
        if v and #v == 17 then
          local tag, sf, sl = struct.unpack('>Bdd', v)
          if tag == 76 then f, last = sf, sl end
        end
        if f > 0 then
          if now < last then skew, now = last - now, last end
          local hard = f >= maxF
          if hard and perm then return {0, f, -1} end
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
        if f >= maxF and perm then
          redis.call('SET', KEYS[1], struct.pack('>Bdd', 76, f, now))
          return {1, f, -1}
        end
        -- The TTL runs on the server's real clock: when "now" was moved up to the last attempt, add that gap (whole ms).
        local px = ARGV[8]
        if skew > 0 then px = ARGV[8] + math.ceil(skew / 1000) end
        redis.call('SET', KEYS[1], struct.pack('>Bdd', 76, f, now), 'PX', px)
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
