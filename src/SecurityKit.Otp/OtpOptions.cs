using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace SecurityKit.Otp
{
    /// <summary>Options of <see cref="TotpService"/>.</summary>
    /// <remarks>Validated at startup (<c>ValidateOnStart</c>) and by the <see cref="TotpService"/> constructor.</remarks>
    public sealed class TotpOptions
    {
        /// <summary>A copy, so a service is not changed (past its validation) by later changes to the host's instance.</summary>
        internal TotpOptions Clone() => (TotpOptions)MemberwiseClone();

        /// <summary>Gets or sets the issuer shown by authenticator apps: your service's name, without a colon, at most 100 characters.</summary>
        /// <value>The default value is <c>"SecurityKit"</c>; set it to your application's name.</value>
        public string Issuer { get; set; } = "SecurityKit";

        /// <summary>Gets or sets the HMAC hash function of new enrollments.</summary>
        /// <value>The default value is <see cref="OtpAlgorithm.Sha1"/> (the one every app supports).</value>
        public OtpAlgorithm Algorithm { get; set; } = OtpAlgorithm.Sha1;

        /// <summary>Gets or sets the code length of new enrollments, 6 to 8.</summary>
        /// <value>The default value is 6.</value>
        public int Digits { get; set; } = 6;

        /// <summary>Gets or sets the time step of new enrollments: whole seconds, 15 s to 5 min.</summary>
        /// <value>The default value is 30 seconds (RFC 6238 §5.2).</value>
        public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Gets or sets the secret size in bytes of new enrollments, 16 to 64; 0 picks the size of the MAC (20, 32 or 64).</summary>
        /// <value>The default value is 0 (20 bytes for SHA-1, as RFC 4226 §4 recommends).</value>
        public int SecretLength { get; set; }

        /// <summary>Gets or sets how many earlier time steps are accepted (clock drift, slow typing), 0 to 5.</summary>
        /// <value>The default value is 1 (RFC 6238 §5.2 recommends at most one step of network delay).</value>
        public int AllowedStepsBehind { get; set; } = 1;

        /// <summary>Gets or sets how many later time steps are accepted (a fast client clock), 0 to 5.</summary>
        /// <value>The default value is 0.</value>
        public int AllowedStepsAhead { get; set; }

        /// <summary>Gets or sets how long a started enrollment can be confirmed, 1 minute to 1 day.</summary>
        /// <value>The default value is 10 minutes.</value>
        public TimeSpan EnrollmentLifetime { get; set; } = TimeSpan.FromMinutes(10);

        internal bool ReplayProtectionDisabled { get; set; }

        internal int EffectiveSecretLength => SecretLength == 0 ? OtpCore.DefaultSecretLength(Algorithm) : SecretLength;

        internal int PeriodSeconds => (int)Period.TotalSeconds;
    }

    /// <summary>Options of <see cref="HotpService"/>.</summary>
    public sealed class HotpOptions
    {
        /// <summary>A copy, so a service is not changed (past its validation) by later changes to the host's instance.</summary>
        internal HotpOptions Clone() => (HotpOptions)MemberwiseClone();

        /// <summary>Gets or sets the issuer shown by authenticator apps, without a colon, at most 100 characters.</summary>
        /// <value>The default value is <c>"SecurityKit"</c>.</value>
        public string Issuer { get; set; } = "SecurityKit";

        /// <summary>Gets or sets the HMAC hash function of new enrollments.</summary>
        /// <value>The default value is <see cref="OtpAlgorithm.Sha1"/>.</value>
        public OtpAlgorithm Algorithm { get; set; } = OtpAlgorithm.Sha1;

        /// <summary>Gets or sets the code length of new enrollments, 6 to 8.</summary>
        /// <value>The default value is 6.</value>
        public int Digits { get; set; } = 6;

        /// <summary>Gets or sets the secret size in bytes, 16 to 64; 0 picks the size of the MAC.</summary>
        /// <value>The default value is 0.</value>
        public int SecretLength { get; set; }

        /// <summary>Gets or sets how many counters past the expected one a code may come from (RFC 4226 §7.4 look-ahead), 0 to 50.</summary>
        /// <value>The default value is 10.</value>
        public int LookAhead { get; set; } = 10;

        /// <summary>Gets or sets how far ahead resynchronisation with two consecutive codes searches, 1 to 1000.</summary>
        /// <value>The default value is 100.</value>
        public int ResynchronizationWindow { get; set; } = 100;

        /// <summary>Gets or sets how long a started enrollment can be confirmed, 1 minute to 1 day.</summary>
        /// <value>The default value is 10 minutes.</value>
        public TimeSpan EnrollmentLifetime { get; set; } = TimeSpan.FromMinutes(10);

        internal int EffectiveSecretLength => SecretLength == 0 ? OtpCore.DefaultSecretLength(Algorithm) : SecretLength;
    }

    /// <summary>Options of the built-in failed-verification limiter (<see cref="StoreOtpFailureLimiter"/>), shared by TOTP, HOTP and backup codes.</summary>
    public sealed class OtpLockoutOptions
    {
        /// <summary>Gets or sets how many consecutive failed verifications lock a user's second factor, 1 to 100 (NIST SP 800-63B §5.2.2 caps it at 100).</summary>
        /// <value>The default value is 10.</value>
        public int MaxConsecutiveFailures { get; set; } = 10;

        /// <summary>Gets or sets how long after the last failure the count is forgotten (and a lockout ends), 1 minute to 1 day.</summary>
        /// <value>The default value is 15 minutes.</value>
        public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

        internal OtpLockoutOptions Clone() => (OtpLockoutOptions)MemberwiseClone();
    }

    /// <summary>Options of <see cref="BackupCodeService"/>.</summary>
    public sealed class BackupCodeOptions
    {
        /// <summary>A copy, so a service is not changed (past its validation) by later changes to the host's instance.</summary>
        internal BackupCodeOptions Clone() => (BackupCodeOptions)MemberwiseClone();

        /// <summary>Gets or sets how many codes a set holds, 1 to 50.</summary>
        /// <value>The default value is 10.</value>
        public int Count { get; set; } = 10;

        /// <summary>Gets or sets the characters per code (5 bits each), 10 to 32, so that a code carries at least 50 bits.</summary>
        /// <value>The default value is 12 (60 bits), shown as <c>XXXX-XXXX-XXXX</c>.</value>
        public int Length { get; set; } = 12;

        /// <summary>Gets or sets how many characters are grouped between hyphens for reading, 0 (no hyphens) or 3 to 8.</summary>
        /// <value>The default value is 4.</value>
        public int GroupSize { get; set; } = 4;
    }

    /// <summary>Validates the options of SecurityKit.Otp; messages say what to set.</summary>
    internal sealed class OtpOptionsValidator :
        IValidateOptions<TotpOptions>, IValidateOptions<HotpOptions>, IValidateOptions<OtpLockoutOptions>, IValidateOptions<BackupCodeOptions>
    {
        public ValidateOptionsResult Validate(string? name, TotpOptions options) => ToResult(Check(options));

        public ValidateOptionsResult Validate(string? name, HotpOptions options) => ToResult(Check(options));

        public ValidateOptionsResult Validate(string? name, OtpLockoutOptions options) => ToResult(Check(options));

        public ValidateOptionsResult Validate(string? name, BackupCodeOptions options) => ToResult(Check(options));

        internal static List<string> Check(TotpOptions o)
        {
            var errors = new List<string>();
            CheckCommon(errors, "TotpOptions", o.Issuer, o.Algorithm, o.Digits, o.SecretLength, o.EnrollmentLifetime);
            if (o.Period < TimeSpan.FromSeconds(15) || o.Period > TimeSpan.FromMinutes(5) || o.Period.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                errors.Add("TotpOptions.Period must be whole seconds between 15 seconds and 5 minutes; set it to TimeSpan.FromSeconds(30).");
            }

            if (o.AllowedStepsBehind is < 0 or > TotpService.MaxWindowSteps || o.AllowedStepsAhead is < 0 or > TotpService.MaxWindowSteps)
            {
                errors.Add("TotpOptions.AllowedStepsBehind and AllowedStepsAhead must be 0 to 5; set AllowedStepsBehind = 1 and AllowedStepsAhead = 0 (RFC 6238 §5.2).");
            }

            return errors;
        }

        internal static List<string> Check(HotpOptions o)
        {
            var errors = new List<string>();
            CheckCommon(errors, "HotpOptions", o.Issuer, o.Algorithm, o.Digits, o.SecretLength, o.EnrollmentLifetime);
            if (o.LookAhead is < 0 or > 50)
            {
                errors.Add("HotpOptions.LookAhead must be 0 to 50; set it to 10.");
            }

            if (o.ResynchronizationWindow is < 1 or > 1000)
            {
                errors.Add("HotpOptions.ResynchronizationWindow must be 1 to 1000; set it to 100.");
            }

            return errors;
        }

        internal static List<string> Check(OtpLockoutOptions o)
        {
            var errors = new List<string>();
            if (o.MaxConsecutiveFailures is < 1 or > 100)
            {
                errors.Add("OtpLockoutOptions.MaxConsecutiveFailures must be 1 to 100 (NIST SP 800-63B allows at most 100 consecutive failures); set it to 10.");
            }

            if (o.FailureWindow < TimeSpan.FromMinutes(1) || o.FailureWindow > TimeSpan.FromDays(1))
            {
                errors.Add("OtpLockoutOptions.FailureWindow must be 1 minute to 1 day; set it to TimeSpan.FromMinutes(15).");
            }
            else if (o.MaxConsecutiveFailures is >= 1 and <= 100 && o.MaxConsecutiveFailures * (TimeSpan.FromDays(1) / o.FailureWindow) > SecurityKit.Stores.RateLimiting.LockoutRule.SafeAttemptsPerDay)
            {
                // The count restarts one window after the last counted failure: MaxConsecutiveFailures guesses per window.
                errors.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"OtpLockoutOptions: {o.MaxConsecutiveFailures} failures per {o.FailureWindow} let an attacker keep up {o.MaxConsecutiveFailures * (TimeSpan.FromDays(1) / o.FailureWindow):N0} guesses a day against one user; at most {SecurityKit.Stores.RateLimiting.LockoutRule.SafeAttemptsPerDay:N0} (one a minute) are accepted. Set FailureWindow to at least {o.MaxConsecutiveFailures} minutes or lower MaxConsecutiveFailures."));
            }

            return errors;
        }

        internal static List<string> Check(BackupCodeOptions o)
        {
            var errors = new List<string>();
            if (o.Count is < 1 or > 50)
            {
                errors.Add("BackupCodeOptions.Count must be 1 to 50; set it to 10.");
            }

            if (o.Length is < 10 or > 32)
            {
                errors.Add("BackupCodeOptions.Length must be 10 to 32 characters (at least 50 bits); set it to 12.");
            }

            if (o.GroupSize is not 0 and (< 3 or > 8))
            {
                errors.Add("BackupCodeOptions.GroupSize must be 0 or 3 to 8; set it to 4.");
            }

            return errors;
        }

        internal static void ThrowIfInvalid(List<string> errors, string paramName)
        {
            if (errors.Count > 0)
            {
                throw new ArgumentException(string.Join(" ", errors), paramName);
            }
        }

        private static void CheckCommon(List<string> errors, string type, string issuer, OtpAlgorithm algorithm, int digits, int secretLength, TimeSpan lifetime)
        {
            if (string.IsNullOrWhiteSpace(issuer) || issuer.Length > OtpAuthUri.MaxIssuerLength || issuer.Contains(':', StringComparison.Ordinal) || issuer.Any(SecurityKit.Primitives.WellFormedText.IsControlOrBidi) || !SecurityKit.Primitives.WellFormedText.IsWellFormedUtf16(issuer))
            {
                errors.Add($"{type}.Issuer must be 1 to {OtpAuthUri.MaxIssuerLength} characters without a colon, control or bidirectional-override characters; set it to your application's name.");
            }

            if (algorithm is not (OtpAlgorithm.Sha1 or OtpAlgorithm.Sha256 or OtpAlgorithm.Sha512))
            {
                errors.Add($"{type}.Algorithm is not a known algorithm; set it to OtpAlgorithm.Sha1.");
            }

            if (digits is < OtpCore.MinDigits or > OtpCore.MaxDigits)
            {
                errors.Add($"{type}.Digits must be 6 to 8; set it to 6.");
            }

            if (secretLength != 0 && secretLength is < OtpSecretProtector.MinSecretLength or > OtpSecretProtector.MaxSecretLength)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{type}.SecretLength must be 0 (automatic) or 16 to 64 bytes (RFC 4226 §4 requires at least 128 bits); set it to 0."));
            }

            if (lifetime < TimeSpan.FromMinutes(1) || lifetime > TimeSpan.FromDays(1))
            {
                errors.Add($"{type}.EnrollmentLifetime must be 1 minute to 1 day; set it to TimeSpan.FromMinutes(10).");
            }
        }

        private static ValidateOptionsResult ToResult(List<string> errors) =>
            errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

namespace SecurityKit.Otp.DangerZone
{
    /// <summary>Switches that weaken SecurityKit.Otp; for tests and benchmarks, never for production.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class OtpDangerZoneExtensions
    {
        /// <summary>
        /// Turns the TOTP replay guard off: a code stays valid for its whole window and can be used again.
        /// </summary>
        /// <param name="options">The options.</param>
        /// <returns>The options.</returns>
        /// <remarks><b>Security:</b> RFC 6238 §5.2 says the verifier MUST NOT accept a second use of an OTP. Only for stateless benchmarks or tests.</remarks>
        public static TotpOptions DisableReplayProtection(this TotpOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            options.ReplayProtectionDisabled = true;
            return options;
        }
    }
}
