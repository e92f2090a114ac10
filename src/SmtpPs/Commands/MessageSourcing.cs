using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using SmtpPs.Content;
using SmtpPs.Mime;
using SmtpPs.Session;

namespace SmtpPs.Commands
{
    /// <summary>One message ready to be sent (its content, and the envelope a MIME object implies), or why it cannot be.</summary>
    internal sealed class PreparedMessage
    {
        private PreparedMessage(string name, MessageContent? content, EnvelopeDefaults? implied, MessageProblem? problem)
        {
            Name = name;
            Content = content;
            Implied = implied;
            Problem = problem;
        }

        public string Name { get; }

        public MessageContent? Content { get; }

        /// <summary>For a MIME object, the envelope its fields imply (used where -From and -To are not given); null for raw content.</summary>
        public EnvelopeDefaults? Implied { get; }

        public MessageProblem? Problem { get; }

        public static PreparedMessage Ready(MessageContent content, EnvelopeDefaults? implied = null) =>
            new PreparedMessage(content.Name, content, implied, null);

        public static PreparedMessage Refused(string name, MessageProblem problem) => new PreparedMessage(name, null, null, problem);
    }

    /// <summary>
    /// Turns what Send-RawSmtpMail was given into messages: paths (wildcards and literal), files from
    /// Get-ChildItem, text and octets (-Content), MIME objects (New-MimeMessage, MimeKit, a captured
    /// message's Raw octets). Each becomes content checked by the same scan; whatever cannot become a
    /// message is a problem of that one input, never of the batch.
    /// </summary>
    internal sealed class MessageSourcing
    {
        private readonly PSCmdlet _cmdlet;
        private readonly byte[] _scanBuffer;
        private readonly CancellationToken _cancellation;
        private int _inMemory;

        public MessageSourcing(PSCmdlet cmdlet, CancellationToken cancellation)
        {
            _cmdlet = cmdlet;
            _scanBuffer = new byte[ContentScanner.BlockSize];
            _cancellation = cancellation;
        }

        /// <summary>The files a path names (-Path with wildcards, -LiteralPath as written).</summary>
        public IEnumerable<PreparedMessage> FromPath(string given, bool literal)
        {
            foreach (ResolvedFile file in MessageFiles.Resolve(_cmdlet, given, literal))
            {
                yield return file.Problem != null ? PreparedMessage.Refused(file.Name, file.Problem) : Read(file);
            }
        }

        /// <summary>-Content: text (sent as UTF-8), octets, or MIME objects; one message each, an array of octets is one message.</summary>
        public IEnumerable<PreparedMessage> FromContent(object content)
        {
            foreach (object? item in Items(content))
            {
                yield return FromObject(item, textIsContent: true);
            }
        }

        /// <summary>
        /// One object from the pipeline: a string is a path (with wildcards), a file is a file, and an
        /// object with a PSPath, FullName or Path property names its file, as the built-in cmdlets bind
        /// them; octets and MIME objects are messages.
        /// </summary>
        public PreparedMessage[] FromPipeline(object input)
        {
            object bare = input is PSObject ps ? ps.BaseObject : input;
            switch (bare)
            {
                case string path:
                    return new List<PreparedMessage>(FromPath(path, literal: false)).ToArray();
                case FileSystemInfo file:
                    return new List<PreparedMessage>(FromPath(file.FullName, literal: true)).ToArray();
            }

            if (bare is byte[] || MimeSources.TryGet(bare) != null)
            {
                return new[] { FromObject(input, textIsContent: false) };
            }

            PSObject wrapped = PSObject.AsPSObject(input);
            foreach (string name in new[] { "PSPath", "FullName", "LiteralPath", "Path" })
            {
                if (wrapped.Properties[name]?.Value is object value && value.ToString() is string path && path.Length > 0)
                {
                    return new List<PreparedMessage>(FromPath(path, literal: name != "Path")).ToArray();
                }
            }

            return new[] { FromObject(input, textIsContent: false) };
        }

        private PreparedMessage FromObject(object? item, bool textIsContent)
        {
            object? bare = item is PSObject ps ? ps.BaseObject : item;
            if (bare is string text && !textIsContent)
            {
                return new List<PreparedMessage>(FromPath(text, literal: false))[0];
            }

            MessageInput? input = MessageInput.From(item);
            if (input == null)
            {
                string what = bare == null ? "nothing ($null)" : bare is byte ? "a single byte" : $"a {bare.GetType().FullName}";
                return PreparedMessage.Refused(bare?.ToString() ?? "(null)", MessageProblem.Unusable("MessageInputNotSupported",
                    $"{what} is not a message. Give message files (-Path, -LiteralPath, or piped paths and files), text or a byte[] " +
                    "with -Content (a piped array is sent one element at a time), or a message from New-MimeMessage."));
            }

            if (input.File != null)
            {
                return new List<PreparedMessage>(FromPath(input.File, literal: true))[0];
            }

            string name = input.Mime != null ? input.Mime.Name : $"(content {++_inMemory}: {input.Name.Trim('(', ')')})";
            try
            {
                return input.Mime != null
                    ? PreparedMessage.Ready(MimeMessageContent.Of(input.Mime, _cancellation), input.Mime.Envelope)
                    : PreparedMessage.Ready(MemoryContent.FromOctets(name, input.Raw!));
            }
            catch (ContentException e) when (e.Problem == ContentProblem.Empty)
            {
                return PreparedMessage.Refused(name, MessageProblem.Unusable("MessageContentEmpty", $"'{name}' is empty."));
            }
            catch (ContentException e)
            {
                return PreparedMessage.Refused(name, MessageProblem.BadContent(e));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return PreparedMessage.Refused(name, MessageProblem.Unusable("MessageFileUnreadable", $"'{name}' cannot be written to be sent: {e.Message}"));
            }
        }

        /// <summary>Reads and checks a file; a file that cannot be sent is that file's problem, and the batch goes on.</summary>
        private PreparedMessage Read(ResolvedFile file)
        {
            try
            {
                return PreparedMessage.Ready(FileContent.Read(file.FullPath!, _scanBuffer, _cancellation));
            }
            catch (ContentException e) when (e.Problem == ContentProblem.Empty)
            {
                return PreparedMessage.Refused(file.Name, MessageProblem.Unusable("MessageFileEmpty",
                    $"The message file '{file.Name}' is empty, or it is not a regular file (a FIFO, a device or standard input) that can be " +
                    "read and checked before it is sent; to send text that is not in a file, give it to -Content."));
            }
            catch (ContentException e) when (e.Problem == ContentProblem.NotRegularFile)
            {
                return PreparedMessage.Refused(file.Name, MessageProblem.Unusable("MessageFileNotRegular",
                    $"'{file.Name}' cannot be sent: {e.Message}. To send what a program writes, read it first and give the text or octets to -Content."));
            }
            catch (ContentException e)
            {
                return PreparedMessage.Refused(file.Name, MessageProblem.BadContent(e));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return PreparedMessage.Refused(file.Name, MessageProblem.Unusable("MessageFileUnreadable", $"The message file '{file.Name}' cannot be read: {e.Message}"));
            }
        }

        /// <summary>The messages in a -Content value: a byte[] is one message; other arrays and lists hold one each.</summary>
        private static IEnumerable<object?> Items(object content)
        {
            object bare = content is PSObject ps ? ps.BaseObject : content;
            if (bare is byte[] || bare is string || !(bare is IEnumerable items))
            {
                yield return content;
                yield break;
            }

            foreach (object? item in items)
            {
                yield return item;
            }
        }
    }
}
