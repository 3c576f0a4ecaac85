using System.Text;

namespace SecurityKit.Primitives;

/// <summary>
/// Whether this process can normalize Unicode text (NFKC), which password hashing, the password policy and
/// login-protection account keys rely on so that the same text typed differently (the ligature "ﬁ" and "fi",
/// full-width letters, composed and decomposed accents) is treated alike (NIST SP 800-63B §5.1.1.2).
/// </summary>
/// <remarks>
/// In .NET's globalization-invariant mode (<c>InvariantGlobalization</c>, <c>DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1</c>,
/// the default of some Alpine and chiseled container images) <see cref="string.Normalize(NormalizationForm)"/> returns
/// its input unchanged: a password hashed on a host with ICU would then no longer verify, and the policy would judge
/// text it never normalized. Features that need normalization refuse to start there, with <see cref="MissingMessage"/>.
/// </remarks>
public static class UnicodeNormalization
{
    /// <summary>What to do when normalization is unavailable (an options-validation message).</summary>
    public static string MissingMessage { get; } =
        "Unicode normalization (NFKC) is unavailable: the process runs in .NET's globalization-invariant mode " +
        "(InvariantGlobalization / DOTNET_SYSTEM_GLOBALIZATION_INVARIANT), where string.Normalize does nothing, so the same " +
        "password typed differently would hash differently. Turn invariant mode off and install ICU (e.g. apk add icu-libs).";

    /// <summary>Gets whether NFKC normalization works in this process (probed once).</summary>
    public static bool IsAvailable { get; } = Probe();

    private static bool Probe()
    {
        try
        {
            return "\uFB01".Normalize(NormalizationForm.FormKC) == "fi" && "e\u0301".Normalize(NormalizationForm.FormKC) == "\u00E9";
        }
        catch (PlatformNotSupportedException)
        {
            return false;
        }
    }
}
