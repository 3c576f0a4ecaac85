/*
 * Redis key schema of the OTP stores (PREFIX = RedisSecurityKitOptions.KeyPrefix, default "sk:"):
 *
 *   PREFIX "otp:{" U "}:c:" NAME   string, decimal integer   last accepted TOTP step / HOTP counter of counter NAME;
 *                                                            PX = the retention given (none for HOTP)
 *   PREFIX "otp:{" U "}:f"         string, decimal integer   consecutive failed verifications; PX = failure window,
 *                                                            restarted by each failure
 *   PREFIX "otp:{" U "}:bc"        hash                      backup codes: field "kid" = key id of the set,
 *                                                            one field "h:" HASH = "1" per unused code; no expiry
 *
 *   U = base64url (unpadded) of the UTF-8 user id, so no user id can break out of the {…} hash tag or
 *       collide with the separators; the hash tag puts all of a user's keys in one cluster slot.
 *
 * Values compared in Lua are integers below 2^53 (Lua numbers are doubles); time steps and counters are far below.
 */
using System.Text;
using SecurityKit.Primitives;
using StackExchange.Redis;

namespace SecurityKit.Redis.Otp;

internal static class RedisOtpKeys
{
    public static string UserTag(string prefix, string userId) =>
        prefix + "otp:{" + Base64Url.Encode(Encoding.UTF8.GetBytes(userId)) + "}";

    public static RedisKey Counter(string prefix, string userId, string counterName) => UserTag(prefix, userId) + ":c:" + counterName;

    public static RedisKey Failures(string prefix, string userId) => UserTag(prefix, userId) + ":f";

    public static RedisKey BackupCodes(string prefix, string userId) => UserTag(prefix, userId) + ":bc";

    public static void UserId(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (userId.Length > SecurityKit.Stores.Otp.IOtpStateStore.MaxUserIdLength)
        {
            throw new ArgumentException($"The user id must be at most {SecurityKit.Stores.Otp.IOtpStateStore.MaxUserIdLength} characters.", nameof(userId));
        }

        SecurityKit.Primitives.WellFormedText.ThrowIfNotWellFormed(userId, nameof(userId));
    }

    public static void CounterName(string counterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(counterName);
        foreach (var c in counterName)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-') || counterName.Length > 64)
            {
                throw new ArgumentException("The counter name must be 1–64 characters of [a-z0-9._-].", nameof(counterName));
            }
        }
    }
}
