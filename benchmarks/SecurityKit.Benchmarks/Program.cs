using BenchmarkDotNet.Running;
using SecurityKit.Benchmarks;

if (args is ["--paired-redis-latency", ..])
{
    return await RedisPairedLatency.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
