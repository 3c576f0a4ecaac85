using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace SecurityKit.Passwords.Strength.Tests.Breached;

public sealed class HaveIBeenPwnedPasswordCheckerTests
{
    // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8, the API documentation's example.
    private const string Password = "password";
    private const string Prefix = "5BAA6";
    private const string Suffix = "1E4C9B93F3F0682250B6CF8331B7EE68FD8";

    private static string Body(params string[] lines) => string.Join("\r\n", lines);

    private static HaveIBeenPwnedPasswordChecker Create(Uri baseAddress, TimeProvider time, Action<HaveIBeenPwnedOptions>? configure = null)
    {
        // 30 s unless a test sets its own: the default 2 s on the real clock made a test that expects two answered requests
        // fail once on a loaded 2-core machine (the first request's cold start). Timeout tests configure theirs.
        var options = new HaveIBeenPwnedOptions { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return new HaveIBeenPwnedPasswordChecker(new HttpClient(), options, time);
    }

    [Fact]
    public void Sha1_OfPassword_IsTheDocumentedExample()
    {
#pragma warning disable CA5350
        Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(Password))).Should().Be(Prefix + Suffix);
#pragma warning restore CA5350
    }

    [Fact]
    public async Task CheckAsync_Hit_BreachedWithCountAndSendsOnlyPrefixWithPadding()
    {
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body(
            "0018A45C4D1DEF81644B54AB7F969B88D65:1", Suffix.ToLowerInvariant() + ":3861493", "011053FD0102E94D6AE2F8B83D76FAF94F6:0"))));
        var checker = Create(server.BaseAddress, TimeProvider.System);

        var result = await checker.CheckAsync(Password);

        result.Should().Be(new BreachCheckResult(BreachCheckStatus.Breached, 3861493, true));
        server.Requests.Should().ContainSingle();
        server.Requests[0].Path.Should().Be("/range/" + Prefix);
        server.Requests[0].Headers["Add-Padding"].Should().Be("true");
        server.Requests[0].Headers["User-Agent"].Should().Be("SecurityKit.Passwords.Strength");
        server.Requests[0].Path.Should().NotContain(Suffix);
    }

    [Fact]
    public async Task CheckAsync_Hit_EventCarriesTheOrderOfMagnitudeOnly()
    {
        // The exact count (3,861,493 for "password") nearly names a common password in the public data.
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body(Suffix + ":3861493"))));
        var events = new List<SecurityKit.Events.SecurityEvent>();
        var publisher = new SecurityKit.Events.SecurityEventPublisher([new ListSink(events)], TimeProvider.System);
        var checker = new HaveIBeenPwnedPasswordChecker(new HttpClient(), new HaveIBeenPwnedOptions { BaseAddress = server.BaseAddress }, TimeProvider.System, publisher);

        (await checker.CheckAsync(Password)).Count.Should().Be(3861493, "the caller still gets the exact count");

        var found = events.Should().ContainSingle(e => e.Name == PasswordStrengthEventNames.BreachedPasswordFound).Subject;
        found.Properties.Should().ContainSingle().Which.Should().Be(new KeyValuePair<string, string>("count_at_least", "1000000"));
        HaveIBeenPwnedPasswordChecker.CountMagnitude(1).Should().Be(1);
        HaveIBeenPwnedPasswordChecker.CountMagnitude(9).Should().Be(1);
        HaveIBeenPwnedPasswordChecker.CountMagnitude(10).Should().Be(10);
        HaveIBeenPwnedPasswordChecker.CountMagnitude(999).Should().Be(100);
        HaveIBeenPwnedPasswordChecker.CountMagnitude(long.MaxValue).Should().Be(1_000_000_000_000_000_000);
    }

    [Fact]
    public void Result_ToString_ShowsTheOrderOfMagnitudeOnly()
    {
        // The compiler-generated ToString printed the exact count (found in review), which nearly names a common password.
        new BreachCheckResult(BreachCheckStatus.Breached, 3861493, true).ToString()
            .Should().Be("BreachCheckResult { Status = Breached, CountAtLeast = 1000000, IsRejected = True }").And.NotContain("3861493");
        new BreachCheckResult(BreachCheckStatus.NotBreached, 0, false).ToString()
            .Should().Be("BreachCheckResult { Status = NotBreached, CountAtLeast = 0, IsRejected = False }");
    }

    private sealed class ListSink(List<SecurityKit.Events.SecurityEvent> events) : SecurityKit.Events.ISecurityEventSink
    {
        public void Handle(SecurityKit.Events.SecurityEvent securityEvent)
        {
            lock (events)
            {
                events.Add(securityEvent);
            }
        }
    }

    [Fact]
    public async Task CheckAsync_PasswordOverTheLengthCeiling_NotHashedNorSent()
    {
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body("0018A45C4D1DEF81644B54AB7F969B88D65:1"))));
        var checker = Create(server.BaseAddress, TimeProvider.System);

        var result = await checker.CheckAsync(new string('p', (2 * PasswordPolicyOptions.MaximumLengthCeiling) + 1));

        result.Should().Be(new BreachCheckResult(BreachCheckStatus.NotBreached, 0, false));
        server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task CheckAsync_Miss_NotBreached()
    {
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body("0018A45C4D1DEF81644B54AB7F969B88D65:1"))));
        var checker = Create(server.BaseAddress, TimeProvider.System);

        var result = await checker.CheckAsync(Password);

        result.Should().Be(new BreachCheckResult(BreachCheckStatus.NotBreached, 0, false));
    }

    [Fact]
    public async Task CheckAsync_PaddingEntryWithCountZero_Ignored()
    {
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body(Suffix + ":0", "FFFFF45C4D1DEF81644B54AB7F969B88D65:0"))));
        var checker = Create(server.BaseAddress, TimeProvider.System);

        var result = await checker.CheckAsync(Password);

        result.Status.Should().Be(BreachCheckStatus.NotBreached);
        result.IsRejected.Should().BeFalse();
    }

    [Fact]
    public async Task CheckAsync_BelowThreshold_NotBreachedButCounted()
    {
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body(Suffix + ":4"))));
        var checker = Create(server.BaseAddress, TimeProvider.System, o => o.MinimumBreachCount = 5);

        var result = await checker.CheckAsync(Password);

        result.Should().Be(new BreachCheckResult(BreachCheckStatus.NotBreached, 4, false));
    }

    [Fact]
    public async Task CheckAsync_SamePrefixTwice_ServedFromCacheUntilExpiry()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body(Suffix + ":2"))));
        var checker = Create(server.BaseAddress, time, o => o.CacheDuration = TimeSpan.FromMinutes(10));

        (await checker.CheckAsync(Password)).Count.Should().Be(2);
        (await checker.CheckAsync(Password)).Count.Should().Be(2);
        server.Requests.Should().HaveCount(1);

        time.Advance(TimeSpan.FromMinutes(11));
        (await checker.CheckAsync(Password)).Count.Should().Be(2);
        server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task CheckAsync_ManyPrefixes_CacheStaysBounded()
    {
        // A well-formed range (this test once answered with an empty body, which is not cached, so it passed with an
        // empty cache and never reached the eviction).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body("0018A45C4D1DEF81644B54AB7F969B88D65:1"))));
        var checker = Create(server.BaseAddress, time, o => o.CacheMaxEntries = 8);

        var prefixes = new HashSet<string>();
        for (var i = 0; prefixes.Count < 40; i++)
        {
            var password = "password-" + i;
#pragma warning disable CA5350
            if (prefixes.Add(Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(password)))[..5]))
