using QRCoder;

namespace SecurityKit.Otp.QrCode;

/// <summary>Renders <c>otpauth://</c> key URIs as QR codes (SVG markup or a PNG data URI) for enrollment pages.</summary>
/// <remarks>
/// <para>Error correction level M (15 %), which authenticator apps read reliably from a screen. Rendering is
/// local: the URI never leaves the process (no third-party QR web service).</para>
/// <para><b>Security:</b> the picture encodes the shared secret. Serve it only on the enrollment page of the
/// authenticated user, with <c>Cache-Control: no-store</c>; never log it or write it to disk.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public static class OtpQrCode
{
    /// <summary>The longest text accepted, in characters and in UTF-8 bytes (a version-40 QR code at level M holds 2331 bytes).</summary>
    public const int MaxTextLength = 2048;

    /// <summary>Renders a URI as SVG markup.</summary>
    /// <param name="keyUri">The <c>otpauth://</c> URI, e.g. <see cref="OtpEnrollment.KeyUri"/>.</param>
    /// <param name="pixelsPerModule">The size of one module in SVG user units, 1 to 40.</param>
    /// <returns>A complete <c>&lt;svg&gt;</c> element.</returns>
    /// <exception cref="ArgumentException"><paramref name="keyUri"/> is empty or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pixelsPerModule"/> is out of range.</exception>
    public static string ToSvg(string keyUri, int pixelsPerModule = 4)
    {
        using var data = Encode(keyUri, pixelsPerModule);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(pixelsPerModule);
    }

    /// <summary>Renders a URI as PNG bytes.</summary>
    /// <param name="keyUri">The <c>otpauth://</c> URI.</param>
    /// <param name="pixelsPerModule">The size of one module in pixels, 1 to 40.</param>
    /// <returns>The PNG file bytes.</returns>
    /// <exception cref="ArgumentException"><paramref name="keyUri"/> is empty or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pixelsPerModule"/> is out of range.</exception>
    public static byte[] ToPng(string keyUri, int pixelsPerModule = 5)
    {
        using var data = Encode(keyUri, pixelsPerModule);
        using var png = new PngByteQRCode(data);
        return png.GetGraphic(pixelsPerModule);
    }

    /// <summary>Renders a URI as a <c>data:image/png;base64,…</c> URI for an <c>&lt;img src&gt;</c>.</summary>
    /// <param name="keyUri">The <c>otpauth://</c> URI.</param>
    /// <param name="pixelsPerModule">The size of one module in pixels, 1 to 40.</param>
    /// <returns>The data URI.</returns>
    /// <exception cref="ArgumentException"><paramref name="keyUri"/> is empty or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pixelsPerModule"/> is out of range.</exception>
    public static string ToPngDataUri(string keyUri, int pixelsPerModule = 5) =>
        "data:image/png;base64," + Convert.ToBase64String(ToPng(keyUri, pixelsPerModule));

    /// <summary>Renders the enrollment's key URI as SVG markup.</summary>
    /// <param name="enrollment">The enrollment.</param>
    /// <param name="pixelsPerModule">The size of one module, 1 to 40.</param>
    /// <returns>A complete <c>&lt;svg&gt;</c> element.</returns>
    public static string ToQrCodeSvg(this OtpEnrollment enrollment, int pixelsPerModule = 4)
    {
        ArgumentNullException.ThrowIfNull(enrollment);
        return ToSvg(enrollment.KeyUri, pixelsPerModule);
    }

    /// <summary>Renders the enrollment's key URI as a PNG data URI.</summary>
    /// <param name="enrollment">The enrollment.</param>
    /// <param name="pixelsPerModule">The size of one module in pixels, 1 to 40.</param>
    /// <returns>The data URI.</returns>
    public static string ToQrCodePngDataUri(this OtpEnrollment enrollment, int pixelsPerModule = 5)
    {
        ArgumentNullException.ThrowIfNull(enrollment);
        return ToPngDataUri(enrollment.KeyUri, pixelsPerModule);
    }

    private static QRCodeData Encode(string keyUri, int pixelsPerModule)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyUri);
        // A QR code's capacity is in bytes: 2048 characters of non-Latin text are up to 6 KiB of UTF-8.
        if (keyUri.Length > MaxTextLength || System.Text.Encoding.UTF8.GetByteCount(keyUri) > MaxTextLength)
        {
            throw new ArgumentException($"The text must be at most {MaxTextLength} characters and {MaxTextLength} bytes in UTF-8.", nameof(keyUri));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(pixelsPerModule, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pixelsPerModule, 40);
        using var generator = new QRCodeGenerator();
        try
        {
            return generator.CreateQrCode(keyUri, QRCodeGenerator.ECCLevel.M);
        }
        catch (QRCoder.Exceptions.DataTooLongException e)
        {
            throw new ArgumentException("The text does not fit in a QR code.", nameof(keyUri), e);
        }
    }
}
