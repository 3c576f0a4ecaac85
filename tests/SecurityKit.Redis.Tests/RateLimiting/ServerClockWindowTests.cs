using Microsoft.Extensions.Time.Testing;

namespace SecurityKit.Redis.Tests.RateLimiting;

/// <summary>The test helper that keeps exact counts inside one server-clock window.</summary>
public sealed class ServerClockWindowTests
{
    private static readonly DateTimeOffset Midnight = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EnoughOfTheWindowLeft_ReturnsAtOnce()
    {
        var time = new FakeTimeProvider(Midnight + TimeSpan.FromSeconds(30));

        (await ServerClockWindow.StartWithRoomAsync(TimeSpan.FromMinutes(1), time)).Should().Be(TimeSpan.Zero, "exactly the 30 s of room are left");

        time.Advance(TimeSpan.FromTicks(1));
        var waiting = ServerClockWindow.StartWithRoomAsync(TimeSpan.FromMinutes(1), time);
        waiting.IsCompleted.Should().BeFalse("a tick less than the room is left");
        time.Advance(TimeSpan.FromSeconds(31));
        await waiting;
    }

    [Fact]
    public async Task LessThanTheRoomLeft_WaitsPastTheNextBoundary()
    {
        var time = new FakeTimeProvider(Midnight + TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(45));

        var waiting = ServerClockWindow.StartWithRoomAsync(TimeSpan.FromHours(1), time);
        waiting.IsCompleted.Should().BeFalse("15 s of the hour are left");
        time.Advance(TimeSpan.FromSeconds(15));
        waiting.IsCompleted.Should().BeFalse("it waits a little past the boundary");
        time.Advance(TimeSpan.FromMilliseconds(50));

        (await waiting).Should().Be(TimeSpan.FromMilliseconds(15_050));
        (time.GetUtcNow() - Midnight - TimeSpan.FromHours(1)).Should().Be(TimeSpan.FromMilliseconds(50), "the new window has just begun");
    }

    [Fact]
    public async Task WindowNoLongerThanTheRoom_Refused()
    {
        await FluentActions.Awaiting(() => ServerClockWindow.StartWithRoomAsync(ServerClockWindow.Room, new FakeTimeProvider(Midnight)))
            .Should().ThrowAsync<ArgumentOutOfRangeException>();
    }
}
