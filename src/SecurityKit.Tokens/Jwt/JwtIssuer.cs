using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Keys;

namespace SecurityKit.Tokens.Jwt;

/// <summary>
/// Issues signed JWTs with the active key of a <see cref="SigningKeySet"/>: header
/// <c>{"alg":…,"kid":…,"typ":…}</c> (cached per key) and a payload with <c>iss</c>, <c>sub</c>,
/// <c>aud</c>, <c>exp</c>, <c>nbf</c>, <c>iat</c>, <c>jti</c>, <c>sid</c>, <c>ver</c>, <c>roles</c> and custom claims.
/// </summary>
/// <remarks>Thread-safe. Every token carries a <c>kid</c> and the configured <c>typ</c>.</remarks>
[SkipLocalsInit]
public sealed class JwtIssuer
{
    private const int StackBufferSize = 2048;

    [ThreadStatic]
    private static PayloadWriter? t_writer;

    private readonly SigningKeySet _keys;
    private readonly TimeProvider _timeProvider;
    private readonly string _issuer;
    private readonly string[] _audiences;
    private readonly TimeSpan _lifetime;
    private readonly TimeSpan? _maxLifetime;
    private readonly int _maxTokenLength;
    private readonly bool _includeJwtId;
    private readonly byte[] _encodedHeader;
    private readonly SigningKey _key;

