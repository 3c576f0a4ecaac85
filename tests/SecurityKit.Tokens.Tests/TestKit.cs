using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Events;
using SecurityKit.Primitives;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;

namespace SecurityKit.Tokens.Tests;

/// <summary>Shared keys, clocks and a token forger for tests.</summary>
internal static class TestKit
{
    public const string Issuer = "https://issuer.example";
    public const string Audience = "https://api.example";

    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly byte[] HmacSecret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static readonly Lazy<RSAParameters> RsaParameters = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportParameters(true);
    });

    public static SigningKey Hs256(string kid = "hs1") => SigningKey.CreateHmac(kid, JwsAlgorithm.HS256, HmacSecret);

    public static SigningKey Rsa(string kid, JwsAlgorithm algorithm)
    {
        var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportParameters(RsaParameters.Value);
        return SigningKey.FromRsa(kid, rsa, algorithm);
    }

    public static SigningKey Create(JwsAlgorithm algorithm, string kid) => algorithm switch
    {
        JwsAlgorithm.HS256 or JwsAlgorithm.HS384 or JwsAlgorithm.HS512 => SigningKey.GenerateHmac(kid, algorithm),
        JwsAlgorithm.ES256 or JwsAlgorithm.ES384 => SigningKey.GenerateEcdsa(kid, algorithm),
        _ => Rsa(kid, algorithm),
    };

    public static FakeTimeProvider Clock() => new(Start);

    public static JwtValidationOptions ValidationOptions()
    {
        var o = new JwtValidationOptions();
        o.ValidIssuers.Add(Issuer);
        o.ValidAudiences.Add(Audience);
        return o;
    }

    public static JwtIssuerOptions IssuerOptions()
    {
        var o = new JwtIssuerOptions { Issuer = Issuer };
        o.Audiences.Add(Audience);
        return o;
    }

    public static long Now => Start.ToUnixTimeSeconds();

    /// <summary>A valid payload at <see cref="Start"/>, for forging.</summary>
    public static string Payload(string extra = "") =>
        $"{{\"iss\":\"{Issuer}\",\"sub\":\"user-1\",\"aud\":\"{Audience}\",\"exp\":{Now + 600},\"iat\":{Now},\"nbf\":{Now}{extra}}}";

    public static string Header(string kid = "hs1", string alg = "HS256", string extra = "") =>
        $"{{\"alg\":\"{alg}\",\"kid\":\"{kid}\",\"typ\":\"at+jwt\"{extra}}}";

    /// <summary>Builds a compact JWS from raw JSON texts, signed with <paramref name="key"/> (or an HMAC over raw bytes).</summary>
    public static string Forge(string headerJson, string payloadJson, SigningKey? key = null, byte[]? hmacKey = null)
    {
        var input = B64(headerJson) + "." + B64(payloadJson);
        var bytes = Encoding.ASCII.GetBytes(input);
        byte[] signature;
        if (hmacKey is not null)
        {
            signature = HMACSHA256.HashData(hmacKey, bytes);
        }
        else
        {
            key ??= Hs256();
            signature = new byte[key.SignatureSize];
            var n = key.Sign(bytes, signature);
            signature = signature[..n];
        }

        return input + "." + Base64Url.Encode(signature);
    }

    public static string B64(string text) => Base64Url.Encode(Encoding.UTF8.GetBytes(text));

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}

/// <summary>Collects published events.</summary>
internal sealed class EventCollector : ISecurityEventSink
{
    private readonly List<SecurityEvent> _events = [];

    public IReadOnlyList<SecurityEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public SecurityEventPublisher Publisher(TimeProvider time) => new([this], time);

    public void Handle(SecurityEvent securityEvent)
    {
        lock (_events)
        {
            _events.Add(securityEvent);
        }
    }
}
