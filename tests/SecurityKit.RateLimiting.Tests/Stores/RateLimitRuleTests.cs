using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Tests.Stores;

public sealed class RateLimitRuleTests
{
    [Theory]
    [InlineData(0, 1000)]
    [InlineData(RateLimitRule.MaxLimit + 1, 1000)]
    [InlineData(10, 0)]
    [InlineData(10, 1.5)]
    public void Constructor_OutOfRange_Throws(int limit, double windowMs)
    {
        FluentActions.Invoking(() => RateLimitRule.FixedWindow(limit, TimeSpan.FromMilliseconds(windowMs)))
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void WithLimitFactor_Halves_AndKeepsAtLeastOne()
    {
        RateLimitRule.TokenBucket(10, TimeSpan.FromSeconds(1)).WithLimitFactor(0.5).Limit.Should().Be(5);
        RateLimitRule.TokenBucket(1, TimeSpan.FromSeconds(1)).WithLimitFactor(0.1).Limit.Should().Be(1);
        FluentActions.Invoking(() => RateLimitRule.TokenBucket(1, TimeSpan.FromSeconds(1)).WithLimitFactor(0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void LockoutRule_GetDelay_DoublesAndCaps()
    {
        var rule = new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), 100, TimeSpan.FromDays(1), false);

        rule.GetDelay(4).Should().Be(TimeSpan.Zero);
        rule.GetDelay(5).Should().Be(TimeSpan.FromSeconds(1));
        rule.GetDelay(9).Should().Be(TimeSpan.FromSeconds(16));
        rule.GetDelay(30).Should().Be(TimeSpan.FromHours(1));
        rule.GetDelay(99).Should().Be(TimeSpan.FromHours(1));
    }

    [Fact]
    public void LockoutRule_Invalid_Throws()
    {
        FluentActions.Invoking(() => new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), 5, TimeSpan.FromDays(1), false))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), 10, TimeSpan.FromMinutes(1), false))
            .Should().Throw<ArgumentOutOfRangeException>();
    }
}
