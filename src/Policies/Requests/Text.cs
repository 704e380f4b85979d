using System.Globalization;
using System.Text;

namespace Admission.Policies;

/// <summary>Questions about free text people write (reasons).</summary>
public static class Text
{
    /// <summary>
    /// True when the text holds a character a person can see: a letter, digit, punctuation mark or
    /// symbol. White space, control and invisible format characters (U+200B) alone state no reason.
    /// </summary>
    public static bool HasVisible(string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        foreach (var rune in text.EnumerateRunes())
        {
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                    or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                    or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                    or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
                    or UnicodeCategory.OtherPunctuation or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol
                    or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol:
                    // U+3164 and its kin are letters that render as nothing.
                    if (rune.Value is not (0x115F or 0x1160 or 0x3164 or 0xFFA0)) return true;
                    break;
            }
        }
        return false;
    }
}
