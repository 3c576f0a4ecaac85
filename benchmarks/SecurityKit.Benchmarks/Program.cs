Console.WriteLine("benchmarks: see benchmarks/README.md");
