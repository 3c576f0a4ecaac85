using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecurityKit;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Stores.Tokens;
using SecurityKit.Tokens;
using SecurityKit.Tokens.AccessTokens;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;
using SecurityKit.Tokens.RefreshTokens;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SecurityKit.Tokens.</summary>
public static class TokensBuilderExtensions
{
    /// <summary>
    /// Adds access tokens (<see cref="AccessTokenService"/>, <see cref="JwtIssuer"/>, <see cref="JwtValidator"/>,
    /// <see cref="SigningKeySet"/>) and refresh tokens (<see cref="RefreshTokenService"/>) with in-memory
    /// stores (<see cref="RefreshTokenStore"/>, <see cref="TokenVersionStore"/>). Idempotent; options are
    /// validated at startup, including the signing keys.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures <see cref="TokenOptions"/>, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder AddTokens(this ISecurityKitBuilder builder, Action<TokenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(TokensMarker)))
        {
            return builder;
        }

        services.AddSingleton<TokensMarker>();
        services.AddOptions<TokenOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenOptions>, TokenOptionsValidator>());
        services.TryAddSingleton<RefreshTokenStore>(_ => new InMemoryRefreshTokenStore());
        services.TryAddSingleton<TokenVersionStore>(_ => new InMemoryTokenVersionStore());
        services.TryAddSingleton(sp => TokenKeyLoader.Load(sp.GetRequiredService<IOptions<TokenOptions>>().Value, sp.GetRequiredService<ISecretKeyRing>()));
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<TokenOptions>>().Value;
            var issuer = new JwtIssuerOptions { Issuer = o.Issuer, Lifetime = o.AccessTokenLifetime, MaxLifetime = o.AccessTokenLifetime, MaxTokenLength = o.MaxTokenLength };
            issuer.Audiences.Add(o.Audience);
            return new JwtIssuer(sp.GetRequiredService<SigningKeySet>(), issuer, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<TokenOptions>>().Value;
            var validation = new JwtValidationOptions
            {
                ClockSkew = o.ClockSkew,
                MaxTokenLength = o.MaxTokenLength,
                MaxLifetime = o.AccessTokenLifetime + o.ClockSkew,
            };
            validation.ValidIssuers.Add(o.Issuer);
            validation.ValidAudiences.Add(o.Audience);
            return new JwtValidator(sp.GetRequiredService<SigningKeySet>(), validation, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp => new AccessTokenService(
            sp.GetRequiredService<JwtIssuer>(),
            sp.GetRequiredService<JwtValidator>(),
            sp.GetRequiredService<IOptions<TokenOptions>>().Value.EnableTokenVersions ? sp.GetRequiredService<TokenVersionStore>() : null,
            sp.GetRequiredService<SecurityEventPublisher>()));
        services.TryAddSingleton(sp => new RefreshTokenService(
            sp.GetRequiredService<RefreshTokenStore>(),
            sp.GetRequiredService<IOptions<TokenOptions>>().Value.Refresh,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<SecurityEventPublisher>()));
        return builder;
    }

    private sealed class TokensMarker;
}
