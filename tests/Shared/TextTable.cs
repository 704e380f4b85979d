using System.Text.RegularExpressions;
using Xunit;

namespace Admission.Tests.Shared;

/// <summary>
/// A table written as text, a row a line and its columns apart by two or more spaces, for test data
/// that reads best aligned: vectors copied from a specification as it prints them, or settings
/// beside what each must give. Blank lines are passed over; a line with another number of columns
/// is an error naming the line, so a row cannot be lost or run into the next.
/// </summary>
internal static partial class TextTable
{
    public static IReadOnlyList<string[]> Rows(string text, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        var rows = new List<string[]>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            var cells = ColumnGap().Split(line);
            if (cells.Length != columns)
            {
                throw new ArgumentException($"text table line {i + 1}: {columns} columns expected (apart by two or more spaces), found {cells.Length}: '{line}'", nameof(text));
            }

            rows.Add(cells);
        }

        return rows;
    }

    /// <summary>A two-column table as a theory's data, a case a row.</summary>
    public static TheoryData<string, string> TwoColumns(string text)
    {
        var data = new TheoryData<string, string>();
        foreach (var row in Rows(text, 2)) data.Add(row[0], row[1]);
        return data;
    }

    /// <summary>A three-column table as a theory's data, a case a row.</summary>
    public static TheoryData<string, string, string> ThreeColumns(string text)
    {
        var data = new TheoryData<string, string, string>();
        foreach (var row in Rows(text, 3)) data.Add(row[0], row[1], row[2]);
        return data;
    }

    [GeneratedRegex(" {2,}|\t")]
    private static partial Regex ColumnGap();
}
