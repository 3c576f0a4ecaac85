using SecurityKit.Stores.Sessions;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Keys;

namespace SecurityKit.Sessions.Tests;

public sealed class SessionManagerConcurrencyTests
{
    [Fact]
    public async Task RevokeAll_RacingValidations_NoSessionValidatesAfterItReturns()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
        var keys = SecretKeyRing.FromRootKey("k1", new byte[32]);
        var manager = new SessionManager(new SessionOptions(), new InMemorySessionStore(new InMemorySessionStoreOptions(), time), keys, time);

        for (var round = 0; round < 10; round++)
        {
            var tokens = new List<string>();
            for (var i = 0; i < 16; i++)
            {
                tokens.Add((await manager.CreateAsync("alice")).Token!);
            }

            var returned = 0;
            var validBefore = 0;
            var violations = 0;
            using var start = new ManualResetEventSlim();
            var validators = Enumerable.Range(0, 4).Select(v => Task.Run(async () =>
            {
                start.Wait();
                for (var i = 0; i < 200; i++)
                {
                    var after = Volatile.Read(ref returned) == 1;
                    var result = await manager.ValidateAsync(tokens[(i * 7 + v) % tokens.Count]);
                    if (result.IsValid)
                    {
                        if (after)
                        {
                            Interlocked.Increment(ref violations);
                        }
                        else
                        {
                            Interlocked.Increment(ref validBefore);
                        }
                    }
                }
            })).ToArray();

            var revoker = Task.Run(async () =>
            {
                start.Wait();
                await Task.Yield();
                var count = await manager.RevokeAllAsync("alice");
                Volatile.Write(ref returned, 1);
                return count;
            });

            start.Set();
            await Task.WhenAll(validators);
            var revokedCount = await revoker;

            violations.Should().Be(0, $"round {round}");
            revokedCount.Should().Be(16);
            foreach (var token in tokens)
            {
                (await manager.ValidateAsync(token)).Status.Should().Be(SessionValidationStatus.Revoked);
            }
        }
    }

    [Fact]
    public async Task Create_ParallelWithLimit_ExactCount()
    {
        var time = new FakeTimeProvider();
        var keys = SecretKeyRing.FromRootKey("k1", new byte[32]);
        var manager = new SessionManager(
            new SessionOptions { MaxSessionsPerUser = 3, LimitMode = Stores.Sessions.SessionLimitMode.RefuseNew },
            new InMemorySessionStore(new InMemorySessionStoreOptions(), time), keys, time);
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () => (await manager.CreateAsync("alice")).Status)));
        results.Count(r => r == SessionIssueStatus.Issued).Should().Be(3);
        results.Count(r => r == SessionIssueStatus.LimitReached).Should().Be(29);
        (await manager.ListAsync("alice")).Should().HaveCount(3);
    }

    /// <summary>Revokes every session of the user between the manager's lookup and its touch.</summary>
    private sealed class RevokeBeforeTouchStore(InMemorySessionStore inner, TimeProvider time) : DelegatingSessionStore(inner)
    {
        public string? UserId { get; set; }

        public override async ValueTask<bool> TouchAsync(string partition, string idHash, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
        {
            await RevokeFirstAsync(partition, cancellationToken);
            return await base.TouchAsync(partition, idHash, lastUsedAt, cancellationToken);
        }

        public override async ValueTask<bool> TouchIfUnchangedAsync(string partition, string idHash, DateTimeOffset expectedLastUsedAt, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
        {
            await RevokeFirstAsync(partition, cancellationToken);
            return await base.TouchIfUnchangedAsync(partition, idHash, expectedLastUsedAt, lastUsedAt, cancellationToken);
        }

        private async ValueTask RevokeFirstAsync(string partition, CancellationToken cancellationToken)
        {
            if (UserId is not null)
            {
                await Inner.RevokeAllAsync(partition, UserId, null, time.GetUtcNow(), cancellationToken);
            }
        }
    }

    [Fact]
    public async Task Validate_RevokedBetweenLookupAndTouch_IsNotValid()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
        var store = new RevokeBeforeTouchStore(new InMemorySessionStore(new InMemorySessionStoreOptions(), time), time);
        var options = new SessionOptions();
        var manager = new SessionManager(options, store, SecretKeyRing.FromRootKey("k1", new byte[32]), time);
        var token = (await manager.CreateAsync("alice")).Token!;
        time.Advance(options.TouchInterval + TimeSpan.FromSeconds(1));
        store.UserId = "alice";

        var result = await manager.ValidateAsync(token);

        result.IsValid.Should().BeFalse("revoke-all landed before the touch, so the session must not report Valid");
        result.Status.Should().Be(SessionValidationStatus.Revoked);
    }
}
