namespace SecurityKit.Passwords.Tests.Argon2.Rfc;

/// <summary>Published and independently computed vectors for BLAKE2b, H' and Argon2id.</summary>
public static class ManagedArgon2Vectors
{
    /// <summary>BLAKE2b: input (hex), digest length, expected digest (hex).</summary>
    /// <remarks>"abc" is RFC 7693 Appendix A; the empty string is the well-known BLAKE2b-512 value;
    /// the block-boundary cases (128, 129, 768 bytes) were computed with Python's hashlib.blake2b.</remarks>
    public static TheoryData<string, int, string> Blake2b => new()
    {
        { "616263", 64, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923" },
        { "", 64, "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce" },
        { Sequence(128), 64, "2319e3789c47e2daa5fe807f61bec2a1a6537fa03f19ff32e87eecbfd64b7e0e8ccff439ac333b040f19b0c4ddd11a61e24ac1fe0f10a039806c5dcc0da3d115" },
        { Sequence(129), 20, "a7bf25f1599102ab631e3052e8303a2c097d1a7e" },
        { Sequence(256) + Sequence(256) + Sequence(256), 33, "3e71897ab158d4371c177ddc8115c5e52b4d931284724173773d1d333a6a3489d0" },
    };

    /// <summary>H'^T over the bytes 0..199: T, expected output (hex).</summary>
    /// <remarks>Computed with a separate Python implementation of RFC 9106 §3.3 over hashlib.blake2b.
    /// 64/65 and 96/100/128 cover the switch to chained digests and a short last digest.</remarks>
    public static TheoryData<int, string> HPrime => new()
    {
        { 4, "f231be7d" },
        { 32, "2d937bea61c2d9dc13987d163866bade9ae67112a0738ccc404d659ffcc9aa48" },
        { 64, "a8cb2c3ef595b47553a698f6dbe51ec003f50f966ceb8ad5c65ac801b841770831d9876dcdcd0133637a612973ff9d63f97ae06f2e8360ba0b5ff82725b15789" },
        { 65, "722748cc430bf2695604caa5b937acf1a364c44b124c132767abd64844087ed6fe4a979c79fb5fb91cc4fa6255922e6fc5942c013ffb8f0e852d4921ef52c63605" },
        { 96, "9d26ff966de295d7845f0e7985547f78774027ea5a341a7c834a53a43d454300048e2af4e8dbe6785b1dc9f46a63f1f604fe64dfe728143bfe6f7c7283afa670fbd7a35b33ceacb39be08e6d42469c528d9e70ce0a7c4443d5e7b39bb38dd1d0" },
        { 100, "ff4b8d0a5d15ab53c51689d03e622c265a6bf194fbde719d4eb3613d8927fcd2bed82a29d0af7843aa07efa7de98056c635e7f9eb6084c92d79f7ff67d2999a7007c139a9ca9e3b7d2dff7d1293e169695f3531192771f511c5f09408a49217cde9fd1e5" },
        { 128, "acf60062b397fc2acd112a4b6495a9738fdb1f2ea16c6671aa3a77bd6e9fbabcc1b2c7c377c38fcd000b6961a710efd0387c728d1d983306bd8d551692c2b677d0507b93beec45b39048e4d25be79eaf4bb69ef5289c48c6953f38bde1e98ce27e08304f06413ce97f5662513b6cbf7dcac1b2ee7686789b9ae937d79a1d1609" },
    };

    /// <summary>SHA-256 of H'^1024 over the bytes 0..199 (the length used for the first blocks of every lane).</summary>
    public const string HPrime1024Sha256 = "4ee78f6ce137fe888378e50aeb98ee8e76fe6f5472a0e67bb9ede5471738f159";

    /// <summary>RFC 9106 §5.3: Argon2id, version 0x13, m = 32 KiB, t = 3, p = 4, T = 32.</summary>
    public static class Rfc9106Argon2id
    {
        public const int MemoryKiB = 32;
        public const int Iterations = 3;
        public const int Parallelism = 4;

        public static byte[] Password => Filled(32, 0x01);

        public static byte[] Salt => Filled(16, 0x02);

        public static byte[] Secret => Filled(8, 0x03);

        public static byte[] AssociatedData => Filled(12, 0x04);

        public const string Tag = "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659";
    }

    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }

    /// <summary>Hex of the bytes 0, 1, ..., length-1 (mod 256).</summary>
    public static string Sequence(int length) =>
        Convert.ToHexStringLower(Enumerable.Range(0, length).Select(i => (byte)i).ToArray());
}
