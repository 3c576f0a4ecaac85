using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecurityKit;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Otp;
using SecurityKit.Otp.Stores;
using SecurityKit.Stores.Otp;
using SecurityKit.Stores.RateLimiting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds SecurityKit.Otp to a SecurityKit builder.</summary>
public static class OtpSecurityKitBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="TotpService"/> (and <see cref="HotpService"/>) with the in-memory
    /// <see cref="IOtpStateStore"/> and the built-in <see cref="IOtpFailureLimiter"/> unless others are
    /// registered. Requires a key for <see cref="KeyPurposes.OtpSecretProtection"/> (or a root key) at startup.
    /// Idempotent; every call's <paramref name="configure"/> runs.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures <see cref="TotpOptions"/>, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder AddTotp(this ISecurityKitBuilder builder, Action<TotpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (!TryMark<TotpMarker>(services))
        {
            return builder;
        }

        services.AddOptions<TotpOptions>().ValidateOnStart();
        services.AddOptions<HotpOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TotpOptions>, OtpOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HotpOptions>, OtpOptionsValidator>());
        AddShared(builder);
        builder.RequireKey(KeyPurposes.OtpSecretProtection, "SecurityKit.Otp (TOTP/HOTP secret protection)");
        services.TryAddSingleton(sp => new TotpService(
            sp.GetRequiredService<IOptions<TotpOptions>>(), sp.GetRequiredService<ISecretKeyRing>(), sp.GetRequiredService<IOtpStateStore>(),
            sp.GetRequiredService<IOtpFailureLimiter>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SecurityEventPublisher>()));
        services.TryAddSingleton(sp => new HotpService(
            sp.GetRequiredService<IOptions<HotpOptions>>(), sp.GetRequiredService<ISecretKeyRing>(), sp.GetRequiredService<IOtpStateStore>(),
            sp.GetRequiredService<IOtpFailureLimiter>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SecurityEventPublisher>()));
        return builder;
    }

    /// <summary>
    /// Adds <see cref="BackupCodeService"/> with the in-memory <see cref="IBackupCodeStore"/> unless another is
    /// registered. Requires a key for <see cref="KeyPurposes.BackupCodes"/> (or a root key) at startup. Idempotent.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures <see cref="BackupCodeOptions"/>, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder AddBackupCodes(this ISecurityKitBuilder builder, Action<BackupCodeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (!TryMark<BackupCodesMarker>(services))
        {
            return builder;
        }

        services.AddOptions<BackupCodeOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackupCodeOptions>, OtpOptionsValidator>());
        AddShared(builder);
        builder.RequireKey(KeyPurposes.BackupCodes, "SecurityKit.Otp backup codes");
        services.TryAddSingleton<IBackupCodeStore>(_ => new InMemoryBackupCodeStore());
        services.TryAddSingleton(sp => new BackupCodeService(
            sp.GetRequiredService<IOptions<BackupCodeOptions>>(), sp.GetRequiredService<ISecretKeyRing>(), sp.GetRequiredService<IBackupCodeStore>(),
            sp.GetRequiredService<IOtpFailureLimiter>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SecurityEventPublisher>()));
        return builder;
    }

    /// <summary>Configures the failed-verification limit shared by TOTP, HOTP and backup codes.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures <see cref="OtpLockoutOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder ConfigureOtpLockout(this ISecurityKitBuilder builder, Action<OtpLockoutOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        TryMark<OtpLockoutConfiguredMarker>(builder.Services);
        AddShared(builder);
        return builder;
    }

    private static bool TryMark<TMarker>(IServiceCollection services)
        where TMarker : class, new()
    {
        if (services.Any(d => d.ServiceType == typeof(TMarker)))
        {
            return false;
        }

        services.AddSingleton(new TMarker());
        return true;
    }

    /// <summary>
    /// Limits failed TOTP, HOTP and backup-code verifications with <see cref="ProgressiveOtpFailureLimiter"/>: the
    /// registered <see cref="IRateLimitStore"/>'s lockout curve (free attempts, doubling delays, a hard stop at most 100)
    /// instead of the built-in consecutive-failure counter. The store must be registered (<c>AddRateLimiting()</c> for
    /// the in-memory one, or <c>UseRedis(…)</c>); startup validation says so otherwise. <c>AddSecurityKit()</c> calls this.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="rule">The curve, or <see langword="null"/> for <see cref="ProgressiveOtpFailureLimiter.DefaultRule"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="rule"/> allows more than 100 consecutive failures, locks permanently, or
    /// lets an attacker keep up more than <see cref="LockoutRule.SafeAttemptsPerDay"/> guesses a day.</exception>
    public static ISecurityKitBuilder UseProgressiveOtpLockout(this ISecurityKitBuilder builder, LockoutRule? rule = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        rule ??= ProgressiveOtpFailureLimiter.DefaultRule;
        ProgressiveOtpFailureLimiter.ThrowIfUnsafe(rule); // now, where the caller can see it
        // The store keys are HMACs of the user id under this purpose's key; without one the limiter fell back to a plain
        // SHA-256 of the user id (testable by anyone who reads the store), and adding a key later restarted every counter
        // (found in review).
        builder.RequireKey(KeyPurposes.RateLimitKeys, "SecurityKit.Otp progressive OTP lockout (user ids in store keys)");
        var services = builder.Services;
        services.RemoveAll<IOtpFailureLimiter>();
        services.AddSingleton<IOtpFailureLimiter>(sp => new ProgressiveOtpFailureLimiter(sp.GetRequiredService<IRateLimitStore>(), sp.GetService<ISecretKeyRing>(), rule));
        if (!TryMark<ProgressiveOtpLockoutMarker>(services))
        {
            return builder; // the startup check is registered once; the last rule wins
        }

        services.AddOptions<ProgressiveOtpLockoutCheck>()
            .Validate<IServiceProvider>(
                static (_, sp) => sp.GetService<IRateLimitStore>() is not null,
                "UseProgressiveOtpLockout needs an IRateLimitStore: call AddRateLimiting() for the in-memory store, or UseRedis(…).")
            .Validate<IServiceProvider>(
                static (_, sp) => sp.GetService<OtpLockoutConfiguredMarker>() is null || sp.GetService<IOtpFailureLimiter>() is not ProgressiveOtpFailureLimiter,
                "ConfigureOtpLockout(…) sets the built-in failure counter, but the progressive OTP lockout is in force (UseProgressiveOtpLockout, which AddSecurityKit() calls), so those options would be ignored: pass a LockoutRule to UseProgressiveOtpLockout(rule) instead, or remove ConfigureOtpLockout.")
            .ValidateOnStart();
        return builder;
    }

    private static void AddShared(ISecurityKitBuilder builder)
    {
        var services = builder.Services;
        if (!TryMark<SharedMarker>(services))
        {
            return;
        }

        services.AddOptions<OtpLockoutOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OtpLockoutOptions>, OtpOptionsValidator>());
        services.TryAddSingleton<IOtpStateStore>(sp => new InMemoryOtpStateStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAdd(ServiceDescriptor.Singleton(typeof(IOtpFailureLimiter), BuiltInLimiter));
    }

    /// <summary>The built-in limiter's factory: one instance, so <see cref="IsOtpFailureLimiterChosen"/> can tell its registration from
    /// a host's.</summary>
    private static readonly Func<IServiceProvider, object> BuiltInLimiter =
        static sp => new StoreOtpFailureLimiter(sp.GetRequiredService<IOtpStateStore>(), sp.GetRequiredService<IOptions<OtpLockoutOptions>>());

    /// <summary>
    /// Whether the host chose how OTP failures are limited: <see cref="UseProgressiveOtpLockout"/> or
    /// <see cref="ConfigureOtpLockout"/> was called, or an unkeyed <see cref="IOtpFailureLimiter"/> other than the built-in
    /// one that <c>AddTotp()</c> and <c>AddBackupCodes()</c> register is present. For <c>AddSecurityKit()</c> (a public
    /// hook, not an internal one, because the two are separate packages): it treated any registration as a choice, so
    /// <c>AddTotp()</c> before it, or a keyed limiter, silently kept the built-in counter (~960 guesses a day) instead of the
    /// progressive lockout (~53; found in review).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><see langword="true"/> when the host chose.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static bool IsOtpFailureLimiterChosen(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.Any(d => d.ServiceType == typeof(ProgressiveOtpLockoutMarker) || d.ServiceType == typeof(OtpLockoutConfiguredMarker)
            || (d.ServiceType == typeof(IOtpFailureLimiter) && !d.IsKeyedService && !ReferenceEquals(d.ImplementationFactory, BuiltInLimiter)));
    }
}

internal sealed class TotpMarker;

internal sealed class BackupCodesMarker;

internal sealed class SharedMarker;

internal sealed class ProgressiveOtpLockoutCheck;

internal sealed class ProgressiveOtpLockoutMarker;

internal sealed class OtpLockoutConfiguredMarker;
