namespace Admission.Policies.Tests.Support;

/// <summary>tests/Shared/TextTable.cs, which several tables of test data here and in Chart.Tests are read with.</summary>
public class TextTableTests
{
    [Fact]
    public void Columns_are_apart_by_two_or_more_spaces_and_blank_lines_are_passed_over()
    {
        var rows = TextTable.Rows("""

            replicas=0      at '/replicas': minimum: got 0, want 1
              logFormat=xml  value must be one of 'json', 'text'

            """, 2);

        Assert.Equal(2, rows.Count);
        Assert.Equal(["replicas=0", "at '/replicas': minimum: got 0, want 1"], rows[0]);
        Assert.Equal(["logFormat=xml", "value must be one of 'json', 'text'"], rows[1]);
    }

    [Theory]
    [InlineData("a  b\nc  d  e", 2, "line 2: 2 columns expected (apart by two or more spaces), found 3: 'c  d  e'")]
    [InlineData("a  b\nc d", 2, "line 2: 2 columns expected (apart by two or more spaces), found 1: 'c d'")]
    public void A_row_with_another_number_of_columns_is_an_error_naming_its_line(string text, int columns, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => TextTable.Rows(text, columns));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Theory_data_has_a_case_a_row()
    {
        var data = TextTable.ThreeColumns("""
            Kind    .spec.target.kind    string
            Age     .metadata.creationTimestamp    date
            """);

        Assert.Equal([["Kind", ".spec.target.kind", "string"], ["Age", ".metadata.creationTimestamp", "date"]], data.Select(row => row.Select(cell => (string)cell).ToArray()));
    }
}
