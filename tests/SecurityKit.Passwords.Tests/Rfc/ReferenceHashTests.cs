namespace SecurityKit.Passwords.Tests.Rfc;

/// <summary>PHC strings made by the Argon2 reference CLI, Python argon2-cffi and PHP password_hash (TestData/generate-reference-hashes.sh).</summary>
public class ReferenceHashTests
{
    public static TheoryData<string, string, string> ReferenceHashes()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "reference-hashes.tsv")))
        {
            var parts = line.Split('\t');
            data.Add(parts[0], parts[1], parts[2]);
        }

        return data;
    }

    [Fact]
    public void ReferenceHashes_CoverEveryTool()
    {
        var tools = ReferenceHashes().Select(row => (string)row[0]).Distinct().ToArray();
        tools.Should().BeEquivalentTo(["argon2-cli", "python-argon2-cffi", "php-password_hash"]);
    }

    [Theory]
    [MemberData(nameof(ReferenceHashes))]
    public void Verify_ReferenceImplementationHash_Succeeds(string tool, string password, string phc)
    {
        var (hasher, _) = TestHashers.Create();
        hasher.Verify(password, phc).Should().NotBe(PasswordVerificationResult.Failed, because: $"{tool} made {phc}");
    }

    [Theory]
    [MemberData(nameof(ReferenceHashes))]
    public void Verify_ReferenceImplementationHashWrongPassword_Fails(string tool, string password, string phc)
    {
        var (hasher, _) = TestHashers.Create();
        hasher.Verify(password + "x", phc).Should().Be(PasswordVerificationResult.Failed, because: tool);
    }
}
