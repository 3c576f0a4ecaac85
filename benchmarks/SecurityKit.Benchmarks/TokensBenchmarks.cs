using System.Buffers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;

namespace SecurityKit.Benchmarks;

/// <summary>
/// JWT create/validate: SecurityKit.Tokens vs the bare BCL floor (the crypto and decoding every validator
/// must do: transcode, base64url-decode the signature, HMAC/ECDSA over the same bytes, compare) vs
/// Microsoft.IdentityModel.JsonWebTokens, in one run. Short job (the machine is shared).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[Config(typeof(ShortConfig))]
public class TokensBenchmarks
{
    private const string Issuer = "https://issuer.example";
    private const string Audience = "https://api.example";

    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private JwtIssuer _hsIssuer = null!;
    private JwtValidator _hsValidator = null!;
    private JwtValidator _esValidator = null!;
    private JwtDescriptor _descriptor = null!;
    private string _hsToken = null!;
    private string _esToken = null!;
    private byte[] _hsSigningInput = null!;
    private ECDsa _ecdsa = null!;
    private JsonWebTokenHandler _handler = null!;
    private TokenValidationParameters _hsParameters = null!;
    private TokenValidationParameters _esParameters = null!;
    private SecurityTokenDescriptor _msDescriptor = null!;

    [GlobalSetup]
    public void Setup()
    {
        var hsKey = SigningKey.CreateHmac("k1", JwsAlgorithm.HS256, _secret);
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var esKey = SigningKey.FromEcdsa("e1", ECDsa.Create(_ecdsa.ExportParameters(true)));

        var issuerOptions = new JwtIssuerOptions { Issuer = Issuer, Lifetime = TimeSpan.FromHours(1), IncludeJwtId = false };
        issuerOptions.Audiences.Add(Audience);
        var validation = new JwtValidationOptions();
        validation.ValidIssuers.Add(Issuer);
        validation.ValidAudiences.Add(Audience);

        _hsIssuer = new JwtIssuer(new SigningKeySet(hsKey), issuerOptions);
        _hsValidator = new JwtValidator(new SigningKeySet(hsKey), validation);
        _esValidator = new JwtValidator(new SigningKeySet(esKey), validation);
        _descriptor = new JwtDescriptor { Subject = "user-12345", SessionId = "session-678" };
        _hsToken = _hsIssuer.CreateToken(_descriptor);
        _esToken = new JwtIssuer(new SigningKeySet(esKey), issuerOptions).CreateToken(_descriptor);
        _hsSigningInput = Encoding.ASCII.GetBytes(_hsToken[.._hsToken.LastIndexOf('.')]);

        _handler = new JsonWebTokenHandler();
        var msHsKey = new SymmetricSecurityKey(_secret) { KeyId = "k1" };
        _hsParameters = new TokenValidationParameters { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = msHsKey, ValidTypes = ["at+jwt"] };
        _esParameters = new TokenValidationParameters { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = new ECDsaSecurityKey(_ecdsa) { KeyId = "e1" }, ValidTypes = ["at+jwt"] };
        _msDescriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", "user-12345"), new Claim("sid", "session-678")]),
            Expires = DateTime.UtcNow.AddHours(1),
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(msHsKey, SecurityAlgorithms.HmacSha256),
        };

        if (!Hs256Validate_Floor() || !Hs256Validate_SecurityKit() || !Es256Validate_Floor() || !Es256Validate_SecurityKit()
            || !_handler.ValidateTokenAsync(_hsToken, _hsParameters).GetAwaiter().GetResult().IsValid
            || !_handler.ValidateTokenAsync(_esToken, _esParameters).GetAwaiter().GetResult().IsValid)
        {
            throw new InvalidOperationException("A benchmark subject rejects the benchmark token.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _ecdsa.Dispose();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("HS256 create")]
    public string Hs256Create_Floor()
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, _hsSigningInput, mac);
        Span<char> sig = stackalloc char[43];
        System.Buffers.Text.Base64Url.EncodeToChars(mac, sig);
        return string.Create(_hsSigningInput.Length + 44, (this, sig.ToString()), static (span, s) =>
        {
            Encoding.ASCII.GetChars(s.Item1._hsSigningInput, span);
            span[s.Item1._hsSigningInput.Length] = '.';
            s.Item2.AsSpan().CopyTo(span[(s.Item1._hsSigningInput.Length + 1)..]);
        });
    }

    [Benchmark]
    [BenchmarkCategory("HS256 create")]
    public string Hs256Create_SecurityKit() => _hsIssuer.CreateToken(_descriptor);

    [Benchmark]
    [BenchmarkCategory("HS256 create")]
    public string Hs256Create_IdentityModel() => _handler.CreateToken(_msDescriptor);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("HS256 validate")]
    public bool Hs256Validate_Floor()
    {
        var token = _hsToken.AsSpan();
        var dot = token.LastIndexOf('.');
        Span<byte> input = stackalloc byte[dot];
        Encoding.ASCII.GetBytes(token[..dot], input);
        Span<byte> signature = stackalloc byte[32];
        if (System.Buffers.Text.Base64Url.DecodeFromChars(token[(dot + 1)..], signature, out _, out var written) != OperationStatus.Done || written != 32)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, input, mac);
        return CryptographicOperations.FixedTimeEquals(mac, signature);
    }

    [Benchmark]
    [BenchmarkCategory("HS256 validate")]
    public bool Hs256Validate_SecurityKit() => _hsValidator.Validate(_hsToken).IsValid;

    [Benchmark]
    [BenchmarkCategory("HS256 validate")]
    public async Task<bool> Hs256Validate_IdentityModel() => (await _handler.ValidateTokenAsync(_hsToken, _hsParameters)).IsValid;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("ES256 validate")]
    public bool Es256Validate_Floor()
    {
        var token = _esToken.AsSpan();
        var dot = token.LastIndexOf('.');
        Span<byte> input = stackalloc byte[dot];
        Encoding.ASCII.GetBytes(token[..dot], input);
        Span<byte> signature = stackalloc byte[64];
        if (System.Buffers.Text.Base64Url.DecodeFromChars(token[(dot + 1)..], signature, out _, out var written) != OperationStatus.Done || written != 64)
        {
            return false;
        }

        return _ecdsa.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    [Benchmark]
    [BenchmarkCategory("ES256 validate")]
    public bool Es256Validate_SecurityKit() => _esValidator.Validate(_esToken).IsValid;

    [Benchmark]
    [BenchmarkCategory("ES256 validate")]
    public async Task<bool> Es256Validate_IdentityModel() => (await _handler.ValidateTokenAsync(_esToken, _esParameters)).IsValid;

    private sealed class ShortConfig : ManualConfig
    {
        public ShortConfig() =>
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(5).WithLaunchCount(1).WithId("Short"));
    }
}
