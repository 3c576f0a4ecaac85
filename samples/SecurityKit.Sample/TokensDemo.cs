using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Tokens.AccessTokens;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;
using SecurityKit.Tokens.RefreshTokens;

/// <summary>A short tour of SecurityKit.Tokens: issue, validate, refresh, reuse detection, revoke.</summary>
public static class TokensDemo
{
    /// <summary>Runs the tour on services built with <c>AddSecurityKit()</c> (or <c>AddTokens()</c>).</summary>
    /// <param name="services">The service provider.</param>
    /// <returns>A task.</returns>
    public static async Task RunAsync(IServiceProvider services)
    {
        var access = services.GetRequiredService<AccessTokenService>();
        var refresh = services.GetRequiredService<RefreshTokenService>();
        Console.WriteLine("== Tokens ==");

        // 1. Sign-in: an access token (at+jwt, 15 min) and a refresh token (opaque, family of one sign-in). The token
        //    version is read before the password check and compared at the end: a sign-out everywhere in between
        //    fails the sign-in.
        var version = await access.GetTokenVersionAsync("alice");
        var descriptor = new JwtDescriptor { Subject = "alice", SessionId = "laptop" };
        descriptor.Roles.Add("admin");
        var refreshToken = await refresh.IssueAsync("alice", "laptop");
        var accessToken = await access.IssueAsync(descriptor);
        if (await access.GetTokenVersionAsync("alice") != version)
        {
            await refresh.RevokeFamilyAsync(refreshToken.Family.FamilyId);
            throw new InvalidOperationException("Signed out everywhere during the sign-in.");
        }

        Console.WriteLine($"1. issued access token ({accessToken.Length} chars, kid {services.GetRequiredService<SigningKeySet>().ActiveKey.KeyId}) and {refreshToken}");

        // 2. Validate: a typed result, never an exception; claims decoded on demand.
        var result = await access.ValidateAsync(accessToken);
        Console.WriteLine($"2. validate: {result} sub={result.GetSubject()} roles={string.Join(",", result.ReadClaims().Roles)} expires={result.ExpiresAt:HH:mm:ss}");
        Console.WriteLine($"   tampered: {access.Validate(accessToken[..^2] + "AA").FailureReason}; alg none: {access.Validate("eyJhbGciOiJub25lIn0.e30.").FailureReason}");

        // 3. Refresh: the presented token is retired and a successor returned. A concurrent request with the same
        //    token inside the grace window gets the same successor instead of tripping reuse detection.
        var first = await refresh.RefreshAsync(refreshToken.Token);
        var duplicate = await refresh.RefreshAsync(refreshToken.Token);
        Console.WriteLine($"3. refresh: {first.Status}, generation {first.Family!.Generation}; concurrent duplicate: {duplicate.Status}, same successor: {duplicate.Token == first.Token}");
        var refreshedAccess = await access.IssueAsync(new JwtDescriptor { Subject = first.Family.UserId });
        // After issuing, confirm the family is still active: a "sign out everywhere" may have landed in between.
        Console.WriteLine($"   new access token issued ({refreshedAccess.Length} chars); family still active: {await refresh.IsActiveAsync(first.Family.FamilyId)}");

        // 4. Reuse: once the successor has itself been used, the original token is two generations old;
        //    presenting it revokes the whole family (a Critical event is published).
        var second = await refresh.RefreshAsync(first.Token);
        var stolen = await refresh.RefreshAsync(refreshToken.Token, clientIp: "203.0.113.7");
        var legit = await refresh.RefreshAsync(second.Token);
        Console.WriteLine($"4. reuse of the old token: {stolen.Status}; the legitimate successor is now: {legit.Status}");

        // 5. Revoke: one device, or sign out everywhere (access-token version, every family, version again).
        var phone = await refresh.IssueAsync("alice", "phone");
        var tablet = await refresh.IssueAsync("alice", "tablet");
        Console.WriteLine($"5. active families: {(await refresh.ListFamiliesAsync("alice")).Count}; tablet signed out: {await refresh.RevokeFamilyAsync("alice", tablet.Family.FamilyId)}");
        await access.SignOutEverywhereAsync("alice", refresh);
        Console.WriteLine($"   after sign-out-everywhere the phone's refresh token is: {(await refresh.RefreshAsync(phone.Token)).Status}");
        Console.WriteLine($"   after sign-out-everywhere the old access token is: {(await access.ValidateAsync(accessToken)).FailureReason}");
        Console.WriteLine($"   JWKS (HMAC keys are never published): {services.GetRequiredService<SigningKeySet>().ExportJwks()}");
    }
}
