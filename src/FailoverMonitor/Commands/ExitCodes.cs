namespace FailoverMonitor.Commands;

/// <summary>Process exit codes (sysexits.h where one fits), listed in <c>--help</c> and the README.</summary>
public static class ExitCodes
{
    /// <summary>Success; for <c>run</c>, stopped normally.</summary>
    public const int Ok = 0;

    /// <summary><c>status</c>: no daemon is running (LSB, as <c>systemctl status</c>).</summary>
    public const int NotRunning = 3;

    /// <summary>EX_SOFTWARE: <c>run</c> ended because part of the daemon failed; systemd restarts it (Restart=on-failure).</summary>
    public const int Software = 70;

    /// <summary>EX_CONFIG: the configuration is invalid. The unit's RestartPreventExitStatus=78 stops a restart loop.</summary>
    public const int Configuration = 78;
}
