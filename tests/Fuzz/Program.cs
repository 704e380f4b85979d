using Admission.Fuzz.Targets;
using SharpFuzz;

// Admission.Fuzz TARGET                 afl-fuzz drives it (SharpFuzz's out-of-process loop)
// Admission.Fuzz TARGET --replay PATH…  each file (or each file in a folder) once; exit 1 on any violation
// Set ADMISSION_FUZZ_STRICT=0 to check only the envelope, not contract 2.1's field rules.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Admission.Fuzz review|policy|manifest|approval [--replay PATH...]");
    return 2;
}
var strict = Environment.GetEnvironmentVariable("ADMISSION_FUZZ_STRICT") != "0";
Func<ITarget> create = args[0] switch
{
    "review" => () => new ReviewTarget(strict),
    "policy" => () => new PolicyTarget(),
    "manifest" => () => new ManifestTarget(),
    "approval" => () => new ApprovalTarget(),
    _ => throw new ArgumentException($"unknown target \"{args[0]}\""),
};

if (args.Length > 1 && args[1] == "--replay")
{
    var target = create();
    var failed = 0;
    var files = args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
    foreach (var file in files)
    {
        try
        {
            target.Run(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
        }
    }
    Console.WriteLine($"{files.Count - failed} passed, {failed} failed");
    return failed == 0 ? 0 : 1;
}

// Instrumented code must not run before SharpFuzz has set up afl's coverage map, so the target
// (which parses the example policy and approvals) is made on the first input.
ITarget? fuzzed = null;
Fuzzer.OutOfProcess.Run(stream =>
{
    fuzzed ??= create();
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    fuzzed.Run(copy.ToArray());
});
return 0;
