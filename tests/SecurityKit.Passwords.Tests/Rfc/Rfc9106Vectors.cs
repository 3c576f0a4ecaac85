using SecurityKit.Passwords.Argon2;

namespace SecurityKit.Passwords.Tests.Rfc;

public class Rfc9106Vectors
{
    // RFC 9106 §5.3 (Argon2id, version 0x13): P = 32 × 0x01, S = 16 × 0x02, K = 8 × 0x03, X = 12 × 0x04,
    // m = 32 KiB, t = 3, p = 4, T = 32 bytes.
    public static TheoryData<int, int, int, string> Vectors => new()
    {
        { 32, 3, 4, "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Argon2Engine_Rfc9106Section53_ProducesPublishedTag(int memoryKiB, int iterations, int parallelism, string expectedHex)
    {
        var password = Enumerable.Repeat((byte)0x01, 32).ToArray();
        var salt = Enumerable.Repeat((byte)0x02, 16).ToArray();
        var secret = Enumerable.Repeat((byte)0x03, 8).ToArray();
        var associatedData = Enumerable.Repeat((byte)0x04, 12).ToArray();
        var tag = new byte[32];

        Argon2Engine.Hash(password, salt, secret, associatedData, memoryKiB, iterations, parallelism, tag);

        Convert.ToHexStringLower(tag).Should().Be(expectedHex);
    }

    [Fact]
    public void Argon2Engine_WithoutSecret_DiffersFromWithSecret()
    {
        var withSecret = new byte[32];
        var without = new byte[32];
        Argon2Engine.Hash("p"u8, "saltsalt"u8, "k"u8, default, 32, 1, 1, withSecret);
        Argon2Engine.Hash("p"u8, "saltsalt"u8, default, default, 32, 1, 1, without);
        withSecret.Should().NotEqual(without);
    }
}
