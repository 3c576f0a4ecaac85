using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Otp;

/// <summary>The MFA flow: enroll, confirm, sign in with a code, replay rejected, backup code used once.</summary>
public static class OtpDemo
{
    /// <summary>Runs the tour.</summary>
    /// <param name="services">A provider built with <c>AddSecurityKit()</c> (or <c>AddTotp().AddBackupCodes()</c>).</param>
    /// <returns>A task that completes when the tour is printed.</returns>
    public static async Task RunAsync(IServiceProvider services)
    {
        var totp = services.GetRequiredService<TotpService>();
        var backupCodes = services.GetRequiredService<BackupCodeService>();
        var time = services.GetRequiredService<TimeProvider>();
        const string userId = "user-42";

        // 1. Enroll: a pending secret, protected; the URI goes into a QR code (shown once).
        var enrollment = totp.BeginEnrollment(userId, "alice@example.com");
        Console.WriteLine($"[otp] 1. enrollment started; URI scheme {enrollment.KeyUri[..enrollment.KeyUri.IndexOf(':', StringComparison.Ordinal)]}, " +
                          $"pending secret persisted as {enrollment.ProtectedSecret.Length} opaque characters, expires {enrollment.ExpiresAt:HH:mm:ss}");

        // The user's authenticator app: here we play it with the secret from the URI.
        OtpAuthUri.TryParse(enrollment.KeyUri, out var app);
        string AppCode(TimeSpan offset) => Totp.ComputeCode(app!.Secret, time.GetUtcNow() + offset, app.Algorithm, app.Digits, app.PeriodSeconds);

        // 2. Confirm with a first code (typed slowly: it is the previous 30-second step's code, inside the window).
        var confirmation = await totp.ConfirmEnrollmentAsync(userId, enrollment.ProtectedSecret, AppCode(TimeSpan.FromSeconds(-30)));
        var stored = confirmation.ProtectedSecret!;
        Console.WriteLine($"[otp] 2. confirm: {confirmation.ReasonCode}; the host now stores the confirmed protected secret");

        // 3. Sign in with the current code.
        var code = AppCode(TimeSpan.Zero);
        var signIn = await totp.VerifyAsync(userId, stored, code);
        Console.WriteLine($"[otp] 3. sign-in: {signIn.ReasonCode} (time step {signIn.MatchedValue}, drift {signIn.Drift})");

        // 4. The same code again (a phished or shoulder-surfed code): the replay guard refuses it.
        var replay = await totp.VerifyAsync(userId, stored, code);
        Console.WriteLine($"[otp] 4. same code again: {replay.ReasonCode}");

        // 5. Backup codes: generated once, stored as HMACs, each usable once (case, spaces, hyphens do not matter).
        var codes = await backupCodes.GenerateAsync(userId);
        Console.WriteLine($"[otp] 5. {codes.Codes.Count} backup codes generated, e.g. format {new string('X', 4)}-{new string('X', 4)}-{new string('X', 4)}");
        var typed = codes.Codes[0].ToLowerInvariant().Replace('-', ' ');
        var first = await backupCodes.VerifyAsync(userId, typed);
        var second = await backupCodes.VerifyAsync(userId, codes.Codes[0]);
        Console.WriteLine($"[otp] 6. backup code: first use {first.ReasonCode} ({first.RemainingCount} left), second use {second.ReasonCode}");

        // 7. Guessing: with AddSecurityKit() failures follow the rate-limit store's curve (5 free, then 1 s, 2 s, 4 s …,
        //    hard stop at 100). A refused attempt says when to retry; even the right code waits.
        const string guessedUser = "user-43";
        var guessedEnrollment = totp.BeginEnrollment(guessedUser, "bob@example.com");
        OtpAuthUri.TryParse(guessedEnrollment.KeyUri, out var bobApp);
        var bobSecret = (await totp.ConfirmEnrollmentAsync(guessedUser, guessedEnrollment.ProtectedSecret, Totp.ComputeCode(bobApp!.Secret, time.GetUtcNow()))).ProtectedSecret!;
        var statuses = new List<string>();
        OtpVerificationResult last = default;
        for (var i = 0; i < 6; i++)
        {
            last = await totp.VerifyAsync(guessedUser, bobSecret, i % 2 == 0 ? "111111" : "222222");
            statuses.Add(last.ReasonCode);
        }

        Console.WriteLine($"[otp] 7. six wrong guesses: {string.Join(", ", statuses)}; retry after {last.RetryAfter.TotalSeconds:0} s");
    }
}
