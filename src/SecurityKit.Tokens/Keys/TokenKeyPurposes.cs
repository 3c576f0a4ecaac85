namespace SecurityKit.Tokens.Keys;

/// <summary>Key-ring purposes used by SecurityKit.Tokens.</summary>
public static class TokenKeyPurposes
{
    /// <summary>
    /// The key-ring purpose from which the default HS256 signing key is derived when no signing keys are
    /// configured (derived in turn from the root key unless a key of this purpose is configured).
    /// </summary>
    public const string Signing = "token-signing";
}
