namespace SecurityKit.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisFixtureTests(RedisServerFixture fixture)
{
    [SkippableFact]
    public async Task Fixture_StartsPrivateServer_AnswersPing()
    {
        fixture.EnsureAvailable();
        var latency = await fixture.Multiplexer!.GetDatabase().PingAsync();
        latency.Should().BeLessThan(TimeSpan.FromSeconds(2));
        fixture.Port.Should().BeGreaterThan(0);
    }
}
