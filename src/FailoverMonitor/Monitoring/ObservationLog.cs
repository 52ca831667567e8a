using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Logging;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// Logs what the API said about each tunnel as changes only: a new status, the status turning unknown (once, then
/// a reminder every <see cref="Reminder.DefaultInterval"/>), the API answering again. A configuration problem the
/// API reports (bad token, wrong id) is an ERROR and goes to the observers once per new problem.
/// </summary>
public sealed class ObservationLog(IEnumerable<IMonitorObserver> observers, ILogger<ObservationLog> logger)
{
    /// <summary>Records <paramref name="observation"/> as <paramref name="tunnel"/>'s latest and logs what changed.</summary>
    internal void Record(TunnelRuntime tunnel, TunnelObservation observation)
    {
        tunnel.LastObservation = observation;
        if (observation.Status is not { } status)
        {
            RecordUnknown(tunnel, observation.Failure!);
            return;
        }

        if (tunnel.Unknown.Clear())
        {
            Log.TunnelKnownAgain(logger, tunnel.Name);
        }

        if (tunnel.LastStatus != status)
        {
            Log.TunnelStatusChanged(logger, tunnel.Name, status.ToApiString());
            tunnel.LastStatus = status;
        }
    }

    private void RecordUnknown(TunnelRuntime tunnel, CloudflareApiException failure)
    {
        // A lock-out's "no request sent" only says why nothing was asked this time: not a new problem.
        var cue = tunnel.Unknown.Report($"{failure.Kind}: {failure.Message}", changeIsNews: !failure.Message.Contains("no request sent", StringComparison.Ordinal));
        tunnel.LastFailureMessage = failure.Message;
        switch (cue)
        {
            case ReminderCue.First when failure.IsConfigurationProblem:
                Log.TunnelConfigurationProblem(logger, tunnel.Name, failure.Message);
                foreach (var observer in observers)
                {
                    observer.OnConfigurationProblem(tunnel.Settings, failure.Message);
                }

                break;
            case ReminderCue.First:
                Log.TunnelUnknown(logger, tunnel.Name, failure.Message);
                break;
            case ReminderCue.Again when failure.IsConfigurationProblem:
                Log.TunnelStillConfigurationProblem(logger, tunnel.Name, tunnel.Unknown.Since!.Value.Wall, failure.Message);
                break;
            case ReminderCue.Again:
                Log.TunnelStillUnknown(logger, tunnel.Name, tunnel.Unknown.Since!.Value.Wall, failure.Message);
                break;
        }
    }
}
