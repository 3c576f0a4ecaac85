using SecurityKit.Passwords.Argon2;

namespace SecurityKit.Passwords.Tests.Argon2;

public class Argon2idPhcTests
{
    private const string Valid = "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70";

    [Fact]
    public void TryParse_ReferenceString_ReadsEveryField()
    {
        Argon2idPhc.TryParse(Valid, 1024, 16, out var phc, out var reason).Should().BeTrue(reason);
        phc!.MemoryKiB.Should().Be(64);
        phc.Iterations.Should().Be(1);
        phc.Parallelism.Should().Be(1);
        phc.KeyId.Should().BeNull();
        phc.Salt.Should().Equal("somesalt"u8.ToArray());
        phc.Hash.Should().HaveCount(32);
    }

    [Fact]
    public void Format_ThenTryParse_RoundTripsWithKeyId()
    {
        var salt = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var tag = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        var text = Argon2idPhc.Format(19456, 2, 1, "pepper_2026-11", salt, tag);

        text.Should().StartWith("$argon2id$v=19$m=19456,t=2,p=1,keyid=");
        text.Should().NotContain("_");
        Argon2idPhc.TryParse(text, 19456, 2, out var phc, out _).Should().BeTrue();
        phc!.KeyId.Should().Be("pepper_2026-11");
        phc.Salt.Should().Equal(salt);
        phc.Hash.Should().Equal(tag);
    }

    [Fact]
    public void Format_ThenTryParse_RoundTripsRandomInputs()
    {
        for (var i = 0; i < 200; i++)
        {
            var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(8 + (i % 57));
            var tag = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16 + (i % 49));
            var m = 8 + (i * 37 % 5000);
            var text = Argon2idPhc.Format(m, 1 + (i % 10), 1, null, salt, tag);
            Argon2idPhc.TryParse(text, 1 << 20, 64, out var phc, out var reason).Should().BeTrue(reason);
            phc!.Salt.Should().Equal(salt);
            phc.Hash.Should().Equal(tag);
            phc.MemoryKiB.Should().Be(m);
        }
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "", PasswordReasonCodes.MalformedHash },
        { "$argon2id$", PasswordReasonCodes.UnsupportedVersion },
        { "$argon2id$m=64,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.UnsupportedVersion },
        { "$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.UnsupportedVersion },
        { "$argon2id$v=019$m=64,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1,data=YWJj$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1,x=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=-64,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=8,t=1,p=2$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.CostAboveLimit },
        { "$argon2id$v=19$m=64,t=4294967295,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=17,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.CostAboveLimit },
        { "$argon2id$v=19$m=1024,t=1,p=65$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ=$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG71", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1$c29t ZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1$c29tZXNh-HQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1$c29tZQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxO", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1$" + new string('A', 200) + "$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$" + new string('A', 400), PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70$", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1,keyid=$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1,keyid=JCQk$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=64,t=1,p=1,keyid=" + new string('Q', 80) + "$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
        { "$argon2id$v=19$m=６４,t=1,p=1$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", PasswordReasonCodes.MalformedHash },
    };

    [Theory]
    [InlineData("m=64,t=1,p=1,keyid=cDE,keyid=cDI")] // a second key id: which one would be used?
    [InlineData("m=64,t=1,p=1,keyid=cDE,data=YWJj")] // a fifth parameter silently ignored
    [InlineData("m=64,t=1,p=1,keyid=cDE,x=1,y=2,z=3")]
    public void TryParse_MoreThanFourParameters_Malformed(string parameters)
    {
        var text = "$argon2id$v=19$" + parameters + "$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70";
        Argon2idPhc.TryParse(text, 262144, 16, out var phc, out var reason).Should().BeFalse();
        phc.Should().BeNull();
        reason.Should().Be(PasswordReasonCodes.MalformedHash);
        Argon2idPhc.TryParse("$argon2id$v=19$m=64,t=1,p=1,keyid=cDE$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70", 262144, 16, out _, out _)
            .Should().BeTrue("the same hash with four parameters parses");
    }

    [Theory]
    [InlineData(7, 32, false)]
    [InlineData(8, 32, true)]
    [InlineData(64, 32, true)]
    [InlineData(65, 32, false)]
    [InlineData(16, 15, false)]
    [InlineData(16, 16, true)]
    [InlineData(16, 64, true)]
    [InlineData(16, 65, false)]
    public void TryParse_SaltAndHashLengths_AcceptedExactlyWithinTheirBounds(int saltBytes, int hashBytes, bool accepted)
    {
        var text = Argon2idPhc.Format(64, 1, 1, null, new byte[saltBytes], new byte[hashBytes]);

        Argon2idPhc.TryParse(text, 262144, 16, out var phc, out var reason).Should().Be(accepted);
        if (accepted)
        {
            phc!.Salt.Should().HaveCount(saltBytes);
            phc.Hash.Should().HaveCount(hashBytes);
        }
        else
        {
            reason.Should().Be(PasswordReasonCodes.MalformedHash);
        }
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryParse_Malformed_FailsWithReason(string text, string expectedReason)
    {
        Argon2idPhc.TryParse(text, 262144, 16, out var phc, out var reason).Should().BeFalse();
        phc.Should().BeNull();
        reason.Should().Be(expectedReason);
    }

    [Fact]
    public void TryParse_HugeString_FailsWithoutDecoding()
    {
        var text = Valid + new string('A', 1_000_000);
        Argon2idPhc.TryParse(text, 262144, 16, out _, out var reason).Should().BeFalse();
        reason.Should().Be(PasswordReasonCodes.MalformedHash);
    }
}
