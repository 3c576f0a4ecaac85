using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SecurityKit.Passwords.Strength.Tests.Breached;

/// <summary>A tiny HTTP/1.1 server on 127.0.0.1 for tests: one request per connection, scripted responses.</summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Func<Request, Task<(int Status, string Body)?>> handler;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public LocalHttpServer(Func<Request, Task<(int Status, string Body)?>> handler)
    {
        this.handler = handler;
        listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/range/");
        loop = Task.Run(AcceptLoop);
    }

    public Uri BaseAddress { get; }

    /// <summary>Gets or sets whether bodies are sent chunked, without a Content-Length (a streaming or misbehaving server).</summary>
    public bool Chunked { get; set; }

    public List<Request> Requests { get; } = [];

    public sealed record Request(string Path, IReadOnlyDictionary<string, string> Headers);

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer, stop.Token) == 1)
                {
                    head.Append((char)buffer[0]);
                }

                var lines = head.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
                var path = lines[0].Split(' ')[1];
                var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
                var request = new Request(path, headers);
                lock (Requests)
                {
                    Requests.Add(request);
                }

                var response = await handler(request);
                if (response is not { } r)
                {
                    return; // drop the connection
                }

                var body = Encoding.ASCII.GetBytes(r.Body);
                if (Chunked)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {r.Status} X\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"), stop.Token);
                    for (var offset = 0; offset < body.Length; offset += 4096)
                    {
                        var chunk = body.AsMemory(offset, Math.Min(4096, body.Length - offset));
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(chunk.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n"), stop.Token);
                        await stream.WriteAsync(chunk, stop.Token);
                        await stream.WriteAsync("\r\n"u8.ToArray(), stop.Token);
                    }

                    await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), stop.Token);
                    return;
                }

                var headerText = $"HTTP/1.1 {r.Status} X\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(headerText), stop.Token);
                await stream.WriteAsync(body, stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }
}