#pragma warning restore CA5350
            {
                (await checker.CheckAsync(password)).Status.Should().Be(BreachCheckStatus.NotBreached);
                time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        checker.CachedRanges.Should().Be(8, "bounded, and full");
        server.Requests.Should().HaveCount(40);
    }

    [Fact]
    public async Task CheckAsync_LargeBodies_CacheStaysBoundedInCharacters()
    {
        // Every accepted body up to MaxResponseBytes (1 MiB) was cached: a misbehaving mirror or an intercepting proxy
        // could fill 512 entries with ~1 GiB (found in review). A body over 128 Ki characters is not cached, and the cache
        // holds at most 20 Mi characters whatever CacheMaxEntries says.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        static string Lines(int count) => string.Join("\r\n", Enumerable.Range(0, count).Select(i => i.ToString("X35", System.Globalization.CultureInfo.InvariantCulture) + ":1"));
        var huge = Lines(4_000);      // ~156,000 characters
        var large = Lines(3_200);     // ~125,000 characters: cacheable
        huge.Length.Should().BeGreaterThan(HaveIBeenPwnedPasswordChecker.MaxCachedBodyChars);
        large.Length.Should().BeLessThan(HaveIBeenPwnedPasswordChecker.MaxCachedBodyChars);
        var serveHuge = true;
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Volatile.Read(ref serveHuge) ? huge : large)));
        var checker = Create(server.BaseAddress, time, o => o.CacheMaxEntries = 100_000);

        (await checker.CheckAsync("huge-body")).Status.Should().Be(BreachCheckStatus.NotBreached);
        checker.CachedRanges.Should().Be(0, "over 128 Ki characters: answered, not cached");

        Volatile.Write(ref serveHuge, false);
        var prefixes = new HashSet<string>();
        for (var i = 0; prefixes.Count < 200; i++)
        {
            var password = "large-" + i;
#pragma warning disable CA5350
            if (prefixes.Add(Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(password)))[..5]))
