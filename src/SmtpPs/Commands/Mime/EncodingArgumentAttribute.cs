using System;
using System.Management.Automation;
using System.Text;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Lets -Encoding take what PowerShell's own -Encoding parameters take: a name (utf8, ascii, latin1,
    /// unicode, ... or any charset name), a code page number, or an Encoding object.
    /// </summary>
    internal sealed class EncodingArgumentAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject ps ? ps.BaseObject : inputData;
            switch (value)
            {
                case null:
                case Encoding _:
                    return value;
                case int codePage:
                    return Encoding.GetEncoding(codePage);
                case string name:
                    return ByName(name);
                default:
                    return value;
            }
        }

        private static Encoding ByName(string name)
        {
            switch (name.Trim().ToLowerInvariant())
            {
                case "utf8":
                case "utf-8":
                case "utf8nobom":
                case "utf8bom":
                    return new UTF8Encoding(false);
                case "ascii":
                case "us-ascii":
                    return Encoding.ASCII;
                case "latin1":
                    return Encoding.GetEncoding(28591);
                case "unicode":
                    return Encoding.Unicode;
                case "bigendianunicode":
                    return Encoding.BigEndianUnicode;
                case "utf32":
                    return Encoding.UTF32;
                default:
                    try
                    {
                        return Encoding.GetEncoding(name);
                    }
                    catch (ArgumentException)
                    {
                        throw new ArgumentTransformationMetadataException(
                            $"'{name}' is not an encoding. Use utf8 (the default), ascii, latin1, unicode, a charset name such as iso-8859-15, or a code page number.");
                    }
            }
        }
    }
}
