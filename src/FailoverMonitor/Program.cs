using System.CommandLine;
using FailoverMonitor.Commands;
using FailoverMonitor.Configuration;

// The command line. `run` is the default verb, so the unit's ExecStart and the Python original's habit
// (`failover-monitor --config PATH`) both work.
var configOption = new Option<string?>("--config", "-c")
{
    Description = $"The configuration file. Default: ${ConfigurationLoader.PathVariable}, else {MonitorSettings.DefaultConfigPath}.",
    Recursive = true,
};
var dryRunOption = new Option<bool>("--dry-run") { Description = "Decide and log as usual, but never start, stop or restart a unit." };
var noVerifyOption = new Option<bool>("--no-verify") { Description = "Do not verify the tokens against the Cloudflare API." };
var jsonOption = new Option<bool>("--json") { Description = "Print JSON (for scripts) instead of a table." };
var stateFileOption = new Option<string?>("--state-file") { Description = $"The daemon's state file. Default: {OutputSettings.DefaultStateFile}." };

var run = new Command("run", "Run the monitor (the default). Logs to the log file and, under systemd, to journald.") { dryRunOption };
run.SetAction((parse, ct) => RunCommand.RunAsync(parse.GetValue(configOption), parse.GetValue(dryRunOption), ct));

var checkConfig = new Command("check-config", "Validate the configuration, show what would be monitored and each token's API budget, verify the tokens. Exit 0 if usable, 78 if not.") { noVerifyOption };
checkConfig.SetAction((parse, ct) => CheckConfigCommand.RunAsync(parse.GetValue(configOption), !parse.GetValue(noVerifyOption), Console.Out, ct));

var status = new Command("status", "Show what the running daemon believes, per tunnel. Exit 0 if a daemon runs, 3 if none.") { jsonOption, stateFileOption };
status.SetAction(parse => StatusCommand.Run(parse.GetValue(stateFileOption), parse.GetValue(jsonOption), Console.Out));

var version = new Command("version", "Print the version.");
version.SetAction(_ => Console.WriteLine($"failover-monitor {VersionInfo.Current}"));

var root = new RootCommand("""
    failover-monitor - keep Cloudflare Tunnel sites up with a local backup connector

    Runs on a standby host. Every check_interval seconds it pings the gateway, reads each configured
    tunnel's status from the Cloudflare API and, when a tunnel is down for failure_threshold checks,
    starts the tunnel's backup unit with systemctl; when a connector other than the backup is back for
    recovery_threshold checks it stops the backup again. API failures never cause an action.

    FILES
      /opt/failover-monitor/tunnels.json   configuration (see README.md for every key)
      /var/log/failover_monitor.log        log file (also in journald: journalctl -u failover-monitor)
      /run/failover-monitor/state.json     what the daemon believes (read by `status`)

    SIGNALS
      SIGHUP (systemctl reload failover-monitor) re-reads the configuration, keeping per-tunnel state.

    EXIT CODES
      0   success / stopped normally
      3   status: no daemon is running
      70  part of the daemon failed (systemd restarts the service)
      78  invalid configuration (systemd does not restart the service on it)
    """)
{
    configOption,
    dryRunOption,
    run,
    checkConfig,
    status,
    version,
};
root.SetAction((parse, ct) => RunCommand.RunAsync(parse.GetValue(configOption), parse.GetValue(dryRunOption), ct));

// The host handles SIGTERM/SIGINT itself; System.CommandLine must not race it.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
