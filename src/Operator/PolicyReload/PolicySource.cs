using Admission.Policies;

namespace Admission.Operator.PolicyReload;

/// <summary>The policy in force, with what identifies it: a replica's generation and the file's hash.</summary>
/// <param name="Generation">1 for the policy the process started with, one more for each reload.</param>
/// <param name="Sha256">Hex SHA-256 of the file's bytes; empty for the built-in defaults (no --policy).</param>
public sealed record LoadedPolicy(AdmissionPolicy Policy, long Generation, string Sha256)
{
    /// <summary>The first 12 hex digits: enough to tell replicas' policies apart on a dashboard.</summary>
    public string ShortHash => Sha256.Length == 0 ? "defaults" : Sha256[..12].ToLowerInvariant();
}

/// <summary>A change of the policy file that was refused, the policy in force staying as it was.</summary>
/// <param name="Content">What was refused: <c>sha256:…</c> of the bytes read, or that the file could not be read.</param>
public sealed record PolicyReloadFailure(string Content, string Error, DateTimeOffset At);

/// <summary>
/// The policy decisions are made with. A reload swaps the whole record in one reference write, so
/// a review that reads <see cref="Current"/> once decides with one policy from start to end, never
/// with parts of two.
/// </summary>
public sealed class PolicySource
{
    private volatile LoadedPolicy _current;
    private volatile PolicyReloadFailure? _lastFailure;

    public PolicySource(AdmissionPolicy policy, string? file = null, string sha256 = "")
    {
        File = file;
        _current = new LoadedPolicy(policy, 1, sha256);
    }

    /// <summary>Sets the policy metrics from this source: once, by the host that serves with it (not by handler tests).</summary>
    internal void Publish() => PolicyMetrics.Loaded(_current);

    /// <summary>The file the policy is read from; null when serve runs on the defaults.</summary>
    public string? File { get; }

    public LoadedPolicy Current => _current;

    /// <summary>The last refused change, until a good one replaces it; null when the file on disk is the one in force.</summary>
    public PolicyReloadFailure? LastFailure => _lastFailure;

    internal void Replace(AdmissionPolicy policy, string sha256)
    {
        var next = new LoadedPolicy(policy, _current.Generation + 1, sha256);
        _current = next;
        _lastFailure = null;
        PolicyMetrics.Loaded(next);
    }

    internal void Refuse(string content, string error, DateTimeOffset at)
    {
        _lastFailure = new PolicyReloadFailure(content, error, at);
        PolicyMetrics.Refused();
    }

    /// <summary>
    /// The /readyz line. A refused change does not make the replica unready: the policy in force
    /// was good when loaded and still is, and an unready fleet would fail every guarded write
    /// closed over a typo. The line (and the metrics) make the refusal loud instead.
    /// </summary>
    public string Detail()
    {
        var current = _current;
        var line = $"policy: {(File is null ? "built-in defaults" : File)} sha256:{current.ShortHash} generation {current.Generation}";
        if (_lastFailure is { } failure)
        {
            line += $"; a change ({failure.Content}) was refused at {failure.At.ToString("u", System.Globalization.CultureInfo.InvariantCulture)}, " +
                $"still deciding with generation {current.Generation}: {failure.Error.ReplaceLineEndings("; ")}";
        }
        return line;
    }
}