    /// <summary>Initializes an issuer.</summary>
    /// <param name="keys">The keys; the active key signs.</param>
    /// <param name="options">The issuer settings; copied.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">The options are not valid; the message says what to set.</exception>
    /// <exception cref="InvalidOperationException">The key set has no active key (<see cref="SigningKeySet.ForValidation"/>).</exception>
    public JwtIssuer(SigningKeySet keys, JwtIssuerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Issuer) || options.Audiences.Count == 0 || options.Audiences.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("JwtIssuerOptions: set Issuer and at least one non-empty audience in Audiences.", nameof(options));
        }

        if (options.Lifetime <= TimeSpan.Zero || string.IsNullOrWhiteSpace(options.TokenType))
        {
            throw new ArgumentException("JwtIssuerOptions: Lifetime must be positive and TokenType set (e.g. \"at+jwt\").", nameof(options));
        }

        if (options.MaxLifetime < options.Lifetime)
        {
            throw new ArgumentException("JwtIssuerOptions: MaxLifetime must be at least Lifetime (the default lifetime).", nameof(options));
        }

        _keys = keys;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _issuer = options.Issuer;
        _audiences = [.. options.Audiences];
        _lifetime = options.Lifetime;
        _maxLifetime = options.MaxLifetime;
        _maxTokenLength = options.MaxTokenLength ?? int.MaxValue;
        _includeJwtId = options.IncludeJwtId;
        _key = keys.ActiveKey;
        _encodedHeader = EncodeHeader(_key, options.TokenType);
    }

    /// <summary>Gets the key set.</summary>
    public SigningKeySet Keys => _keys;

    /// <summary>Creates a token.</summary>
    /// <param name="descriptor">The claims.</param>
    /// <returns>The compact JWS.</returns>
    /// <exception cref="ArgumentException">A custom claim uses a registered name or an unsupported value type.</exception>
    public string CreateToken(JwtDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var lifetime = descriptor.Lifetime ?? _lifetime;
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("The token lifetime must be positive.", nameof(descriptor));
        }

        if (lifetime > _maxLifetime)
        {
            throw new ArgumentException($"The token lifetime ({lifetime}) is longer than JwtIssuerOptions.MaxLifetime ({_maxLifetime}); the validators would reject the token (lifetime_too_long). Ask for a shorter lifetime or raise TokenOptions.AccessTokenLifetime.", nameof(descriptor));
        }

        // Values the validators would refuse at every use are refused here, once (found in review).
        if (descriptor.Subject is { Length: 0 })
        {
            throw new ArgumentException("JwtDescriptor.Subject is empty; set the user id, or null to omit sub. The validators refuse an empty sub (invalid_claim).", nameof(descriptor));
        }

        if (descriptor.TokenVersion is < 0)
        {
            throw new ArgumentException("JwtDescriptor.TokenVersion must not be negative; the validators refuse a negative ver (invalid_claim).", nameof(descriptor));
        }

        if (descriptor.Claims.Count > JwtDescriptor.MaxCustomClaims)
        {
            throw new ArgumentException($"JwtDescriptor.Claims has {descriptor.Claims.Count} custom claims; the validators read at most {JwtDescriptor.MaxCustomClaims} (json_too_complex). Put fewer claims in the token.", nameof(descriptor));
        }

        foreach (var role in descriptor.Roles)
        {
            if (role is null)
            {
                throw new ArgumentException("JwtDescriptor.Roles contains null; the validators refuse a null role (invalid_claim).", nameof(descriptor));
            }
        }

        var state = t_writer ??= new PayloadWriter();
        var writer = state.Begin();
        writer.WriteStartObject();
        writer.WriteString("iss"u8, _issuer);
        if (descriptor.Subject is not null)
        {
            writer.WriteString("sub"u8, descriptor.Subject);
        }

        if (_audiences.Length == 1)
        {
            writer.WriteString("aud"u8, _audiences[0]);
        }
        else
        {
            writer.WriteStartArray("aud"u8);
            foreach (var audience in _audiences)
            {
                writer.WriteStringValue(audience);
            }

            writer.WriteEndArray();
        }

        writer.WriteNumber("exp"u8, now + (long)Math.Ceiling(lifetime.TotalSeconds));
        writer.WriteNumber("nbf"u8, now);
        writer.WriteNumber("iat"u8, now);
        if (descriptor.JwtId is not null)
        {
            writer.WriteString("jti"u8, descriptor.JwtId);
        }
        else if (_includeJwtId)
        {
            Span<byte> random = stackalloc byte[16];
            RandomNumberGenerator.Fill(random);
            Span<byte> jti = stackalloc byte[22];
            System.Buffers.Text.Base64Url.EncodeToUtf8(random, jti);
            writer.WriteString("jti"u8, jti);
        }

        if (descriptor.SessionId is not null)
        {
            writer.WriteString("sid"u8, descriptor.SessionId);
        }

        if (descriptor.TokenVersion is { } version)
        {
            writer.WriteNumber("ver"u8, version);
        }

        if (descriptor.Roles.Count > 0)
        {
            writer.WriteStartArray("roles"u8);
            foreach (var role in descriptor.Roles)
            {
                writer.WriteStringValue(role);
            }

            writer.WriteEndArray();
        }

        if (descriptor.Claims.Count > 0)
        {
            WriteCustomClaims(writer, descriptor.Claims);
        }

        writer.WriteEndObject();
        writer.Flush();
        var length = _encodedHeader.Length + 1 + SecurityKit.Primitives.Base64Url.GetEncodedLength(state.Written.Length) + 1 + SecurityKit.Primitives.Base64Url.GetEncodedLength(_key.SignatureSize);
        if (length > _maxTokenLength)
        {
            throw new ArgumentException($"The token would be {length} characters, longer than JwtIssuerOptions.MaxTokenLength ({_maxTokenLength}); the validators would reject it (token_too_large). Put fewer roles or claims in it, or raise TokenOptions.MaxTokenLength.", nameof(descriptor));
        }

        return Sign(state.Written);
    }

    private string Sign(ReadOnlySpan<byte> payload)
    {
        var key = _key;
        var payloadLength = SecurityKit.Primitives.Base64Url.GetEncodedLength(payload.Length);
        var inputLength = _encodedHeader.Length + 1 + payloadLength;
        var signatureSize = key.SignatureSize;
        var total = inputLength + 1 + SecurityKit.Primitives.Base64Url.GetEncodedLength(signatureSize);
        byte[]? rented = null;
        var buffer = total + signatureSize <= StackBufferSize ? stackalloc byte[StackBufferSize] : (rented = ArrayPool<byte>.Shared.Rent(total + signatureSize));
        try
        {
            _encodedHeader.CopyTo(buffer);
            buffer[_encodedHeader.Length] = (byte)'.';
            System.Buffers.Text.Base64Url.EncodeToUtf8(payload, buffer.Slice(_encodedHeader.Length + 1, payloadLength));
            var signature = buffer.Slice(total, signatureSize);
            var signatureLength = key.Sign(buffer[..inputLength], signature);
            buffer[inputLength] = (byte)'.';
            var encodedSignature = System.Buffers.Text.Base64Url.EncodeToUtf8(signature[..signatureLength], buffer[(inputLength + 1)..total]);
            return Encoding.ASCII.GetString(buffer[..(inputLength + 1 + encodedSignature)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true); // it held the issued token
            }
        }
    }

    private static void WriteCustomClaims(Utf8JsonWriter writer, IDictionary<string, object?> claims)
    {
        foreach (var (name, value) in claims)
        {
            if (string.IsNullOrEmpty(name) || JwtDescriptor.ReservedClaimNames.Contains(name))
            {
                throw new ArgumentException($"Custom claim '{name}' uses an empty or registered name; set the descriptor property instead.", nameof(claims));
            }

            switch (value)
            {
                case null:
                    writer.WriteNull(name);
                    break;
                case string s:
                    writer.WriteString(name, s);
                    break;
                case bool b:
                    writer.WriteBoolean(name, b);
                    break;
                case int i:
                    writer.WriteNumber(name, i);
                    break;
                case long l:
                    writer.WriteNumber(name, l);
                    break;
                case double d when double.IsFinite(d):
                    writer.WriteNumber(name, d);
                    break;
                case DateTimeOffset t:
                    writer.WriteNumber(name, t.ToUnixTimeSeconds());
                    break;
                case IEnumerable<string> strings:
                    writer.WriteStartArray(name);
                    foreach (var s in strings)
                    {
                        writer.WriteStringValue(s);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    throw new ArgumentException($"Custom claim '{name}' has an unsupported value type {value.GetType().Name}.", nameof(claims));
            }
        }
    }

    internal static byte[] EncodeHeader(SigningKey key, string type)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        // The header holds only our own ASCII values (alg, printable-ASCII kid, typ); relaxed escaping keeps "at+jwt" readable.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("alg"u8, JwsAlgorithms.Utf8Name(key.Algorithm));
            writer.WriteString("kid"u8, key.KeyId);
            writer.WriteString("typ"u8, type);
            writer.WriteEndObject();
        }

        var encoded = new byte[SecurityKit.Primitives.Base64Url.GetEncodedLength(buffer.WrittenCount)];
        System.Buffers.Text.Base64Url.EncodeToUtf8(buffer.WrittenSpan, encoded);
        return encoded;
    }

#pragma warning disable CA1001 // One writer per thread for the process lifetime; it holds no unmanaged resources.
    private sealed class PayloadWriter
#pragma warning restore CA1001
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(512);
        private readonly Utf8JsonWriter _writer;

        public PayloadWriter() => _writer = new Utf8JsonWriter(_buffer);

        public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

        public Utf8JsonWriter Begin()
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            return _writer;
        }
    }
}
