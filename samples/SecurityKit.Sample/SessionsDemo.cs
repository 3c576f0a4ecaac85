using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Fingerprinting.ClientIp;
using SecurityKit.Fingerprinting.Devices;
using SecurityKit.Sessions;

/// <summary>A short tour of SecurityKit.Fingerprinting and SecurityKit.Sessions.</summary>
public static class SessionsDemo
{
    private const string Chrome120 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private const string Chrome121 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36";
    private const string FirefoxLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    private const string ChromeAndroid = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

    public static async Task RunAsync(IServiceProvider services)
    {
        Console.WriteLine("== Client IP, device fingerprints and sessions ==");

        // 1. Client IP behind a proxy: only proxies you trust are believed, walking from the right.
        //    (AddSecurityKit() trusts nobody by default; Program.cs trusts the load balancer network 10.0.0.0/8.)
        var resolver = services.GetRequiredService<ClientIpResolver>();
        var forged = new ForwardedHeaderValues(XForwardedFor: ["6.6.6.6, 198.51.100.7"]); // client forged 6.6.6.6
        var ip = resolver.Resolve("10.0.0.1", forged);
        Console.WriteLine($"client IP: {ip.Address} (source {ip.Source}, decision {ip.Decision}); rate-limit bucket {IpBucket.GetKey(ip.Address!)}");
        Console.WriteLine($"legacy form '0177.0.0.1' from a trusted hop: {resolver.Resolve("10.0.0.1", new ForwardedHeaderValues(XForwardedFor: ["0177.0.0.1"])).Decision}");

        // 2. Device fingerprints: keyed, per component, so a comparison says what changed.
        var fingerprinter = services.GetRequiredService<DeviceFingerprinter>();
        var laptop = new DeviceFingerprintInput { UserAgent = Chrome120, AcceptLanguage = "en-GB,en;q=0.9", AcceptEncoding = "gzip, br" };
        var stored = fingerprinter.Compute(laptop);
        Console.WriteLine($"fingerprint: {stored.ToString()[..40]}… ({DeviceFingerprinter.Describe(laptop)})");
        Console.WriteLine($"after a browser update: {fingerprinter.Compare(stored, laptop with { UserAgent = Chrome121 }).Change}");
        Console.WriteLine($"another device: {fingerprinter.Compare(stored, new DeviceFingerprintInput { UserAgent = FirefoxLinux })}");

        // Phones: under user-agent reduction every Android Chrome reads "Android 10; K"; the model hint tells them apart.
        var pixel = new DeviceFingerprintInput { UserAgent = ChromeAndroid, ClientHintMobile = "?1", ClientHintModel = "\"Pixel 7\"" };
        var phone = fingerprinter.Compute(pixel);
        Console.WriteLine($"same phone, model hint not sent this time: {fingerprinter.Compare(phone, pixel with { ClientHintModel = null }).Change}");
        Console.WriteLine($"another phone, same browser: {fingerprinter.Compare(phone, pixel with { ClientHintModel = "\"SM-S911B\"" })}");

        // 3. Sessions: create at sign-in, validate on each request, anomaly warnings for the host to act on.
        var sessions = services.GetRequiredService<SessionManager>();
        var signIn = new SessionContext { IpAddress = ip.Address, Device = laptop };
        var created = await sessions.CreateAsync("alice", signIn);
        Console.WriteLine($"session created: {created.Session!.SessionId[..8]}… (token goes in a Secure HttpOnly cookie, never logged)");
        var ok = await sessions.ValidateAsync(created.Token, signIn);
        Console.WriteLine($"validate from the same place: {ok.Status}, warnings {ok.Warnings}");
        var moved = await sessions.ValidateAsync(created.Token, new SessionContext { IpAddress = IPAddress.Parse("192.0.2.44"), Device = new DeviceFingerprintInput { UserAgent = FirefoxLinux } });
        Console.WriteLine($"validate from elsewhere: {moved.Status}, warnings {moved.Warnings} -> step up MFA or notify");

        // 4. Rotate after a privilege change: the old token stops working at once.
        var rotated = await sessions.RotateAsync(created.Token, signIn);
        Console.WriteLine($"rotated; old token now {(await sessions.ValidateAsync(created.Token)).Status}");

        // 5. Listing and revocation ("your devices" page).
        await sessions.CreateAsync("alice", new SessionContext { IpAddress = IPAddress.Parse("2001:db8::42"), Device = new DeviceFingerprintInput { UserAgent = FirefoxLinux } });
        foreach (var s in await sessions.ListAsync("alice", rotated.Token))
        {
            Console.WriteLine($"  {s.SessionId[..8]}… {s.DeviceSummary} from {s.IpAddress}, created {s.CreatedAt:HH:mm}, last used {s.LastUsedAt:HH:mm}{(s.IsCurrent ? " (this device)" : string.Empty)}");
        }

        Console.WriteLine($"sign out other devices: {await sessions.RevokeAllOthersAsync(rotated.Token)} revoked");
        Console.WriteLine($"sign out everywhere: {await sessions.RevokeAllAsync("alice")} revoked; token now {(await sessions.ValidateAsync(rotated.Token)).Status}");
    }
}
