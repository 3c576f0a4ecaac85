using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests;

/// <summary>How <see cref="RedisConnection"/> connects, and the startup validation of its options.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisConnectionTests(RedisServerFixture fixture)
{
    private static RedisConnection Connection(RedisSecurityKitOptions options) => new(Options.Create(options));

    [SkippableFact]
    public async Task OperationTimeout_RunsOnTheInjectedClock()
    {
        // Every store call is bounded by OperationTimeout on the connection's TimeProvider (the host's, under DI), not on
        // the system timer: with a fake clock and a one-minute timeout, a call to a paused server times out exactly when the
        // clock is advanced by that minute, long before the server answers.
        fixture.EnsureAvailable();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(fixture.Multiplexer!);
            o.KeyPrefix = "clock:";
            o.OperationTimeout = TimeSpan.FromMinutes(1);
        });
        await using var provider = services.BuildServiceProvider();
        var connection = provider.GetRequiredService<RedisConnection>();
        connection.TimeProvider.Should().BeSameAs(time);
        var store = new SecurityKit.Redis.Tokens.RedisTokenVersionStore(connection);
        (await store.GetVersionAsync("u")).Should().Be(0);

        await using var admin = await ConnectionMultiplexer.ConnectAsync(fixture.ConnectionString + ",allowAdmin=true");
        var paused = Stopwatch.StartNew();
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "1500", "ALL");
        try
        {
            var pending = store.GetVersionAsync("u").AsTask();
            await Task.Delay(200);
            pending.IsCompleted.Should().BeFalse("the server is paused and the fake minute has not passed");

            time.Advance(TimeSpan.FromMinutes(1));

            await FluentActions.Awaiting(() => pending).Should().ThrowAsync<TimeoutException>();
            paused.Elapsed.Should().BeLessThan(TimeSpan.FromMilliseconds(1500), "it timed out on the fake clock, before the server resumed");
        }
        finally
        {
            // The pause ends by itself (CLIENT UNPAUSE would wait behind it); let it end before the next test.
            await Task.Delay(TimeSpan.FromMilliseconds(1600) - paused.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
        }
    }

    [SkippableFact]
    public async Task GetDatabaseAsync_HangingFirstConnection_EachCallBoundedByOperationTimeout_ThenRecovers()
    {
        // A factory (or a connect timeout) that hangs used to hold every store call until its caller gave up.
        fixture.EnsureAvailable();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var release = new TaskCompletionSource<IConnectionMultiplexer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var connection = new RedisConnection(Options.Create(new RedisSecurityKitOptions
        {
            ConnectionMultiplexerFactory = () => Interlocked.Increment(ref calls) == 1 ? release.Task : Task.FromResult<IConnectionMultiplexer>(fixture.Multiplexer!),
            OperationTimeout = TimeSpan.FromSeconds(2),
        }), time);

        var first = connection.GetDatabaseAsync().AsTask();
        var second = connection.GetDatabaseAsync().AsTask();
        await Task.Delay(100);
        first.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(2));
        await FluentActions.Awaiting(() => first).Should().ThrowAsync<TimeoutException>();
        await FluentActions.Awaiting(() => second).Should().ThrowAsync<TimeoutException>();
        calls.Should().Be(1, "both waited for the one attempt");

        release.SetResult(fixture.Multiplexer!);
        (await connection.GetDatabaseAsync()).Multiplexer.Should().BeSameAs(fixture.Multiplexer, "the attempt finished in the background");
        calls.Should().Be(1);
    }

    [Fact]
    public async Task GetDatabaseAsync_FailedFirstConnection_RetriedByTheNextCall()
    {
        var calls = 0;
        await using var connection = Connection(new RedisSecurityKitOptions
        {
            Configuration = "127.0.0.1:1,abortConnect=false,connectTimeout=200",
            ConnectionMultiplexerFactory = () => Interlocked.Increment(ref calls) == 1
                ? Task.FromException<IConnectionMultiplexer>(new InvalidOperationException("first attempt fails"))
                : ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=false,connectTimeout=200").ContinueWith(t => (IConnectionMultiplexer)t.Result, TaskScheduler.Default),
        });

        await FluentActions.Awaiting(() => connection.GetDatabaseAsync().AsTask()).Should().ThrowAsync<InvalidOperationException>().WithMessage("first attempt fails");
        var database = await connection.GetDatabaseAsync();
        calls.Should().Be(2);
        database.Multiplexer.IsConnected.Should().BeFalse();
        await database.Multiplexer.DisposeAsync();
    }

    [Fact]
    public async Task GetDatabaseAsync_ConfigurationStringWithoutAbortConnect_UnreachableServerDoesNotThrow()
    {
        // StackExchange.Redis defaults to abortConnect=true (ConnectAsync throws when no server answers); SecurityKit
        // forces it off so an unreachable Redis never breaks the first request, and each store's failure policy applies.
        await using var connection = Connection(new RedisSecurityKitOptions { Configuration = "127.0.0.1:1,connectTimeout=300" });
        var watch = Stopwatch.StartNew();

        var database = await connection.GetDatabaseAsync();

        database.Multiplexer.IsConnected.Should().BeFalse();
        database.Multiplexer.Configuration.Should().Contain("abortConnect=False");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        await FluentActions.Awaiting(() => database.PingAsync()).Should().ThrowAsync<RedisConnectionException>();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StoreErrors_UnreachableServer_CarryNoKeyOrUserId(bool configurationOptions)
    {
        // StackExchange.Redis puts the command's key into exception messages and Data by default (IncludeDetailInExceptions);
        // the token-version key holds the raw user id, and hosts log these exceptions (found in review).
        const string userId = "alice.secret@example.com";
        var options = configurationOptions
            ? new RedisSecurityKitOptions { ConfigurationOptions = ConfigurationOptions.Parse("127.0.0.1:1,connectTimeout=200,asyncTimeout=500,syncTimeout=500"), OperationTimeout = TimeSpan.FromSeconds(20) }
            : new RedisSecurityKitOptions { Configuration = "127.0.0.1:1,connectTimeout=200,asyncTimeout=500,syncTimeout=500", OperationTimeout = TimeSpan.FromSeconds(20) };
        await using var connection = Connection(options);
        var store = new SecurityKit.Redis.Tokens.RedisTokenVersionStore(connection);

        var thrown = await FluentActions.Awaiting(() => store.IncrementVersionAsync(userId).AsTask()).Should().ThrowAsync<Exception>();
        for (Exception? ex = thrown.Which; ex is not null; ex = ex.InnerException)
        {
            ex.ToString().Should().NotContain("alice");
            ex.Data.Values.Cast<object?>().Select(v => v?.ToString() ?? string.Empty).Should().NotContain(v => v.Contains("alice", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Bounded_OperationFailingAfterTheTimeout_IsScrubbed()
    {
        // After the bounded wait gives up, the Redis operation goes on; if it fails later, unobserved, its exception
        // (with the key in Data) reached TaskScheduler.UnobservedTaskException, which error trackers record (found in
        // review). Bounded now scrubs and observes it when it fails.
        await using var connection = Connection(new RedisSecurityKitOptions { Configuration = "localhost", OperationTimeout = TimeSpan.FromMilliseconds(50) });
        var operation = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await FluentActions.Awaiting(() => operation.Task.Bounded(connection, CancellationToken.None)).Should().ThrowAsync<TimeoutException>();

        var late = new InvalidOperationException("Timeout awaiting response");
        late.Data["Redis-Message-Next"] = "INCR sk:tv:{alice@example.com}";
        late.Data["Redis-Timeout"] = "5000";
        operation.SetException(late);
        await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(5)), Task.Run(async () =>
        {
            while (late.Data.Contains("Redis-Message-Next"))
            {
                await Task.Delay(10);
            }
        }));

        late.Data.Contains("Redis-Message-Next").Should().BeFalse("scrubbed when the operation failed");
        late.Data["Redis-Timeout"].Should().Be("5000", "other diagnostics stay");
    }

    [SkippableFact]
    public async Task StoreErrors_PausedServer_CarryNoKeyOrUserId()
    {
        // StackExchange.Redis put the pending command's key into its timeout message ("next: INCR sk:tv:{<user id>}") and,
        // whatever IncludeDetailInExceptions says, into Data ("Redis-Message-Next"); the token-version key holds the raw
        // user id, and hosts log these exceptions (found in review).
        fixture.EnsureAvailable();
        const string userId = "alice.secret@example.com";
        await using var connection = Connection(new RedisSecurityKitOptions { Configuration = fixture.ConnectionString + ",asyncTimeout=300", OperationTimeout = TimeSpan.FromSeconds(20) });
        var versions = new SecurityKit.Redis.Tokens.RedisTokenVersionStore(connection);
        var limits = new SecurityKit.Redis.RateLimiting.RedisRateLimitStore(connection);
        (await versions.GetVersionAsync("warm-up")).Should().Be(0);
        (await limits.AcquireAsync("warm-up", SecurityKit.Stores.RateLimiting.RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1)))).IsAllowed.Should().BeTrue();

        await using var admin = await ConnectionMultiplexer.ConnectAsync(fixture.ConnectionString + ",allowAdmin=true");
        var paused = Stopwatch.StartNew();
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "2500", "ALL");
        try
        {
            var versionError = (await FluentActions.Awaiting(() => versions.IncrementVersionAsync(userId).AsTask()).Should().ThrowAsync<Exception>()).Which;
            var limitError = (await FluentActions.Awaiting(() => limits.AcquireAsync("user:" + userId, SecurityKit.Stores.RateLimiting.RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1))).AsTask()).Should().ThrowAsync<Exception>()).Which;
            foreach (var error in new[] { versionError, limitError })
            {
                error.Should().BeOfType<RedisTimeoutException>("StackExchange.Redis's own timeout (300 ms) comes first");
                for (Exception? ex = error; ex is not null; ex = ex.InnerException)
                {
                    ex.ToString().Should().NotContain("alice");
                    ex.Data.Values.Cast<object?>().Select(v => v?.ToString() ?? string.Empty).Should().NotContain(v => v.Contains("alice", StringComparison.Ordinal));
                }
            }
        }
        finally
        {
            await Task.Delay(TimeSpan.FromMilliseconds(2600) - paused.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
        }
    }

    [SkippableFact]
    public async Task GetDatabaseAsync_ConfigurationOptions_UsedOnAClone_WithAbortConnectOff()
    {
        fixture.EnsureAvailable();
        var configuration = new ConfigurationOptions { EndPoints = { { "127.0.0.1", fixture.Port } }, AbortOnConnectFail = true };
        await using var connection = Connection(new RedisSecurityKitOptions { ConfigurationOptions = configuration, Configuration = "127.0.0.1:1" });

        var database = await connection.GetDatabaseAsync();

        (await database.PingAsync()).Should().BePositive("ConfigurationOptions takes precedence over Configuration");
        database.Multiplexer.Configuration.Should().Contain("abortConnect=False");
        configuration.AbortOnConnectFail.Should().BeTrue("the host's object is cloned, never changed");
    }

    [SkippableFact]
    public async Task GetDatabaseAsync_Factory_TakesPrecedenceAndIsNotDisposed()
    {
        fixture.EnsureAvailable();
        var calls = 0;
        var connection = Connection(new RedisSecurityKitOptions
        {
            Configuration = "127.0.0.1:1",
            ConnectionMultiplexerFactory = () =>
            {
                Interlocked.Increment(ref calls);
                return Task.FromResult<IConnectionMultiplexer>(fixture.Multiplexer!);
            },
        });

        var databases = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => connection.GetDatabaseAsync().AsTask()));
        await connection.DisposeAsync();

        calls.Should().Be(1, "20 concurrent first uses share one multiplexer");
        databases.Should().OnlyContain(d => ReferenceEquals(d.Multiplexer, fixture.Multiplexer));
        fixture.Multiplexer!.IsConnected.Should().BeTrue("a multiplexer the host owns is not disposed by SecurityKit");
    }

    [Theory]
    [InlineData("prefix{", "KeyPrefix")]
    [InlineData("}", "KeyPrefix")]
    [InlineData(null, "KeyPrefix")]
    [InlineData("a-prefix-that-is-far-too-long-for-a-redis-key-prefix-of-securitykit", "KeyPrefix")]
    public void Validator_BadKeyPrefix_FailsWithInstructions(string? prefix, string expected)
    {
        var result = new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions { Configuration = "localhost", KeyPrefix = prefix! });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain(expected).And.Contain("64 characters");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(60_001)]
    public void Validator_BadOperationTimeout_FailsWithInstructions(int milliseconds)
    {
        var result = new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions { Configuration = "localhost", OperationTimeout = TimeSpan.FromMilliseconds(milliseconds) });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("OperationTimeout").And.Contain("1 minute");
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("   ", "it is empty")]
    [InlineData("redis:6379,pasword=hunter2", "StackExchange.Redis cannot parse it")]
    [InlineData("redis:6379,connectTimeout=soon", "a value is out of range")]
    [InlineData("password=hunter2", "it names no server")]
    public void Validator_ConfigurationStringThatCannotConnect_FailsAtStartup_WithoutQuotingIt(string configuration, string reason)
    {
        // Parsed only at the first store call, it threw ArgumentException there, which no failure policy catches: every
        // sign-in failed (found in review).
        var result = new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions { Configuration = configuration });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("Configuration is not a valid StackExchange.Redis configuration string: " + reason).And.NotContain("hunter2");
        new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions { Configuration = configuration, ConnectionMultiplexerFactory = () => null! })
            .Succeeded.Should().BeTrue("the factory wins, and the string is not used");
    }

    [Fact]
    public void Validator_Boundaries_SixtyFourCharacterPrefixAndOneMinuteTimeout_Accepted()
    {
        new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions { Configuration = "localhost", KeyPrefix = new string('p', 64) }).Succeeded.Should().BeTrue();
        new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions { Configuration = "localhost", OperationTimeout = TimeSpan.FromMinutes(1) }).Succeeded.Should().BeTrue();
        new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions { ConfigurationOptions = ConfigurationOptions.Parse("localhost") }).Succeeded.Should().BeTrue();
        new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions()).FailureMessage.Should().Contain("set RedisSecurityKitOptions.Configuration");
    }

    [Fact]
    public async Task Scrub_RemovesCommandAndKeyEntries_InInnerAndAggregatedExceptions_AndTheNonGenericWait()
    {
        static Exception WithKey(Exception ex)
        {
            ex.Data["Redis-Message"] = "INCR sk:tv:{alice}";
            ex.Data["Redis-Message-Next"] = "GET sk:tv:{bob}";
            ex.Data["Redis-Timeout"] = "5000";
            return ex;
        }

        var inner = WithKey(new InvalidOperationException("inner"));
        var aggregated = WithKey(new InvalidOperationException("aggregated"));
        var outer = new AggregateException(new InvalidOperationException("wrapper", inner), aggregated);
        RedisErrors.Scrub(outer).Should().BeFalse("used as an exception filter, it never catches");
        foreach (var ex in new[] { inner, aggregated })
        {
            ex.Data.Contains("Redis-Message").Should().BeFalse();
            ex.Data.Contains("Redis-Message-Next").Should().BeFalse();
            ex.Data["Redis-Timeout"].Should().Be("5000");
        }

        await using var connection = Connection(new RedisSecurityKitOptions { Configuration = "localhost", OperationTimeout = TimeSpan.FromSeconds(5) });
        var failing = WithKey(new InvalidOperationException("reset failed"));
        var thrown = await FluentActions.Awaiting(() => Task.FromException(failing).Bounded(connection, CancellationToken.None)).Should().ThrowAsync<InvalidOperationException>();
        thrown.Which.Data.Contains("Redis-Message-Next").Should().BeFalse();

        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var quick = Connection(new RedisSecurityKitOptions { Configuration = "localhost", OperationTimeout = TimeSpan.FromMilliseconds(50) });
        await FluentActions.Awaiting(() => late.Task.Bounded(quick, CancellationToken.None)).Should().ThrowAsync<TimeoutException>();
        var afterwards = WithKey(new InvalidOperationException("late"));
        late.SetException(afterwards);
        for (var i = 0; i < 500 && afterwards.Data.Contains("Redis-Message"); i++)
        {
            await Task.Delay(10);
        }

        afterwards.Data.Contains("Redis-Message").Should().BeFalse("scrubbed when the operation failed after the wait");
    }

    [Fact]
    public void Validator_DefaultsWithAConnection_Succeed()
    {
        new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions { Configuration = "localhost" }).Succeeded.Should().BeTrue();
        new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions { Configuration = "redis-a:6379,redis-b:6380,password=x,ssl=true,abortConnect=false,proxy=Twemproxy" }).Succeeded.Should().BeTrue();
        new RedisOptionsValidator().Validate(null, new RedisSecurityKitOptions { ConnectionMultiplexerFactory = () => null! }).Succeeded.Should().BeTrue();
    }
}
