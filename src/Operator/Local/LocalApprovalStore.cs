using Admission.Operator.Manifests;
using Admission.Policies.Manifests;
using Admission.Operator.Observability;
using Admission.Operator.State;
using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Operator.Local;

/// <summary>
/// Local mode: ChangeApprovals and Namespaces from files, reloaded when they change. A file that
/// breaks keeps its last good content in force, and the problem is reported rather than applied.
/// </summary>
public sealed partial class LocalApprovalStore(IReadOnlyList<string> paths, ILogger<LocalApprovalStore> logger)
    : BackgroundService, IApprovalState
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    /// <summary>Editors write in several steps; wait for the files to settle before reading.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private static readonly HashSet<string> ApprovalKinds = [ChangeApproval.KindName, "Namespace"];

    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private volatile DecisionSnapshot _snapshot = DecisionSnapshot.Empty;
    private volatile Readiness _readiness = new(false, "approval files not read yet");

    public DecisionSnapshot Snapshot => _snapshot;

    public Readiness Readiness => _readiness;

    public bool CanVerify => _readiness.Ready;

    public string SourceName => $"its approval files ({string.Join(", ", paths)})";

    public ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken) => ValueTask.FromResult<DecisionSnapshot?>(null);

    /// <summary>
    /// Reads every file now. Serve calls it once, as the host starts, beside Kestrel's start rather
    /// than before it: binding, the first TLS handshake and the JIT of the first request then run on
    /// the other core while the files are read (docs/performance.md). Until it returns, /readyz
    /// answers 503 and a decision that rests on approvals is refused as unverifiable
    /// (<see cref="CanVerify"/>), never decided on an empty index.
    /// </summary>
    public void LoadInitial()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Reload(force: true);
        var loaded = System.Diagnostics.Stopwatch.GetTimestamp();
        // Reading allocates many times what it keeps: give the garbage back before serving, so the
        // process's resident size is what the index needs, not the high-water mark of reading it.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        // Most of start-up (docs/performance.md): say how long, for whoever turns Debug on to look.
        LogInitialLoad(logger, _snapshot.Approvals.Count, _files.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started, loaded).TotalMilliseconds,
            System.Diagnostics.Stopwatch.GetElapsedTime(loaded).TotalMilliseconds);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            try
            {
                // On a pool thread: ExecuteAsync runs on the host's start until its first await.
                await Task.Run(LoadInitial, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A folder removed or made unreadable between the start-up check and now: stay not
                // ready, and let the scan below read the files once they can be listed again.
                LogScanFailed(logger, e.Message);
            }
            using var timer = new PeriodicTimer(PollInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if (!Changed()) continue;
                    await Task.Delay(Debounce, stoppingToken).ConfigureAwait(false);
                    Reload(force: false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A folder removed or made unreadable mid-scan: keep what is loaded, look again next tick.
                    LogScanFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping, or a start that failed before the host could stop us: nothing to report.
        }
    }

    private bool Changed()
    {
        var current = ListFiles();
        if (current.Count != _files.Count) return true;
        foreach (var (path, stamp) in current)
        {
            if (!_files.TryGetValue(path, out var state) || state.Stamp != stamp) return true;
        }
        return false;
    }

    private Dictionary<string, (DateTime, long)> ListFiles()
    {
        var result = new Dictionary<string, (DateTime, long)>(StringComparer.Ordinal);
        foreach (var file in ManifestReader.Expand(paths, []))
        {
            try
            {
                var info = new FileInfo(file);
                if (info.Exists) result[file] = (info.LastWriteTimeUtc, info.Length);
            }
            catch (IOException)
            {
                // vanished between listing and stat: the next tick sees it gone
            }
        }
        return result;
    }

    private void Reload(bool force)
    {
        var current = ListFiles();
        foreach (var gone in _files.Keys.Where(k => !current.ContainsKey(k)).ToList())
        {
            _files.Remove(gone);
            LogRemoved(logger, gone);
        }
        var changed = new List<(string Path, (DateTime, long) Stamp)>();
        foreach (var (path, stamp) in current)
        {
            if (force || !_files.TryGetValue(path, out var known) || known.Stamp != stamp) changed.Add((path, stamp));
        }
        // Files are independent: read them on every core (10,000 approvals in 101 files is most of start-up).
        var results = new (List<ChangeApproval> Approvals, List<KeyValuePair<string, IReadOnlyDictionary<string, string>>> Namespaces, List<InputError> Errors)[changed.Count];
        Parallel.For(0, changed.Count, i =>
        {
            var errors = new List<InputError>();
            var loaded = Load(changed[i].Path, errors);
            results[i] = (loaded.Approvals, loaded.Namespaces, errors);
        });
        var strings = new StringPool();
        for (var i = 0; i < changed.Count; i++)
        {
            var (path, stamp) = changed[i];
            var (approvals, namespaces, errors) = results[i];
            var previous = _files.GetValueOrDefault(path);
            if (errors.Count == 0)
            {
                _files[path] = new FileState(stamp, strings.Share(approvals), namespaces, null);
                LogLoaded(logger, path, approvals.Count, namespaces.Count);
            }
            else
            {
                var error = string.Join("; ", errors);
                _files[path] = new FileState(stamp, previous?.Approvals ?? [], previous?.Namespaces ?? [], error);
                LogBroken(logger, path, error);
            }
        }
        Publish(paths.Count == 0 || current.Count > 0 || paths.Any(p => File.Exists(p) || Directory.Exists(p)));
    }

    private static (List<ChangeApproval> Approvals, List<KeyValuePair<string, IReadOnlyDictionary<string, string>>> Namespaces) Load(string path, List<InputError> errors)
    {
        var approvals = new List<ChangeApproval>();
        var namespaces = new List<KeyValuePair<string, IReadOnlyDictionary<string, string>>>();
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new InputError(path, null, "", "cannot be read: " + e.Message));
            return (approvals, namespaces);
        }
        // The quick reader takes well-formed files; anything it declines gets the careful reader's located errors.
        var fast = FastManifestParser.TryRead(text, path, "default", ApprovalKinds, out var manifests);
        if (!fast)
        {
            manifests = ManifestParser.Read(text, path, "default", errors, ApprovalKinds);
        }
        var fieldErrors = new List<InputError>();
        Collect(manifests, approvals, namespaces, fieldErrors, path);
        if (fast && fieldErrors.Count > 0)
        {
            // The quick reader keeps no line of each field: read the file again, carefully, so
            // each error names the line of the field it is about. Only broken files pay for this.
            approvals.Clear();
            namespaces.Clear();
            fieldErrors.Clear();
            Collect(ManifestParser.Read(text, path, "default", errors, ApprovalKinds), approvals, namespaces, fieldErrors, path);
        }
        errors.AddRange(fieldErrors);
        return (approvals, namespaces);
    }

    private static void Collect(List<Manifest> manifests, List<ChangeApproval> approvals, List<KeyValuePair<string, IReadOnlyDictionary<string, string>>> namespaces,
        List<InputError> errors, string path)
    {
        foreach (var m in manifests)
        {
            if (m.Kind == "Namespace" && m.ApiVersion == "v1")
            {
                namespaces.Add(KeyValuePair.Create(m.Name, ObjectInspection.Labels(m.Object)));
            }
            else if (m.Kind == ChangeApproval.KindName && m.ApiVersion == ChangeApproval.ApiVersion)
            {
                var fieldErrors = new List<InputError>();
                var approval = ChangeApprovalReader.Read(m.Object, fieldErrors, path, m.Namespace);
                errors.AddRange(fieldErrors.Select(e => e with { Line = m.LineOf(e.Field) }));
                if (approval is not null) approvals.Add(approval);
            }
            // Other kinds may share the folder (the examples do); they are not approval data.
        }
    }

    private void Publish(bool pathsExist)
    {
        var approvals = new ApprovalIndex(_files.Values.SelectMany(f => f.Approvals));
        var namespaces = new NamespaceIndex(_files.Values.SelectMany(f => f.Namespaces)
            .GroupBy(kv => kv.Key, StringComparer.Ordinal).Select(g => g.Last()));
        _snapshot = new DecisionSnapshot(approvals, namespaces);
        var broken = _files.Where(f => f.Value.Error is not null).Select(f => $"{f.Value.Error} (last good content kept)").ToList();
        AdmissionMetrics.ApprovalsCached.Set(approvals.Count);
        AdmissionMetrics.NamespacesCached.Set(namespaces.Count);
        AdmissionMetrics.ApprovalSourceErrors.Set(broken.Count);
        var summary = $"{approvals.Count} ChangeApprovals and {namespaces.Count} Namespaces from {_files.Count} files";
        _readiness = pathsExist
            ? new Readiness(true, broken.Count == 0 ? summary : summary + "; broken: " + string.Join("; ", broken))
            : new Readiness(false, $"none of the approval paths exist: {string.Join(", ", paths)}");
    }

    private sealed record FileState(
        (DateTime, long) Stamp,
        List<ChangeApproval> Approvals,
        List<KeyValuePair<string, IReadOnlyDictionary<string, string>>> Namespaces,
        string? Error);

    [LoggerMessage(Level = LogLevel.Information, Message = "approval file {Path} loaded: {Approvals} ChangeApprovals, {Namespaces} Namespaces")]
    private static partial void LogLoaded(ILogger logger, string path, int approvals, int namespaces);

    [LoggerMessage(Level = LogLevel.Error, Message = "approval file {Path} is broken, its last good content stays in force: {Error}")]
    private static partial void LogBroken(ILogger logger, string path, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "approval files could not be scanned, keeping what is loaded: {Error}")]
    private static partial void LogScanFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "initial load: {Approvals} ChangeApprovals from {Files} files read and indexed in {LoadMs:F0} ms, its garbage collected in {CollectMs:F0} ms")]
    private static partial void LogInitialLoad(ILogger logger, int approvals, int files, double loadMs, double collectMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "approval file {Path} removed")]
    private static partial void LogRemoved(ILogger logger, string path);
}
