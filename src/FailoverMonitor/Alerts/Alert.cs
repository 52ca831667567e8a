namespace FailoverMonitor.Alerts;

/// <summary>
/// One thing worth telling people about, as queued by <see cref="AlertObserver"/> and sent by <see cref="AlertSender"/>.
/// Holds no secret: the reason has the tunnel's token removed before it gets here.
/// </summary>
/// <param name="Event">What it tells of; its word (<see cref="Configuration.AlertEvents"/>) is the <c>event</c> of a JSON alert.</param>
/// <param name="Tunnel">The tunnel's display name (its <c>name</c>, else its id).</param>
/// <param name="TunnelId">The tunnel's UUID.</param>
/// <param name="Service">The local backup unit (systemd unit or Windows service).</param>
/// <param name="Reason">Why the monitor acted, or what went wrong.</param>
/// <param name="Took">For actions, whether the unit reached the wanted state; null for holds and configuration problems.</param>
/// <param name="At">When it happened (the injected clock).</param>
/// <param name="Host">The machine the monitor runs on.</param>
/// <param name="DryRun">The monitor runs with <c>--dry-run</c>: the action was only logged, nothing was started or stopped.</param>
public sealed record Alert(Configuration.AlertEvent Event, string Tunnel, string? TunnelId, string? Service, string Reason, bool? Took, DateTimeOffset At, string Host, bool DryRun = false);
