using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Admission.CommandLine;

/// <summary>
/// What both programs' command lines share (this file is compiled into each): help as
/// <c>-h/--help</c> only (no <c>-?</c> or <c>/?</c>, which shells glob or mangle), help and usage
/// lines that name the program as people type it (<c>kubectl change</c>, not the file name
/// <c>kubectl-change</c>), and shell completion (<c>completion bash|zsh</c>, and for a kubectl
/// plugin the <c>kubectl_complete-NAME</c> script kubectl runs).
/// </summary>
internal static class CliConventions
{
    public const string CompleteCommand = "__complete";

    public static void Apply(RootCommand root, string displayName)
    {
        AddCompletion(root, displayName);
        for (var i = 0; i < root.Options.Count; i++)
        {
            if (root.Options[i] is HelpOption)
            {
                root.Options[i] = new HelpOption("--help", "-h") { Recursive = true, Action = new NamedHelpAction(root.Name, displayName) };
            }
            else if (root.Options[i] is VersionOption)
            {
                // This program's version, not the host's (in tests the entry assembly is the test host).
                root.Options[i] = new VersionOption { Action = new VersionAction() };
            }
        }
    }

    /// <summary>The file people install: <c>kubectl change</c> is the file <c>kubectl-change</c>.</summary>
    private static string ProgramFile(string displayName) => displayName.Replace(' ', '-');

    private static void AddCompletion(RootCommand root, string displayName)
    {
        var file = ProgramFile(displayName);
        // Hidden: what the scripts call. "--" first, so words like "--out" reach it as words.
        var words = new Argument<string[]>("words") { Arity = ArgumentArity.ZeroOrMore };
        var complete = new Command(CompleteCommand, "Print completions for the words of a command line") { Hidden = true };
        complete.Arguments.Add(words);
        complete.SetAction(result =>
        {
            var given = result.GetValue(words) ?? [];
            var output = result.InvocationConfiguration.Output;
            foreach (var item in Completions(root, given))
            {
                output.WriteLine(item);
            }
            return 0;
        });
        root.Subcommands.Add(complete);

        var shell = new Argument<string>("SHELL") { Description = displayName.Contains(' ') ? "bash, zsh, or kubectl (the kubectl_complete script)" : "bash or zsh" };
        shell.AcceptOnlyFromAmong(displayName.Contains(' ') ? ["bash", "zsh", "kubectl"] : ["bash", "zsh"]);
        var completion = new Command("completion", $"Print a shell completion script: source <({displayName} completion bash)") { shell };
        completion.SetAction(result =>
        {
            result.InvocationConfiguration.Output.Write(Script(result.GetValue(shell)!, file));
            return 0;
        });
        root.Subcommands.Add(completion);
    }

    /// <summary>Completions of the last word (empty: a new word) after the others.</summary>
    public static IEnumerable<string> Completions(RootCommand root, IReadOnlyList<string> words)
    {
        var last = words.Count == 0 ? "" : words[^1];
        // As text with the cursor at its end: an empty last word then means "a new word here".
        var line = string.Join(' ', words.Select(w => w.Contains(' ') ? $"\"{w}\"" : w));
        var parsed = root.Parse(line);
        return parsed.GetCompletions(line.Length)
            .Select(c => c.Label)
            .Where(l => l.StartsWith(last, StringComparison.Ordinal) && l != CompleteCommand)
            .Distinct(StringComparer.Ordinal);
    }

    public static string Script(string shell, string file)
    {
        var function = "_" + file.Replace('-', '_') + "_complete";
        return shell switch
        {
            "bash" => $$"""
                # bash completion for {{file}}: source <({{file}} completion bash)
                {{function}}() {
                  local IFS=$'\n'
                  COMPREPLY=($({{file}} {{CompleteCommand}} -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
                }
                complete -o default -F {{function}} {{file}}

                """,
            "zsh" => $$"""
                #compdef {{file}}
                # zsh completion for {{file}}: source <({{file}} completion zsh)
                {{function}}() {
                  local -a items
                  items=("${(@f)$({{file}} {{CompleteCommand}} -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
                  compadd -- $items
                }
                compdef {{function}} {{file}}

                """,
            // kubectl runs kubectl_complete-NAME with the words after "kubectl NAME" and reads
            // completions in cobra's format: one per line, then ":4" (no file completion).
            _ => $$"""
                #!/bin/sh
                # kubectl completion for "kubectl {{file["kubectl-".Length..]}}": save as kubectl_complete-{{file["kubectl-".Length..]}} on PATH, executable
                {{file}} {{CompleteCommand}} -- "$@" 2>/dev/null
                echo :4

                """,
        };
    }

    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var assembly = typeof(CliConventions).Assembly;
            var version = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(assembly)?.InformationalVersion
                ?? assembly.GetName().Version?.ToString() ?? "unknown";
            parseResult.InvocationConfiguration.Output.WriteLine(version);
            return 0;
        }
    }

    /// <summary>The default help, with the executable's file name replaced by the name people type.</summary>
    private sealed class NamedHelpAction(string fileName, string displayName) : SynchronousCommandLineAction
    {
        private readonly HelpAction _default = new();

        /// <summary>As the default help: "request --help" shows help even though --reason is missing.</summary>
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var config = parseResult.InvocationConfiguration;
            var output = config.Output;
            using var text = new StringWriter();
            config.Output = text;
            try
            {
                _default.Invoke(parseResult);
            }
            finally
            {
                config.Output = output;
            }
            var help = fileName == displayName ? text.ToString() : text.ToString().Replace(fileName + " ", displayName + " ", StringComparison.Ordinal);
            output.Write(help);
            return 0;
        }
    }
}
