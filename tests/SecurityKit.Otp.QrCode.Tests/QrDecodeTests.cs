using System.Buffers.Binary;
using System.IO.Compression;
using SecurityKit.Otp.QrCode;
using SecurityKit.Otp.Tests;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace SecurityKit.Otp.QrCode.Tests;

/// <summary>
/// What an authenticator app does: the rendered PNG is decoded (a minimal PNG reader here, ZXing's QR reader) and must
/// give back the exact otpauth URI. The other tests only looked at the image's format, so a renderer that encoded
/// the wrong text, or ignored its input, passed them.
/// </summary>
public sealed class QrDecodeTests
{
    [Theory]
    [InlineData("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30")]
    [InlineData("otpauth://hotp/ACME%20Co:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&counter=7")]
    public void ToPng_DecodesToTheExactUri(string uri)
    {
        Decode(OtpQrCode.ToPng(uri)).Should().Be(uri);
    }

    [Fact]
    public void ToPngDataUri_AndEnrollment_DecodeToTheEnrollmentsKeyUri()
    {
        var enrollment = new OtpTestContext().Totp().BeginEnrollment("user-1", "alice@example.com");

        var dataUri = enrollment.ToQrCodePngDataUri();

        Decode(Convert.FromBase64String(dataUri["data:image/png;base64,".Length..])).Should().Be(enrollment.KeyUri);
    }

    [Fact]
    public void DifferentUris_RenderDifferentImages()
    {
        var a = OtpQrCode.ToPng("otpauth://totp/A:x?secret=JBSWY3DPEHPK3PXP&issuer=A");
        var b = OtpQrCode.ToPng("otpauth://totp/A:x?secret=JBSWY3DPEHPK3PXQ&issuer=A");

        a.Should().NotEqual(b);
        OtpQrCode.ToSvg("otpauth://totp/A:x?secret=JBSWY3DPEHPK3PXP&issuer=A").Should().NotBe(OtpQrCode.ToSvg("otpauth://totp/A:x?secret=JBSWY3DPEHPK3PXQ&issuer=A"));
    }

    private static string Decode(byte[] png)
    {
        var (gray, width, height) = ReadPng(png);
        var source = new RGBLuminanceSource(gray, width, height, RGBLuminanceSource.BitmapFormat.Gray8);
        var hints = new Dictionary<DecodeHintType, object> { [DecodeHintType.PURE_BARCODE] = true };
        var result = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints);
        result.Should().NotBeNull("the image must hold a readable QR code");
        return result!.Text;
    }

    /// <summary>A minimal PNG reader for the test: non-interlaced, 8-bit or lower, grey, palette, RGB or RGBA; returns 8-bit grey.</summary>
    private static (byte[] Gray, int Width, int Height) ReadPng(byte[] png)
    {
        png.AsSpan(0, 8).ToArray().Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        int width = 0, height = 0, bitDepth = 0, colorType = 0;
        byte[]? palette = null;
        using var idat = new MemoryStream();
        for (var offset = 8; offset < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    bitDepth = data[8];
                    colorType = data[9];
                    data[12].Should().Be(0, "not interlaced");
                    break;
                case "PLTE":
                    palette = data.ToArray();
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
            }

            offset += 12 + length;
        }

        var channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new NotSupportedException($"colour type {colorType}") };
        var bitsPerPixel = channels * bitDepth;
        var stride = ((width * bitsPerPixel) + 7) / 8;
        var bytesPerPixel = Math.Max(1, bitsPerPixel / 8);
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        var raw = inflated.ToArray();
        var rows = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var line = raw.AsSpan((y * (stride + 1)) + 1, stride);
            var current = rows.AsSpan(y * stride, stride);
            var previous = y == 0 ? new byte[stride] : rows.AsSpan((y - 1) * stride, stride);
            for (var x = 0; x < stride; x++)
            {
                int left = x >= bytesPerPixel ? current[x - bytesPerPixel] : 0;
                int up = previous[x];
                int upLeft = x >= bytesPerPixel ? previous[x - bytesPerPixel] : 0;
                current[x] = (byte)(line[x] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new NotSupportedException($"filter {filter}"),
                });
            }
        }

        var gray = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                int Sample(int channel)
                {
                    var bit = ((x * channels) + channel) * bitDepth;
                    var b = rows[(y * stride) + (bit / 8)];
                    return bitDepth == 8 ? b : (b >> (8 - bitDepth - (bit % 8))) & ((1 << bitDepth) - 1);
                }

                int value;
                if (colorType == 3)
                {
                    var index = Sample(0);
                    value = (palette![index * 3] + palette[(index * 3) + 1] + palette[(index * 3) + 2]) / 3;
                }
                else if (colorType is 2 or 6)
                {
                    value = (Sample(0) + Sample(1) + Sample(2)) / 3;
                }
                else
                {
                    value = Sample(0) * 255 / ((1 << bitDepth) - 1);
                }

                gray[(y * width) + x] = (byte)value;
            }
        }

        return (gray, width, height);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
