using System;

namespace SmtpPs.Protocol
{
    /// <summary>
    /// Eight bytes at a time: finds where the next CR, LF (or NUL) may be, so that the hot loops over a
    /// message file touch most bytes in word-sized steps (netstandard2.0 has no vectorised IndexOfAny).
    /// </summary>
    internal static class ByteScan
    {
        private const ulong Ones = 0x0101010101010101UL;
        private const ulong Highs = 0x8080808080808080UL;
        private const ulong Crs = Ones * '\r';
        private const ulong Lfs = Ones * '\n';

        /// <summary>The first index from <paramref name="i"/> whose 8-byte word may hold CR or LF (or <paramref name="end"/>).</summary>
        public static int SkipPlain(byte[] buffer, int i, int end)
        {
            while (i + 8 <= end)
            {
                ulong v = BitConverter.ToUInt64(buffer, i);
                if (HasZero(v ^ Crs) || HasZero(v ^ Lfs))
                {
                    break;
                }

                i += 8;
            }

            return i;
        }

        /// <summary>
        /// Like <see cref="SkipPlain"/>, also stopping at a word that may hold NUL, and ORs every skipped
        /// word into <paramref name="seen"/> (its high bits then tell whether an octet above 127 passed).
        /// </summary>
        public static int SkipPlainAndNul(byte[] buffer, int i, int end, ref ulong seen)
        {
            while (i + 8 <= end)
            {
                ulong v = BitConverter.ToUInt64(buffer, i);
                if (HasZero(v) || HasZero(v ^ Crs) || HasZero(v ^ Lfs))
                {
                    break;
                }

                seen |= v;
                i += 8;
            }

            return i;
        }

        public static bool HasHighBit(ulong seen) => (seen & Highs) != 0;

        // True when some byte of v is zero (the classic SWAR test: exact, no false negatives or positives).
        private static bool HasZero(ulong v) => ((v - Ones) & ~v & Highs) != 0;
    }
}