#pragma warning restore CA5350
            {
                (await checker.CheckAsync(password)).Status.Should().Be(BreachCheckStatus.NotBreached);
                time.Advance(TimeSpan.FromMilliseconds(10));
            }
        }

        checker.CachedChars.Should().BeLessThanOrEqualTo(HaveIBeenPwnedPasswordChecker.MaxCacheChars);
        checker.CachedRanges.Should().Be((int)(HaveIBeenPwnedPasswordChecker.MaxCacheChars / large.Length), "as many as fit, the oldest evicted");
        checker.CachedChars.Should().Be(checker.CachedRanges * (long)large.Length);
    }

    [Fact]
    public async Task CheckAsync_FullCache_DropsExpiredRangesFirst_ThenTheOldest()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body("0018A45C4D1DEF81644B54AB7F969B88D65:1"))));
        var checker = Create(server.BaseAddress, time, o => { o.CacheMaxEntries = 2; o.CacheDuration = TimeSpan.FromMinutes(10); });

        await checker.CheckAsync("a-1");                 // prefix of a-1, expires at 10:00
        time.Advance(TimeSpan.FromMinutes(5));
        await checker.CheckAsync(Password);               // 5BAA6, expires at 15:00
        time.Advance(TimeSpan.FromMinutes(6));           // a-1's range has expired
        await checker.CheckAsync("b-2");                 // full: the expired range goes, 5BAA6 stays
        checker.CachedRanges.Should().Be(2);
        var requests = server.Requests.Count;
        await checker.CheckAsync(Password);
        server.Requests.Should().HaveCount(requests, "5BAA6 was kept");

        await checker.CheckAsync("c-3");                 // full, nothing expired: the one that expires first (5BAA6) goes
        await checker.CheckAsync(Password);
        server.Requests.Should().HaveCount(requests + 2, "5BAA6 was evicted and fetched again");
        checker.CachedRanges.Should().Be(2);
    }

    [Fact]
    public async Task CheckAsync_CountEqualToTheThreshold_IsBreached()
    {
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body(Suffix + ":5"))));
        var checker = Create(server.BaseAddress, TimeProvider.System, o => o.MinimumBreachCount = 5);

        (await checker.CheckAsync(Password)).Should().Be(new BreachCheckResult(BreachCheckStatus.Breached, 5, true));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public async Task CheckAsync_CacheTurnedOff_EveryCheckAsksTheServer(int minutes, int entries)
    {
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, Body(Suffix + ":2"))));
        var checker = Create(server.BaseAddress, TimeProvider.System, o => { o.CacheDuration = TimeSpan.FromMinutes(minutes); o.CacheMaxEntries = entries; });

        await checker.CheckAsync(Password);
        await checker.CheckAsync(Password);

        server.Requests.Should().HaveCount(2);
        checker.CachedRanges.Should().Be(0);
    }

    [Theory]
    [InlineData(BreachCheckFailureMode.FailClosed, true)]
    [InlineData(BreachCheckFailureMode.FailOpen, false)]
    public async Task CheckAsync_ServerDown_UnavailableInConfiguredMode(BreachCheckFailureMode mode, bool rejected)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there any more: connection refused
        var checker = Create(new Uri($"http://127.0.0.1:{port}/range/"), TimeProvider.System, o => o.FailureMode = mode);

        var result = await checker.CheckAsync(Password);

        result.Should().Be(new BreachCheckResult(BreachCheckStatus.Unavailable, 0, rejected));
    }

    [Theory]
    [InlineData(BreachCheckFailureMode.FailClosed, true)]
    [InlineData(BreachCheckFailureMode.FailOpen, false)]
    public async Task CheckAsync_SlowServer_TimesOutInConfiguredMode(BreachCheckFailureMode mode, bool rejected)
    {
        var time = new FakeTimeProvider();
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<(int, string)?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new LocalHttpServer(_ =>
        {
            received.TrySetResult();
            return release.Task;
        });
        var checker = Create(server.BaseAddress, time, o => { o.FailureMode = mode; o.Timeout = TimeSpan.FromSeconds(2); });

        var pending = checker.CheckAsync(Password).AsTask();
        await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(3));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        release.TrySetResult(null);

        result.Should().Be(new BreachCheckResult(BreachCheckStatus.Unavailable, 0, rejected));
    }

    [Theory]
    [InlineData(503, "")]
    [InlineData(200, "not a range response")]
    [InlineData(200, "")] // an empty range is a proxy or an outage, not "not breached"
    [InlineData(200, "\r\n\r\n")]
    [InlineData(204, "")]
    [InlineData(203, "0018A45C4D1DEF81644B54AB7F969B88D65:1")]
    public async Task CheckAsync_ErrorStatusOrMalformedBody_UnavailableAndNotCached(int status, string body)
    {
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((status, body)));
        var checker = Create(server.BaseAddress, TimeProvider.System);

        var result = await checker.CheckAsync(Password);

        result.Status.Should().Be(BreachCheckStatus.Unavailable);
        result.IsRejected.Should().BeTrue();
        checker.CachedRanges.Should().Be(0);
    }

    [Theory]
    [InlineData(false)] // refused on its Content-Length, before reading
    [InlineData(true)] // chunked, no Content-Length: refused while reading, once past the cap (read whole, the body holds the suffix and would answer Breached)
    public async Task CheckAsync_OversizedBody_UnavailableAsResponseTooLarge(bool chunked)
    {
        var line = Suffix + ":1\r\n";
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, string.Concat(Enumerable.Repeat(line, 200_000))))) { Chunked = chunked };
        var events = new List<SecurityKit.Events.SecurityEvent>();
        var checker = new HaveIBeenPwnedPasswordChecker(new HttpClient(), new HaveIBeenPwnedOptions { BaseAddress = server.BaseAddress, MaxResponseBytes = 1024 }, TimeProvider.System,
            new SecurityKit.Events.SecurityEventPublisher([new ListSink(events)], TimeProvider.System));

        (await checker.CheckAsync(Password)).Should().Be(new BreachCheckResult(BreachCheckStatus.Unavailable, 0, true));

        events.Should().ContainSingle(e => e.Name == PasswordStrengthEventNames.BreachCheckUnavailable).Which.Reason.Should().Be("response_too_large");
        checker.CachedRanges.Should().Be(0);
    }

    [Theory]
    [InlineData(503, "", "status_503")]
    [InlineData(204, "", "status_204")]
    [InlineData(203, "0018A45C4D1DEF81644B54AB7F969B88D65:1", "status_203")]
    [InlineData(200, "not a range response", "malformed_response")]
    [InlineData(200, "", "malformed_response")]
    public async Task CheckAsync_Unavailable_ReportsWhy(int status, string body, string reason)
    {
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((status, body)));
        var events = new List<SecurityKit.Events.SecurityEvent>();
        var checker = new HaveIBeenPwnedPasswordChecker(new HttpClient(), new HaveIBeenPwnedOptions { BaseAddress = server.BaseAddress, FailureMode = BreachCheckFailureMode.FailOpen }, TimeProvider.System,
            new SecurityKit.Events.SecurityEventPublisher([new ListSink(events)], TimeProvider.System));

        (await checker.CheckAsync(Password)).Should().Be(new BreachCheckResult(BreachCheckStatus.Unavailable, 0, false));

        var e = events.Should().ContainSingle(x => x.Name == PasswordStrengthEventNames.BreachCheckUnavailable).Subject;
        e.Reason.Should().Be(reason);
        e.Properties.Should().Contain(new KeyValuePair<string, string?>("mode", "fail_open"));
    }

    [Fact]
    public async Task CheckAsync_CallerCancels_Throws()
    {
        await using var server = new LocalHttpServer(_ => new TaskCompletionSource<(int, string)?>().Task);
        var checker = Create(server.BaseAddress, TimeProvider.System);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var act = async () => await checker.CheckAsync(Password, cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        var act = () => new HaveIBeenPwnedPasswordChecker(new HttpClient(), new HaveIBeenPwnedOptions { Timeout = TimeSpan.Zero }, TimeProvider.System);

        act.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("http://api.pwnedpasswords.com/range/", false)] // anyone on the path could answer "not breached"
    [InlineData("http://mirror.internal.example/range/", false)]
    [InlineData("http://127.0.0.1:8080/range/", true)]
    [InlineData("http://localhost/range/", true)]
    [InlineData("https://mirror.internal.example/range/", true)]
    public void Constructor_PlainHttpOnlyToLoopback(string address, bool accepted)
    {
        var act = () => new HaveIBeenPwnedPasswordChecker(new HttpClient(), new HaveIBeenPwnedOptions { BaseAddress = new Uri(address) }, TimeProvider.System);

        if (accepted)
        {
            act.Should().NotThrow();
        }
        else
        {
            act.Should().Throw<ArgumentException>().WithMessage("*https*");
        }
    }

    [Fact]
    public async Task Policy_WithLocalServer_RejectsBreachedPassword()
    {
        const string candidate = "glacier orbit tangerine violin";
#pragma warning disable CA5350
        var hex = Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(candidate)));
#pragma warning restore CA5350
        await using var server = new LocalHttpServer(_ => Task.FromResult<(int, string)?>((200, hex[5..] + ":12")));
        var options = new PasswordPolicyOptions { CheckBreachedPasswords = true };
        options.BreachCheck.BaseAddress = server.BaseAddress;
        var checker = new HaveIBeenPwnedPasswordChecker(new HttpClient(), options.BreachCheck, TimeProvider.System);
        var policy = new PasswordPolicy(options, new ZxcvbnPasswordStrengthEstimator(), checker);

        var result = await policy.EvaluateAsync(candidate);

        result.Failures.Select(f => f.Code).Should().Equal(PasswordRuleCode.Breached);
        result.BreachCount.Should().Be(12);
    }
}
