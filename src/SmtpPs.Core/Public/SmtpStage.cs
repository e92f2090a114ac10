namespace SmtpPs
{
    /// <summary>The steps of the dialogue: names the reply's command and the stage a timeout hit.</summary>
    public enum SmtpStage
    {
        Connect,
        Greeting,
        Ehlo,
        Helo,
        StartTls,
        Auth,
        MailFrom,
        RcptTo,
        Data,
        Content,
        EndOfData,
        Reset,
        Quit,
    }
}
