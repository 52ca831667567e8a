using FailoverMonitor.ServiceControl;

namespace FailoverMonitor.Tests.ServiceControl;

/// <summary>
/// sc.exe answers as Windows prints them (Windows Server 2022, en-US unless noted): CRLF line endings, everything on
/// standard output, the Win32 error code as exit code. Service name <c>cloudflared-backup</c>.
/// </summary>
internal static class ScOutputs
{
    public const string Service = "cloudflared-backup";

    /// <summary><c>sc.exe query cloudflared-backup</c>, service running.</summary>
    public static readonly ProcessResult QueryRunning = Ok("""

        SERVICE_NAME: cloudflared-backup
                TYPE               : 10  WIN32_OWN_PROCESS
                STATE              : 4  RUNNING
                                        (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)
                WIN32_EXIT_CODE    : 0  (0x0)
                SERVICE_EXIT_CODE  : 0  (0x0)
                CHECKPOINT         : 0x0
                WAIT_HINT          : 0x0

        """);

    /// <summary><c>sc.exe query</c>, service stopped cleanly.</summary>
    public static readonly ProcessResult QueryStopped = Ok("""

        SERVICE_NAME: cloudflared-backup
                TYPE               : 10  WIN32_OWN_PROCESS
                STATE              : 1  STOPPED
                WIN32_EXIT_CODE    : 0  (0x0)
                SERVICE_EXIT_CODE  : 0  (0x0)
                CHECKPOINT         : 0x0
                WAIT_HINT          : 0x0

        """);

    /// <summary><c>sc.exe query</c>, the service's process exited while starting (1067: the process terminated unexpectedly).</summary>
    public static readonly ProcessResult QueryStoppedAfterCrash = Ok("""

        SERVICE_NAME: cloudflared-backup
                TYPE               : 10  WIN32_OWN_PROCESS
                STATE              : 1  STOPPED
                WIN32_EXIT_CODE    : 1067  (0x42b)
                SERVICE_EXIT_CODE  : 0  (0x0)
                CHECKPOINT         : 0x0
                WAIT_HINT          : 0x0

        """);

    /// <summary><c>sc.exe query</c> during a start.</summary>
    public static readonly ProcessResult QueryStartPending = Ok("""

        SERVICE_NAME: cloudflared-backup
                TYPE               : 10  WIN32_OWN_PROCESS
                STATE              : 2  START_PENDING
                                        (NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)
                WIN32_EXIT_CODE    : 0  (0x0)
                SERVICE_EXIT_CODE  : 0  (0x0)
                CHECKPOINT         : 0x1
                WAIT_HINT          : 0x7d0

        """);

    /// <summary><c>sc.exe query</c> during a stop.</summary>
    public static readonly ProcessResult QueryStopPending = Ok("""

        SERVICE_NAME: cloudflared-backup
                TYPE               : 10  WIN32_OWN_PROCESS
                STATE              : 3  STOP_PENDING
                                        (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)
                WIN32_EXIT_CODE    : 0  (0x0)
                SERVICE_EXIT_CODE  : 0  (0x0)
                CHECKPOINT         : 0x0
                WAIT_HINT          : 0xbb8

        """);

    /// <summary><c>sc.exe query</c>, service paused (its process still runs).</summary>
    public static readonly ProcessResult QueryPaused = Ok("""

        SERVICE_NAME: cloudflared-backup
                TYPE               : 10  WIN32_OWN_PROCESS
                STATE              : 7  PAUSED
                                        (STOPPABLE, PAUSABLE, ACCEPTS_SHUTDOWN)
                WIN32_EXIT_CODE    : 0  (0x0)
                SERVICE_EXIT_CODE  : 0  (0x0)
                CHECKPOINT         : 0x0
                WAIT_HINT          : 0x0

        """);

    /// <summary><c>sc.exe query</c> of a service that is not installed.</summary>
    public static readonly ProcessResult QueryMissing = Failed(1060, """
        [SC] EnumQueryServicesStatus:OpenService FAILED 1060:

        The specified service does not exist as an installed service.


        """);

    /// <summary>The same on a German Windows: the word FAILED and the text are translated, the code is not.</summary>
    public static readonly ProcessResult QueryMissingGerman = Failed(1060, """
        [SC] EnumQueryServicesStatus:OpenService FEHLER 1060:

        Der angegebene Dienst ist kein installierter Dienst.


        """);

    /// <summary><c>sc.exe query</c> without the right to read the service (a non-admin account and a locked-down DACL).</summary>
    public static readonly ProcessResult QueryAccessDenied = Failed(5, """
        [SC] EnumQueryServicesStatus:OpenService FAILED 5:

        Access is denied.


        """);

    /// <summary><c>sc.exe start</c> accepted: the service is on its way.</summary>
    public static readonly ProcessResult StartAccepted = Ok("""

        SERVICE_NAME: cloudflared-backup
                TYPE               : 10  WIN32_OWN_PROCESS
                STATE              : 2  START_PENDING
                                        (NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)
                WIN32_EXIT_CODE    : 0  (0x0)
                SERVICE_EXIT_CODE  : 0  (0x0)
                CHECKPOINT         : 0x0
                WAIT_HINT          : 0x7d0
                PID                : 4242
                FLAGS              :

        """);

    /// <summary><c>sc.exe start</c> of a service that already runs.</summary>
    public static readonly ProcessResult StartAlreadyRunning = Failed(1056, """
        [SC] StartService FAILED 1056:

        An instance of the service is already running.


        """);

    /// <summary><c>sc.exe start</c> of a disabled service.</summary>
    public static readonly ProcessResult StartDisabled = Failed(1058, """
        [SC] StartService FAILED 1058:

        The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.


        """);

    /// <summary><c>sc.exe start</c> of a service that is not installed.</summary>
    public static readonly ProcessResult StartMissing = Failed(1060, """
        [SC] OpenService FAILED 1060:

        The specified service does not exist as an installed service.


        """);

    /// <summary><c>sc.exe stop</c> accepted: the service is on its way down.</summary>
    public static readonly ProcessResult StopAccepted = Ok("""

        SERVICE_NAME: cloudflared-backup
                TYPE               : 10  WIN32_OWN_PROCESS
                STATE              : 3  STOP_PENDING
                                        (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)
                WIN32_EXIT_CODE    : 0  (0x0)
                SERVICE_EXIT_CODE  : 0  (0x0)
                CHECKPOINT         : 0x0
                WAIT_HINT          : 0xbb8

        """);

    /// <summary><c>sc.exe stop</c> of a service that is not running.</summary>
    public static readonly ProcessResult StopNotStarted = Failed(1062, """
        [SC] ControlService FAILED 1062:

        The service has not been started.


        """);

    /// <summary><c>sc.exe stop</c> of a service other running services depend on.</summary>
    public static readonly ProcessResult StopHasDependents = Failed(1051, """
        [SC] ControlService FAILED 1051:

        A stop control has been sent to a service that other running services are dependent on.


        """);

    /// <summary>Without an elevated prompt: <c>sc.exe start</c> may not open the service for starting.</summary>
    public static readonly ProcessResult StartAccessDenied = Failed(5, """
        [SC] OpenService FAILED 5:

        Access is denied.


        """);

    private static ProcessResult Ok(string stdout) => new(0, stdout.ReplaceLineEndings("\r\n"), "");

    private static ProcessResult Failed(int code, string stdout) => new(code, stdout.ReplaceLineEndings("\r\n"), "");
}
