using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Polly;
using Polly.RateLimiting;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Tests;

/// <summary>The adapters plugged into the two consumers the issue names: ASP.NET Core's rate-limiting middleware and Polly.</summary>
public sealed class IntegrationTests
{
    /// <summary>A test server whose global limiter is <paramref name="rule"/> as a SecurityKit policy behind
    /// <c>UseRateLimiter()</c>; every request that passes answers "ok".</summary>
    private static Task<IHost> StartHostAsync(RateLimitRule rule, Func<HttpContext, string> partition, Action<RateLimiterOptions>? configure = null) =>
        new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(services =>
                {
                    services.AddSecurityKitCore().AddRateLimiting(o => o.AddPolicy("api", rule));
                    services.AddRateLimiter(_ => { });
                    services.AddOptions<RateLimiterOptions>().Configure<SecurityRateLimiter>((o, limiter) =>
                    {
                        o.GlobalLimiter = limiter.CreatePartitionedLimiter("api", partition);
                        o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                        configure?.Invoke(o);
                    });
                })
                .Configure(app =>
                {
                    app.UseRateLimiter();
                    app.Run(context => context.Response.WriteAsync("ok"));
                }))
            .StartAsync();

    [Fact]
    public async Task AspNetCoreAddRateLimiter_GlobalLimiterFromAPolicy_Returns429WithRetryAfter()
    {
        // Partition by a client id header here; a real app uses the user id or the resolved client IP.
        using var host = await StartHostAsync(
            RateLimitRule.FixedWindow(3, TimeSpan.FromMinutes(1)),
            ctx => ctx.Request.Headers["X-Client"].ToString() is { Length: > 0 } id ? id : "anonymous",
            o => o.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return ValueTask.CompletedTask;
            });
        var client = host.GetTestClient();

        async Task<HttpResponseMessage> Get(string clientId)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("X-Client", clientId);
            return await client.SendAsync(request);
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await Get("tenant-a");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var seconds = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
                seconds.Should().BeInRange(1, 60);
            }
        }

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
        using var other = await Get("tenant-b");
        other.StatusCode.Should().Be(HttpStatusCode.OK, "partitions are counted apart");
    }

    [Fact]
    public async Task AspNetCore_100ParallelRequests_ExactlyTheLimitSucceed()
    {
        using var host = await StartHostAsync(RateLimitRule.TokenBucket(37, TimeSpan.FromHours(1)), _ => "one-client");
        var client = host.GetTestClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => client.GetAsync("/"))));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().Be(37);
        responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests).Should().Be(63);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task PollyRateLimiterStrategy_RejectsPastTheLimitWithRetryAfter()
    {
        var time = TestKeys.Clock();
        var options = new RateLimitingOptions().AddPolicy("outbound", RateLimitRule.TokenBucket(2, TimeSpan.FromSeconds(10)));
        var limiter = new SecurityRateLimiter(new SecurityKit.RateLimiting.Stores.InMemoryRateLimitStore(new SecurityKit.RateLimiting.Stores.InMemoryRateLimitStoreOptions(), time), options, time);
        using var rateLimiter = limiter.CreateLimiter("outbound", "payments-api");
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(rateLimiter).Build();
        var calls = 0;

        for (var i = 0; i < 2; i++)
        {
            await pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; });
        }

        var rejected = await FluentActions.Awaiting(async () => await pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; }))
            .Should().ThrowAsync<RateLimiterRejectedException>();
        rejected.Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(5), "one permit of 2 per 10 s comes back after 5 s");
        calls.Should().Be(2);

        time.Advance(TimeSpan.FromSeconds(5));
        await pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; });
        calls.Should().Be(3);
    }
}
