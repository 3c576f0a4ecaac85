using SecurityKit.Otp.QrCode;
using SecurityKit.Otp.Tests;

namespace SecurityKit.Otp.QrCode.Tests;

public sealed class OtpQrCodeTests
{
    private const string Uri = "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30";

    [Fact]
    public void ToSvg_KeyUri_SvgWithoutTheSecretText()
    {
        var svg = OtpQrCode.ToSvg(Uri);
        svg.Should().Contain("<svg").And.Contain("</svg>").And.NotContain("JBSWY3DPEHPK3PXP");
    }

    [Fact]
    public void ToPngDataUri_KeyUri_PngSignature()
    {
        var dataUri = OtpQrCode.ToPngDataUri(Uri);
        dataUri.Should().StartWith("data:image/png;base64,");
        var png = Convert.FromBase64String(dataUri["data:image/png;base64,".Length..]);
        png.Take(8).Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
    }

    [Fact]
    public void ToPng_SameUri_Deterministic() => OtpQrCode.ToPng(Uri).Should().Equal(OtpQrCode.ToPng(Uri));

    [Fact]
    public void EnrollmentExtensions_RenderTheKeyUri()
    {
        var enrollment = new OtpTestContext().Totp().BeginEnrollment("u", "a@b.c");
        enrollment.ToQrCodeSvg().Should().Be(OtpQrCode.ToSvg(enrollment.KeyUri));
        enrollment.ToQrCodePngDataUri().Should().Be(OtpQrCode.ToPngDataUri(enrollment.KeyUri));
    }

    [Fact]
    public void ToSvg_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => OtpQrCode.ToSvg("")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => OtpQrCode.ToSvg(new string('a', 3000))).Should().Throw<ArgumentException>();

        // 2,000 characters but 6,000 bytes of UTF-8: beyond any QR code. QRCoder threw its own DataTooLongException.
        FluentActions.Invoking(() => OtpQrCode.ToSvg(new string('\u6F22', 2000))).Should().Throw<ArgumentException>().WithMessage("*bytes*");
        OtpQrCode.ToSvg(new string('\u00E9', 1024)).Should().StartWith("<svg", "2,048 bytes still fit");
        FluentActions.Invoking(() => OtpQrCode.ToSvg(Uri, 0)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
